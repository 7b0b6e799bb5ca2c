"""A customer who will wait for a product short of stock (architecture: Catalog and stock)."""

from django.db import transaction

from orderdesk.accounts.models import User
from orderdesk.catalog.models import Product
from orderdesk.catalog.services import stock_subscribe
from orderdesk.core.errors import ApplicationError

from ..models import Order, OrderEventType
from .lifecycle import order_event_record

PRODUCT_NOT_FOLLOWED = "product_not_followed"


def order_back_in_stock_subscribe(*, order: Order, sku: str, actor: User | None) -> None:
    """The customer wants a call when `sku` is back; recorded on the order's timeline. A SKU
    the store's catalogue does not have cannot be followed (422)."""
    product = Product.objects.filter(store_id=order.store_id, sku=sku).first()
    if product is None:
        raise ApplicationError(
            PRODUCT_NOT_FOLLOWED, "sku: not a product of this store's catalogue", status_code=422
        )
    with transaction.atomic():
        stock_subscribe(product=product, order_id=order.pk)
        order_event_record(
            order=order, type=OrderEventType.NOTE, actor=actor, data={"back_in_stock": sku}
        )
