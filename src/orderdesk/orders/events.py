"""The store events the outbox carries: one name per event, the `type` a webhook delivers.

One enum for the producers (the services that write `StoreEvent` rows), the webhook subscription
check and the API schemas, so a store can subscribe to exactly the events that are published.
The values are a stable interface (architecture: Interfaces): add members, never rename one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreEventType(models.TextChoices):
    CREATED = "order.created", _("Order created")
    CONFIRMED = "order.confirmed", _("Order confirmed")
    CANCELLED = "order.cancelled", _("Order cancelled")
    CHANGED = "order.changed", _("Order changed")
    SHIPPED = "order.shipped", _("Order shipped")
    DELIVERED = "order.delivered", _("Order delivered")
    RETURNED = "order.returned", _("Order returned")
    IN_FULFILMENT = "order.in_fulfilment", _("Order in fulfilment")
    DELIVERY_PROBLEM = "order.delivery_problem", _("Delivery problem")
    FEEDBACK = "order.feedback", _("Customer feedback")
