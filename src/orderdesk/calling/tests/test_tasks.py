"""Call tasks: opened with the order, closed by its status, moved all or none, one per purpose."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Q

from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.calling.services import (
    CALL_TASK_PURPOSE_INVALID,
    ORDER_QUEUE_CONFLICT,
    call_task_open,
    tasks_move,
)
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderStatus
from orderdesk.orders.services import order_status_change, orders_intake

from .conftest import NOW, task_of


def test_intake_opens_one_confirmation_task_due_at_once(store, make_payload):
    (result,) = orders_intake(store=store, payloads=[make_payload("TK-1")], actor_label="test")
    task = CallTask.objects.get(order=result.order)
    assert (task.purpose, task.state, task.attempts_count, task.timezone, task.language) == (
        CallPurpose.CONFIRMATION,
        CallTaskState.QUEUED,
        0,
        result.order.timezone,
        result.order.language,
    )
    assert task.due_at == task.created_at


def test_status_change_closes_the_confirmation_task(clock, make_order, operator):
    confirmed, cancelled = make_order(), make_order()
    order_status_change(order=confirmed, to=OrderStatus.CONFIRMED, actor=operator)
    order_status_change(order=cancelled, to=OrderStatus.CANCELLED, actor=operator, reason="other")
    assert (task_of(confirmed).state, task_of(confirmed).closed_at) == (CallTaskState.DONE, NOW)
    assert task_of(cancelled).state == CallTaskState.CANCELLED


def test_database_refuses_a_task_in_a_call_without_a_lease(clock, make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        CallTask.objects.filter(order=order).update(state=CallTaskState.IN_CALL)


def test_second_open_task_of_one_purpose_is_the_first(clock, make_order, supervisor):
    order = make_order()
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor=supervisor)
    first = call_task_open(order=order, purpose=CallPurpose.FEEDBACK, reason="delivered")
    again = call_task_open(order=order, purpose=CallPurpose.FEEDBACK, reason="again")
    assert again.pk == first.pk
    assert CallTask.objects.filter(order=order, purpose=CallPurpose.FEEDBACK).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CallTask.objects.create(
            store=order.store, customer=order.customer, order=order,
            purpose=CallPurpose.FEEDBACK, timezone=order.timezone, created_at=NOW,
        )  # fmt: skip


def test_a_confirmation_is_not_opened_by_hand(clock, make_order):
    order = make_order()
    with pytest.raises(ApplicationError) as refused:
        call_task_open(order=order, purpose=CallPurpose.CONFIRMATION)
    assert refused.value.code == CALL_TASK_PURPOSE_INVALID
    assert CallTask.objects.filter(order=order).count() == 1


def test_opening_a_task_is_on_the_orders_timeline(clock, make_order, supervisor):
    order = make_order()
    due = NOW + timedelta(hours=1)
    task = call_task_open(
        order=order, purpose=CallPurpose.DELIVERY_PROBLEM, reason="courier", due_at=due,
        actor=supervisor,
    )  # fmt: skip
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.actor_id, event.data) == (
        supervisor.pk,
        {
            "task": str(task.pk),
            "purpose": CallPurpose.DELIVERY_PROBLEM,
            "from": None,
            "to": CallTaskState.QUEUED,
            "next_call_at": due.isoformat(),
            "reason": "courier",
        },
    )


# Outside a test transaction: only there can a missing transaction show.
@pytest.mark.django_db(transaction=True)
def test_a_move_that_finds_one_task_taken_moves_none(store, make_payload):
    """Outside any transaction of the caller's: the tasks the UPDATE did move are put back when
    another one no longer matched, and no event is kept."""
    results = orders_intake(
        store=store, payloads=[make_payload("QM-1"), make_payload("QM-2")], actor_label="test"
    )
    first, second = (CallTask.objects.get(order=result.order) for result in results)
    CallTask.objects.filter(pk=second.pk).update(state=CallTaskState.PENDING_CHECK)
    events_before = OrderEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        tasks_move(
            tasks=[first, second],
            state=CallTaskState.CALLBACK,
            only_if=Q(state=CallTaskState.QUEUED),
            actor_label="test",
        )
    assert refused.value.code == ORDER_QUEUE_CONFLICT
    assert CallTask.objects.get(pk=first.pk).state == CallTaskState.QUEUED
    assert OrderEvent.objects.count() == events_before
