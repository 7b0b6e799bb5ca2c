"""Dispatches: the confirmed orders of one carrier and delivery date, handed to the warehouse
and the carrier together (architecture: Fulfilment)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import uuid7


class Dispatch(models.Model):
    """One batch for the warehouse and the carrier; its documents are built from its orders."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Indexed by (store, created_at) below, which leads with it.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="dispatches", db_index=False
    )
    carrier = models.ForeignKey(
        "delivery.Carrier", on_delete=models.PROTECT, related_name="dispatches", db_index=False
    )
    delivery_on = models.DateField(_("delivery date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_by_label = models.CharField(_("dispatched by"), max_length=100)
    created_at = models.DateTimeField(_("dispatched at"))
    orders = models.ManyToManyField(
        "orders.Order", through="DispatchOrder", related_name="dispatches"
    )

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-created_at"]
        indexes = [
            # the supervisor's screen: a store's dispatches, newest first
            models.Index(fields=["store", "-created_at"], name="fulfilment_dispatch_store_idx")
        ]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.delivery_on:%Y-%m-%d}"


class DispatchOrder(models.Model):
    """An order in a dispatch. The order is unique here: an order is dispatched once, and the
    database refuses a second row even if two dispatches raced past the status check."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="entries")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="dispatch_entry"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id} · {self.order_id}"
