from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.fields import BulkJSONField
from orderdesk.core.models import BaseModel, uuid7


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_FULFILMENT = "in_fulfilment", _("In fulfilment")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


S = OrderStatus
# The only moves a status may make (architecture: Statuses). Guarded in services, enforced for values by a constraint.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.AWAITING_CONFIRMATION, S.CANCELLED}),
    S.AWAITING_CONFIRMATION: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_FULFILMENT, S.SHIPPED, S.CANCELLED}),
    S.IN_FULFILMENT: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset({S.RETURNED}),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}
OPEN_STATUSES = frozenset({S.NEW, S.AWAITING_CONFIRMATION, S.CONFIRMED, S.IN_FULFILMENT})


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    KASPI = "kaspi", _("Kaspi")
    MARKETPLACE = "marketplace", _("Marketplace")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger")


class PaymentMethod(models.TextChoices):
    CASH_ON_DELIVERY = "cash_on_delivery", _("Cash on delivery")
    CARD_ON_DELIVERY = "card_on_delivery", _("Card on delivery")
    PREPAID = "prepaid", _("Prepaid online")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    INSTALLMENT = "installment", _("Installment")
    CREDIT = "credit", _("Credit")


class Elevator(models.TextChoices):
    NONE = "none", _("No elevator")
    PASSENGER = "passenger", _("Passenger elevator")
    FREIGHT = "freight", _("Freight elevator")


class Customer(BaseModel):
    """The person who ordered, one per store and phone: their orders are called together."""

    # Indexed by the (store, phone) unique constraint, which leads with it.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    phone = models.CharField(_("phone"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="ru")
    additional_phones = models.JSONField(_("additional phones"), default=list, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "phone"], name="orders_customer_store_phone_unique"
            )
        ]
        indexes = [
            # calling: the minimum gap between calls to one phone, across stores
            models.Index(fields=["phone"], name="orders_customer_phone_idx")
        ]

    def __str__(self) -> str:
        return self.name or "—"


