"""Calls that stock opens (architecture: Catalog and stock): a customer waiting for a product
hears that it is back."""

from collections.abc import Sequence
from datetime import datetime

from orderdesk.catalog.models import StockSubscription
from orderdesk.orders.models import Order

from ..models import CallPurpose
from .tasks import call_task_open


def back_in_stock_calls_open(subscriptions: Sequence[StockSubscription], at: datetime) -> None:
    """One `back_in_stock` call per waiting order (the reason names the products); an order
    that is already closed for good is not called about."""
    skus_by_order: dict = {}
    for subscription in subscriptions:
        skus_by_order.setdefault(subscription.order_id, []).append(subscription.product.sku)
    orders = Order.objects.filter(pk__in=skus_by_order).select_related("store")
    for order in orders:
        reason = ", ".join(sorted(skus_by_order[order.pk]))
        call_task_open(order=order, purpose=CallPurpose.BACK_IN_STOCK, reason=reason, at=at)
