"""Item and phone edits made during a call: total, timeline and store outbox move together."""

from decimal import Decimal

import pytest

from orderdesk.catalog.models import Category, Product
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import OrderEvent, OrderEventType, OrderStatus, StoreEvent
from orderdesk.orders.services import (
    ITEM_LAST_ONE,
    ITEM_NOT_FOUND,
    ITEM_QUANTITY_INVALID,
    ORDER_NOT_EDITABLE,
    PHONE_INVALID,
    PRODUCT_NOT_AVAILABLE,
    customer_phone_add,
    order_item_add,
    order_item_quantity_set,
    order_item_remove,
    order_status_change,
    orders_intake,
)
from orderdesk.stores.services import store_create

ITEMS = [
    {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"},
    {"sku": "KTL-1", "name": "Чайник", "quantity": 2, "price": "10000.00"},
]


@pytest.fixture
def order(store, make_payload):
    (result,) = orders_intake(store=store, payloads=[make_payload(items=ITEMS)], actor_label="test")
    assert result.errors == [], result.errors
    return result.order


def _events(order, type_):
    return list(OrderEvent.objects.filter(order=order, type=type_).order_by("id"))


def _changed(order) -> int:
    return StoreEvent.objects.filter(order=order, type=StoreEventType.CHANGED).count()


def _snapshot(order):
    order.refresh_from_db()
    items = [(i.sku, i.quantity) for i in order.items.order_by("position")]
    return items, order.total, OrderEvent.objects.filter(order=order).count(), _changed(order)


def test_quantity_change_updates_total_timeline_and_store(order, operator):
    kettle = order.items.get(sku="KTL-1")
    order_item_quantity_set(order=order, item_id=kettle.pk, quantity=3, actor=operator)
    order.refresh_from_db()
    assert order.total == Decimal("289990.00")
    [event] = _events(order, OrderEventType.ITEM_CHANGED)
    assert (event.actor, event.data) == (
        operator,
        {"sku": "KTL-1", "name": "Чайник", "quantity": {"from": 2, "to": 3}},
    )
    assert _changed(order) == 1
    assert StoreEvent.objects.get(order=order, type=StoreEventType.CHANGED).payload["total"] == (
        "289990.00"
    )


def test_same_quantity_records_nothing(order, operator):
    kettle = order.items.get(sku="KTL-1")
    before = _snapshot(order)
    order_item_quantity_set(order=order, item_id=kettle.pk, quantity=2, actor=operator)
    assert _snapshot(order) == before


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_below_one_is_refused(order, operator, quantity):
    kettle = order.items.get(sku="KTL-1")
    before = _snapshot(order)
    with pytest.raises(ApplicationError) as refused:
        order_item_quantity_set(order=order, item_id=kettle.pk, quantity=quantity, actor=operator)
    assert (refused.value.code, refused.value.status_code) == (ITEM_QUANTITY_INVALID, 422)
    assert _snapshot(order) == before


def test_item_of_another_order_is_not_found(order, operator, store, make_payload):
    (other,) = orders_intake(store=store, payloads=[make_payload("A-2")], actor_label="test")
    foreign = other.order.items.get()
    before = _snapshot(order)
    with pytest.raises(ApplicationError) as refused:
        order_item_remove(order=order, item_id=foreign.pk, actor=operator)
    assert (refused.value.code, refused.value.status_code) == (ITEM_NOT_FOUND, 404)
    assert _snapshot(order) == before
    assert other.order.items.count() == 1


def test_remove_updates_total_timeline_and_store(order, operator):
    kettle = order.items.get(sku="KTL-1")
    order_item_remove(order=order, item_id=kettle.pk, actor=operator)
    order.refresh_from_db()
    assert [i.sku for i in order.items.all()] == ["HRF-450"]
    assert order.total == Decimal("259990.00")
    [event] = _events(order, OrderEventType.ITEM_REMOVED)
    assert event.data == {"sku": "KTL-1", "name": "Чайник", "quantity": 2}
    assert _changed(order) == 1


def test_last_item_cannot_be_removed(order, operator):
    order.items.filter(sku="KTL-1").delete()
    fridge = order.items.get()
    before = _snapshot(order)
    with pytest.raises(ApplicationError) as refused:
        order_item_remove(order=order, item_id=fridge.pk, actor=operator)
    assert refused.value.code == ITEM_LAST_ONE
    assert _snapshot(order) == before


def test_add_takes_the_catalogue_price_and_marks_the_item(order, operator, store):
    irons = Category.objects.create(store=store, code="irons", name="Утюги")
    iron = Product.objects.create(
        store=store, sku="IRN-2", name="Утюг", price="15000.00", category=irons
    )
    item = order_item_add(order=order, product_id=iron.pk, quantity=2, actor=operator)
    assert (item.sku, item.name, item.quantity, item.price) == (
        "IRN-2",
        "Утюг",
        2,
        Decimal("15000.00"),
    )
    assert (item.category, item.added_by_operator) == ("irons", True)
    assert [i.sku for i in order.items.all()] == ["HRF-450", "KTL-1", "IRN-2"]
    order.refresh_from_db()
    assert order.total == Decimal("309990.00")
    [event] = _events(order, OrderEventType.ITEM_ADDED)
    assert event.data == {"sku": "IRN-2", "name": "Утюг", "quantity": 2, "price": "15000.00"}
    assert _changed(order) == 1


def test_add_refuses_another_stores_or_inactive_product(order, operator, store):
    other_store, _ = store_create(name="Другой", slug="other2")
    alien = Product.objects.create(store=other_store, sku="ALN", name="Чужой", price="1.00")
    retired = Product.objects.create(
        store=store, sku="OLD", name="Снят", price="1.00", is_active=False
    )
    before = _snapshot(order)
    for product in (alien, retired):
        with pytest.raises(ApplicationError) as refused:
            order_item_add(order=order, product_id=product.pk, quantity=1, actor=operator)
        assert (refused.value.code, refused.value.status_code) == (PRODUCT_NOT_AVAILABLE, 422)
    assert _snapshot(order) == before


def test_add_refuses_zero_quantity(order, operator, store):
    iron = Product.objects.create(store=store, sku="IRN-2", name="Утюг", price="15000.00")
    before = _snapshot(order)
    with pytest.raises(ApplicationError) as refused:
        order_item_add(order=order, product_id=iron.pk, quantity=0, actor=operator)
    assert refused.value.code == ITEM_QUANTITY_INVALID
    assert _snapshot(order) == before


def test_confirmed_order_items_are_not_edited(order, operator, store):
    order = order_status_change(order=order, to=OrderStatus.CONFIRMED, actor=operator)
    kettle = order.items.get(sku="KTL-1")
    iron = Product.objects.create(store=store, sku="IRN-2", name="Утюг", price="15000.00")
    before = _snapshot(order)
    edits = [
        lambda: order_item_quantity_set(order=order, item_id=kettle.pk, quantity=5, actor=operator),
        lambda: order_item_remove(order=order, item_id=kettle.pk, actor=operator),
        lambda: order_item_add(order=order, product_id=iron.pk, quantity=1, actor=operator),
        lambda: customer_phone_add(order=order, phone="+77051112233", actor=operator),
    ]
    for edit in edits:
        with pytest.raises(ApplicationError) as refused:
            edit()
        assert (refused.value.code, refused.value.status_code) == (ORDER_NOT_EDITABLE, 409)
    assert _snapshot(order) == before
    order.customer.refresh_from_db()
    assert order.customer.additional_phones == []


def test_phone_add_normalises_in_the_stores_region_once(order, operator):
    customer_phone_add(order=order, phone="8 (705) 111-22-33", actor=operator)
    customer_phone_add(order=order, phone="+7 705 111 22 33", actor=operator)
    customer_phone_add(order=order, phone=order.customer.phone, actor=operator)
    order.customer.refresh_from_db()
    assert order.customer.additional_phones == ["+77051112233"]
    [event] = [
        e
        for e in _events(order, OrderEventType.UPDATED)
        if "additional_phones" in e.data["changes"]
    ]
    assert event.data == {"changes": {"additional_phones": {"from": None, "to": "+77051112233"}}}
    assert _changed(order) == 1


def test_invalid_phone_is_refused(order, operator):
    before = _snapshot(order)
    with pytest.raises(ApplicationError) as refused:
        customer_phone_add(order=order, phone="123", actor=operator)
    assert (refused.value.code, refused.value.status_code) == (PHONE_INVALID, 422)
    assert _snapshot(order) == before
    order.customer.refresh_from_db()
    assert order.customer.additional_phones == []
