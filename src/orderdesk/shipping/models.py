"""Shipping: the shipment of an order, the carrier's tracking events, delivery problems and the
customer's feedback (architecture: Shipping)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel, uuid7


class TrackingStatus(models.TextChoices):
    """The normalised set every carrier's codes map to (SPEC §7)."""

    INFO_RECEIVED = "info_received", _("Information received")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned")
    EXCEPTION = "exception", _("Delivery problem")


# The statuses after which nothing but a return changes the parcel's state.
FINAL_STATUSES = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED})
PROBLEM_STATUSES = frozenset({TrackingStatus.FAILED_ATTEMPT, TrackingStatus.EXCEPTION})


class ProblemReason(models.TextChoices):
    CUSTOMER_ABSENT = "customer_absent", _("Customer absent")
    ADDRESS_NOT_FOUND = "address_not_found", _("Address not found")
    REFUSED = "refused", _("Refused")
    DAMAGED = "damaged", _("Damaged")
    OTHER = "other", _("Other")


class ProblemDecision(models.TextChoices):
    REDELIVER = "redeliver", _("Deliver again")
    RETURN = "return", _("Return to the store")
    # Nobody decided: the parcel was delivered or returned before the call (nothing to send).
    CARRIER = "carrier", _("Settled by the carrier")


class FeedbackVia(models.TextChoices):
    PAGE = "page", _("Feedback page")
    API = "api", _("API")
    OPERATOR = "operator", _("Operator")


class ShippingPolicy(BaseModel):
    """A store's delivery follow-up settings; a store without a row uses the defaults."""

    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="shipping_policy"
    )
    problem_deadline_hours = models.PositiveIntegerField(
        _("hours to resolve a delivery problem"), default=24
    )
    feedback_delay_hours = models.PositiveIntegerField(
        _("hours after delivery until the feedback request"), default=24
    )

    class Meta:
        verbose_name = _("shipping policy")
        verbose_name_plural = _("shipping policies")

    def __str__(self) -> str:
        return str(self.store)


class Shipment(BaseModel):
    """The parcel of one order: its carrier, tracking number and where it stands."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="shipment")
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    carrier = models.ForeignKey(
        "delivery.Carrier", on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    status = models.CharField(
        _("tracking status"), max_length=20, choices=TrackingStatus.choices, blank=True
    )
    status_at = models.DateTimeField(_("tracking status since"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cash_collected = models.DecimalField(
        _("cash collected"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    feedback_due_at = models.DateTimeField(_("feedback request due"), null=True, blank=True)
    feedback_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "tracking_number"], name="shipping_shipment_store_tracking_unique"
            )
        ]
        indexes = [
            # the feedback job: delivered shipments whose request is due and not yet sent
            models.Index(
                fields=["feedback_due_at"],
                condition=models.Q(feedback_requested_at__isnull=True),
                name="shipping_feedback_due_idx",
            ),
            # tracking by number across stores (a carrier's own feed)
            models.Index(fields=["tracking_number"], name="shipping_tracking_number_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_number


class TrackingEvent(models.Model):
    """One event of the carrier, as it came (its raw code kept); a repeat is stored once."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=TrackingStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ProblemReason.choices, blank=True)
    raw_code = models.CharField(_("carrier's code"), max_length=100, blank=True)
    raw = models.JSONField(_("as the carrier sent it"), default=dict, blank=True)
    at = models.DateTimeField(_("when it happened"))
    received_at = models.DateTimeField()
    # False for an event that came after a later one (kept as history, changed nothing).
    applied = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "status", "at", "raw_code"],
                name="shipping_trackingevent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} @ {self.at:%Y-%m-%d %H:%M}"


class CarrierStatusCode(BaseModel):
    """How one carrier code reads in the normalised set: data an admin edits."""

    carrier_code = models.SlugField(_("carrier"), max_length=50)
    code = models.CharField(_("carrier's status code"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=TrackingStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ProblemReason.choices, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("carrier status code")
        verbose_name_plural = _("carrier status codes")
        ordering = ["carrier_code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier_code", "code"], name="shipping_carrierstatus_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier_code}:{self.code} → {self.status}"


class DeliveryProblem(BaseModel):
    """A failed attempt or an exception the contact center resolves by a call."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="problems")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="delivery_problems"
    )
    task = models.ForeignKey(
        "calling.CallTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ProblemReason.choices)
    opened_at = models.DateTimeField(_("opened"))
    deadline_at = models.DateTimeField(_("resolve by"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=ProblemDecision.choices, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redelivery_on = models.DateField(_("new delivery date"), null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    # When the decision reached the carrier (the job sends decided problems until it did).
    carrier_sent_at = models.DateTimeField(null=True, blank=True)
    # Redelivered and then delivered (True) or returned (False): the won-back share of reports.
    won_back = models.BooleanField(_("won back"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery problem")
        verbose_name_plural = _("delivery problems")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment"],
                condition=models.Q(decided_at__isnull=True),
                name="shipping_problem_one_open",
            )
        ]
        indexes = [
            # the carrier job: decisions not yet sent to the carrier
            models.Index(
                fields=["decided_at"],
                condition=models.Q(decided_at__isnull=False, carrier_sent_at__isnull=True),
                name="shipping_problem_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.order_id})"


class Feedback(BaseModel):
    """The customer's answer after delivery: one per order."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("given via"), max_length=10, choices=FeedbackVia.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A low rating's supervisor call, once opened (a feedback call still in progress delays it).
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="shipping_feedback_rating"
            )
        ]
        indexes = [
            # the job: low ratings whose supervisor call could not open yet
            models.Index(
                fields=["created_at"],
                condition=models.Q(rating__lte=2, escalated_at__isnull=True),
                name="shipping_feedback_escalate_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5"
