from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


class ScreeningPolicy(BaseModel):
    """A store's rules for orders coming in: what counts as a duplicate, how many open orders
    one phone may have before a supervisor decides."""

    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="screening_policy"
    )
    duplicate_window_hours = models.PositiveIntegerField(
        _("duplicate window, hours"),
        default=24,
        help_text=_("An order with the same phone and items within this time is a duplicate."),
    )
    open_orders_per_phone = models.PositiveSmallIntegerField(
        _("open orders per phone"),
        default=0,
        help_text=_("More open orders than this for one phone go to a supervisor's decision; "
                    "0: no limit."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("screening policy")
        verbose_name_plural = _("screening policies")

    def __str__(self) -> str:
        return str(self.store)


class BlacklistEntry(BaseModel):
    """A phone whose orders a supervisor decides on before anyone calls."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("phone"), max_length=20, help_text=_("E.164, e.g. +77011234567"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("blacklisted phone")
        verbose_name_plural = _("blacklisted phones")
        constraints = [
            models.UniqueConstraint(fields=["store", "phone"], name="screening_blacklist_unique")
        ]

    def __str__(self) -> str:
        return self.phone


class ScreeningDecision(models.TextChoices):
    NONE = "", _("Not held")
    PENDING = "pending", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OrderScreening(models.Model):
    """What intake found about an order: its risk score and the reasons, the order it may
    duplicate, and — for a held order — the supervisor's decision."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="screening")
    risk_score = models.PositiveSmallIntegerField(_("risk score"), default=0)
    # [{"code": "new_phone", "points": 10}, …]: the reasons, each with its share of the score
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=ScreeningDecision.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("order screening")
        verbose_name_plural = _("order screenings")
        # the supervisor's list of held orders: screening.selectors.orders_held
        indexes = [
            models.Index(
                fields=["decision"],
                condition=models.Q(decision="pending"),
                name="screening_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.risk_score}"
