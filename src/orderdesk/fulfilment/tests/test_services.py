"""A dispatch takes the confirmed orders of one carrier and date, once."""

from datetime import timedelta

import pytest

from orderdesk.core.errors import ApplicationError
from orderdesk.fulfilment.models import Dispatch, DispatchOrder
from orderdesk.fulfilment.services import DISPATCH_EMPTY, dispatch_create
from orderdesk.orders.models import OrderEvent, OrderStatus, StoreEvent
from orderdesk.stores.services import store_create

from .conftest import DELIVERY_ON


def test_dispatch_moves_the_confirmed_orders_of_the_carrier_and_date(
    make_confirmed, store, carrier, supervisor
):
    first, second = make_confirmed(), make_confirmed()
    other_day = make_confirmed(delivery_on=DELIVERY_ON + timedelta(days=1))
    awaiting = make_confirmed(status=OrderStatus.AWAITING_CONFIRMATION)
    dispatch = dispatch_create(
        store=store, carrier=carrier, delivery_on=DELIVERY_ON, actor=supervisor
    )
    assert [e.order_id for e in dispatch.entries.all()] == [first.pk, second.pk]
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_FULFILMENT
        event = OrderEvent.objects.get(order=order, type="status_changed")
        assert event.data == {
            "from": "confirmed",
            "to": "in_fulfilment",
            "dispatch": str(dispatch.pk),
        }
        assert event.actor == supervisor
        published = StoreEvent.objects.get(order=order, type="order.in_fulfilment")
        assert published.payload["status"] == "in_fulfilment"
    for order in (other_day, awaiting):
        status = order.status
        order.refresh_from_db()
        assert order.status == status


def test_an_order_is_not_dispatched_twice(make_confirmed, store, carrier):
    order = make_confirmed()
    dispatch_create(store=store, carrier=carrier, delivery_on=DELIVERY_ON, actor_label="store:x")
    with pytest.raises(ApplicationError) as refused:
        dispatch_create(store=store, carrier=carrier, delivery_on=DELIVERY_ON)
    assert refused.value.code == DISPATCH_EMPTY
    assert refused.value.status_code == 409
    assert Dispatch.objects.count() == 1
    assert DispatchOrder.objects.filter(order=order).count() == 1


def test_dispatch_takes_only_its_own_stores_orders(make_confirmed, store, carrier):
    other, _ = store_create(name="Другой", slug="other-shop")
    foreign = make_confirmed(store=other)
    with pytest.raises(ApplicationError):
        dispatch_create(store=store, carrier=carrier, delivery_on=DELIVERY_ON)
    foreign.refresh_from_db()
    assert foreign.status == OrderStatus.CONFIRMED
    assert not Dispatch.objects.exists()