class Order(BaseModel):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No index of their own: (store, external_id) and (customer, status) lead with them.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    external_id = models.CharField(_("store's order number"), max_length=100)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.WEBSITE
    )
    status = models.CharField(
        _("status"), max_length=32, choices=OrderStatus.choices, default=S.NEW
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, default="ru")
    # The customer as this order gave them: a later order from the same phone may give another
    # name or e-mail, and each order keeps its own (the Customer row keeps the first).
    customer_name = models.CharField(_("customer's name"), max_length=200, blank=True)
    customer_email = models.EmailField(_("customer's e-mail"), blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=200, blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    payment_method = models.CharField(_("payment"), max_length=32, choices=PaymentMethod.choices)
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    comment = models.TextField(_("customer comment"), blank=True)
    # Delivery address, as structured as the customer and operator made it.
    # No index on locality or carrier: orders are never looked up by them (reports go by store
    # and time), and every call's queue moves would write into both; deleting a locality or a
    # carrier, which reference data never does, would scan orders for the PROTECT check.
    locality = models.ForeignKey(
        "delivery.Locality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    locality_name = models.CharField(_("locality as given"), max_length=200)
    address_line = models.TextField(_("address as given"), blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house = models.CharField(_("house"), max_length=50, blank=True)
    apartment = models.CharField(_("apartment"), max_length=50, blank=True)
    entrance = models.CharField(_("entrance"), max_length=50, blank=True)
    floor = models.CharField(_("floor"), max_length=50, blank=True)
    intercom = models.CharField(_("intercom"), max_length=50, blank=True)
    elevator = models.CharField(
        _("elevator"), max_length=10, choices=Elevator.choices, default=Elevator.NONE
    )
    is_out_of_city = models.BooleanField(_("outside the city"), default=False)
    needs_address_check = models.BooleanField(_("address needs checking"), default=False)
    delivery_comment = models.TextField(_("comment for the courier"), blank=True)
    time_wish = models.CharField(_("delivery time wish"), max_length=200, blank=True)
    timezone = models.CharField(_("customer's time zone"), max_length=64)
    carrier = models.ForeignKey(
        "delivery.Carrier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    requested_delivery_on = models.DateField(_("requested delivery date"), null=True, blank=True)
    earliest_delivery_on = models.DateField(
        _("earliest possible delivery date"), null=True, blank=True
    )
    delivery_on = models.DateField(_("agreed delivery date"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The customer's personal data in this order was erased (on request, or by retention).
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "external_id"], name="orders_order_store_external_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values), name="orders_order_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=S.CANCELLED) | ~models.Q(cancel_reason=""),
                name="orders_order_cancel_has_reason",
            ),
        ]
        indexes = [
            # GET /orders?updated_since=… (newest change first), per store
            models.Index(fields=["store", "-updated_at"], name="orders_store_updated_idx"),
            # the customer's other open orders
            models.Index(fields=["customer", "status"], name="orders_customer_status_idx"),
            # retention: the finished orders whose personal data is still held, oldest first
            models.Index(
                fields=["store", "status_changed_at"],
                condition=models.Q(
                    erased_at__isnull=True, status__in=["delivered", "returned", "cancelled"]
                ),
                name="orders_retention_idx",
            ),
            # reports (reports/kpis.py): orders that came in, were confirmed, or were decided
            # or ended in a period, per store. The last two are partial: an order enters them
            # once, late in its life, so the queue's many updates of waiting orders skip them.
            models.Index(fields=["store", "created_at"], name="orders_report_created_idx"),
            models.Index(
                fields=["store", "confirmed_at"],
                condition=models.Q(confirmed_at__isnull=False),
                name="orders_report_confirmed_idx",
            ),
            models.Index(
                fields=["store", "status_changed_at"],
                condition=models.Q(status__in=["cancelled", "delivered", "returned"]),
                name="orders_report_ended_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def customer_shown_name(self) -> str:
        """The name this order gave (orders made before it was kept per order: the customer's)."""
        return self.customer_name or self.customer.name

    def can_transition_to(self, status: str) -> bool:
        return status in ORDER_TRANSITIONS[self.status]


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    category = models.CharField(_("category"), max_length=80, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    attributes = BulkJSONField(_("attributes"), default=dict, blank=True)
    added_by_operator = models.BooleanField(_("added during the call"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="orders_item_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="orders_item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class OrderEventType(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    QUEUE_CHANGED = "queue_changed", _("Queue state changed")  # a call task moved
    UPDATED = "updated", _("Changed")
    ITEM_ADDED = "item_added", _("Item added")
    ITEM_CHANGED = "item_changed", _("Item changed")
    ITEM_REMOVED = "item_removed", _("Item removed")
    CALL_ATTEMPT = "call_attempt", _("Call attempt")
    NOTE = "note", _("Note")
    MESSAGE = "message", _("Message")
    ADDRESS_CHECKED = "address_checked", _("Address check answered")
    VIEWED = "viewed", _("Personal data viewed")
    ERASED = "erased", _("Personal data erased")


class ViewedVia(models.TextChoices):
    """Where a staff member saw a customer's personal data (the `via` of a `viewed` event)."""

    DESK = "desk", _("Call card")
    ORDER_PAGE = "order_page", _("Order page")
    HISTORY = "history", _("Call history")
    ADMIN = "admin", _("Admin site")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    SEARCH = "search", _("Search")


class OrderEvent(models.Model):
    """The order's timeline: who did what, when, and why. Written in the same transaction."""

    # Written on every change of every order: no index of its own where Meta.indexes has one
    # leading with the column (the timeline's), the actor indexed only where set.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(max_length=32, choices=OrderEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=100, blank=True)
    data = BulkJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "created_at"], name="orders_event_order_time_idx"),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="orders_event_actor_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M}"


class StoreEvent(models.Model):
    """Outbox: what a store must hear about, written in the transaction of the change itself.

    The id is the event's stable identity (the `webhook-id` of every delivery of it)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # The store's column is indexed by Meta.indexes (store, created_at) only.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    # Not indexed: the outbox is read by store and time; nothing looks events up by order.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="store_events", db_index=False
    )
    type = models.CharField(max_length=40)
    payload = BulkJSONField()
    created_at = models.DateTimeField(db_index=False)

    class Meta:
        indexes = [
            models.Index(fields=["store", "created_at"], name="orders_storeevent_store_idx")
        ]  # replay since

    def __str__(self) -> str:
        return f"{self.type} {self.order_id}"
