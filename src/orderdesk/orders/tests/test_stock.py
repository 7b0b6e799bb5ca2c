"""An order's hold on stock follows its status: taken at confirmation, dropped on cancel,
shipping or return; a confirmation that needs more than is available changes nothing."""

import pytest
from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product, Reservation
from orderdesk.catalog.services import STOCK_INSUFFICIENT
from orderdesk.core.errors import ValidationFailed
from orderdesk.orders.models import OrderEvent, OrderStatus, StoreEvent
from orderdesk.orders.services import order_status_change, orders_intake

ITEMS = [
    {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"},
    {"sku": "KTL-1", "name": "Чайник", "quantity": 2, "price": "10000.00"},
    {"sku": "NOT-IN-CATALOG", "name": "Подарок", "quantity": 1, "price": "0.00"},
]


@pytest.fixture
def order(store, make_payload):
    Product.objects.create(store=store, sku="HRF-450", name="Холодильник", price="259990.00",
                           stock_quantity=3)  # fmt: skip
    Product.objects.create(store=store, sku="KTL-1", name="Чайник", price="10000.00",
                           stock_quantity=2)  # fmt: skip
    (result,) = orders_intake(store=store, payloads=[make_payload(items=ITEMS)], actor_label="t")
    return result.order


def _held(order) -> list[tuple[str, int]]:
    rows = Reservation.objects.filter(order_id=order.pk).order_by("product__sku")
    return list(rows.values_list("product__sku", "quantity"))


def test_confirm_holds_and_cancel_releases(order, operator):
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor=operator)
    assert _held(order) == [("HRF-450", 1), ("KTL-1", 2)]
    order_status_change(order=order, to=OrderStatus.CANCELLED, actor=operator, reason="передумал")
    assert _held(order) == []


def test_shipping_releases_the_hold(order, operator):
    for status in (OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT):
        order_status_change(order=order, to=status, actor=operator)
    assert _held(order) == [("HRF-450", 1), ("KTL-1", 2)]
    order_status_change(order=order, to=OrderStatus.SHIPPED, actor=operator)
    assert _held(order) == []


def test_confirmation_short_of_stock_is_refused_and_changes_nothing(order, operator, store):
    Product.objects.filter(store=store, sku="KTL-1").update(stock_quantity=1)
    events = OrderEvent.objects.count(), StoreEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        order_status_change(order=order, to=OrderStatus.CONFIRMED, actor=operator)
    assert refused.value.errors == [
        {"field": f"orders[{order.pk}].items[1]", "code": STOCK_INSUFFICIENT,
         "message": _("%(sku)s: %(needed)s needed, %(available)s available.")
         % {"sku": "KTL-1", "needed": 2, "available": 1}, "sku": "KTL-1", "available": 1},
    ]  # fmt: skip
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION
    assert _held(order) == []
    assert (OrderEvent.objects.count(), StoreEvent.objects.count()) == events
