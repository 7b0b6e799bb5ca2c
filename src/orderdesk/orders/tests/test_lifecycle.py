import pytest
from django.db import IntegrityError, transaction

from orderdesk.core.errors import ApplicationError
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import (
    ORDER_TRANSITIONS,
    Order,
    OrderEvent,
    OrderStatus,
    StoreEvent,
)
from orderdesk.orders.services import (
    ORDER_CANCEL_REASON_MISSING,
    ORDER_TRANSITION_NOT_ALLOWED,
    order_status_change,
    order_update,
    orders_intake,
)

S = OrderStatus


@pytest.fixture
def order(store, make_payload):
    (result,) = orders_intake(store=store, payloads=[make_payload()], actor_label="test")
    return result.order


def _walk(order, *statuses):
    for status in statuses:
        order = order_status_change(
            order=order, to=status, actor_label="test", reason="r" if status == S.CANCELLED else ""
        )
    return order


def test_transition_table_covers_every_status():
    assert set(ORDER_TRANSITIONS) == set(S.values)
    assert ORDER_TRANSITIONS[S.CANCELLED] == ORDER_TRANSITIONS[S.RETURNED] == frozenset()
    assert S.CANCELLED not in ORDER_TRANSITIONS[S.SHIPPED]


def test_confirm_records_event_and_publishes(order, operator):
    confirmed = order_status_change(order=order, to=S.CONFIRMED, actor=operator)
    assert confirmed.status == S.CONFIRMED
    assert confirmed.confirmed_at is not None
    event = OrderEvent.objects.filter(order=order, type="status_changed").last()
    assert (event.actor, event.data) == (
        operator,
        {"from": S.AWAITING_CONFIRMATION, "to": S.CONFIRMED},
    )
    assert StoreEvent.objects.filter(order=order).last().type == StoreEventType.CONFIRMED


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.SHIPPED),
        ((), S.DELIVERED),
        ((S.CONFIRMED,), S.DELIVERED),
        ((S.CONFIRMED, S.IN_FULFILMENT, S.SHIPPED), S.CANCELLED),
        ((S.CONFIRMED, S.IN_FULFILMENT), S.RETURNED),
        ((S.CANCELLED,), S.CONFIRMED),
    ],
)
def test_refuses_illegal_moves_and_records_nothing(order, path, illegal):
    order = _walk(order, *path)
    events_before = OrderEvent.objects.count()
    published_before = StoreEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        order_status_change(order=order, to=illegal, actor_label="test", reason="x")
    assert refused.value.code == ORDER_TRANSITION_NOT_ALLOWED
    assert Order.objects.get(pk=order.pk).status == order.status
    assert (OrderEvent.objects.count(), StoreEvent.objects.count()) == (
        events_before,
        published_before,
    )


def test_cancel_needs_a_reason(order):
    with pytest.raises(ApplicationError) as refused:
        order_status_change(order=order, to=S.CANCELLED, actor_label="test", reason=" ")
    assert refused.value.code == ORDER_CANCEL_REASON_MISSING
    assert Order.objects.get(pk=order.pk).status == S.AWAITING_CONFIRMATION


def test_full_journey_to_delivered(order):
    order = _walk(order, S.CONFIRMED, S.IN_FULFILMENT, S.SHIPPED, S.DELIVERED)
    assert order.status == S.DELIVERED
    published = list(
        StoreEvent.objects.filter(order=order)
        .order_by("created_at", "id")
        .values_list("type", flat=True)
    )
    assert published == [
        StoreEventType.CREATED, StoreEventType.CONFIRMED, StoreEventType.IN_FULFILMENT,
        StoreEventType.SHIPPED, StoreEventType.DELIVERED,
    ]  # fmt: skip


def test_database_refuses_unknown_status(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status="lost")


def test_update_records_old_and_new_values(order, operator):
    order_update(order=order, changes={"intercom": "77", "floor": "6"}, actor=operator)
    event = OrderEvent.objects.filter(order=order, type="updated").get()
    assert event.data == {
        "changes": {"intercom": {"from": "25К", "to": "77"}, "floor": {"from": "5", "to": "6"}}
    }
    assert StoreEvent.objects.filter(order=order).last().type == StoreEventType.CHANGED
