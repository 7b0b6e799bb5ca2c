"""Confirmed orders of one carrier and date, ready for a dispatch."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from orderdesk.delivery.models import Carrier

# The real webhook receiver on 127.0.0.1 of the integrations tests.
from orderdesk.integrations.tests.conftest import allow_local, endpoint, receiver  # noqa: F401
from orderdesk.orders.models import Customer, Order, OrderItem, OrderStatus

DELIVERY_ON = date(2026, 11, 26)
_numbers = itertools.count(1)


def confirmed_order_make(*, store, carrier, delivery_on=DELIVERY_ON, **fields) -> Order:
    number = next(_numbers)
    customer, _ = Customer.objects.get_or_create(
        store=store,
        phone=f"+7701{number:07d}",
        defaults={"name": "Айгүл Сейітова", "additional_phones": ["+77021234567"]},
    )
    defaults = {
        "external_id": f"D-{number:03d}",
        "status": OrderStatus.CONFIRMED,
        "payment_method": "cash_on_delivery",
        "locality_name": "Алматы",
        "timezone": "Asia/Almaty",
        "street": "Абая",
        "house": "10",
        "apartment": "25",
        "entrance": "2",
        "floor": "5",
        "intercom": "25К",
        "elevator": "freight",
        "time_wish": "10:00–14:00",
        "delivery_comment": "Позвонить за час",
        "total": Decimal("259990.00"),
    }
    order = Order.objects.create(
        store=store, customer=customer, carrier=carrier, delivery_on=delivery_on,
        **(defaults | fields),
    )  # fmt: skip
    OrderItem.objects.create(
        order=order, sku="SOFA-1", name="Диван «Уют»", quantity=1, price=Decimal("199990.00"),
        attributes={"ткань": "велюр"}, position=1,
    )  # fmt: skip
    OrderItem.objects.create(
        order=order, sku="LAMP-2", name="Торшер", quantity=2, price=Decimal("30000.00"),
        position=2,
    )  # fmt: skip
    return order


@pytest.fixture
def carrier(db) -> Carrier:
    return Carrier.objects.get(code="garanta")


@pytest.fixture
def make_confirmed(store, carrier):
    def make(**fields) -> Order:
        fields.setdefault("store", store)
        fields.setdefault("carrier", carrier)
        return confirmed_order_make(**fields)

    return make
