"""Calls of every purpose go through the one queue: claimed together per customer, ordered by
the store's priorities, retried and closed by the same outcome code."""

from datetime import timedelta

import pytest

from orderdesk.calling.models import (
    CallingPolicy,
    CallPurpose,
    CallResult,
    CallTask,
    CallTaskState,
    QueueTier,
)
from orderdesk.calling.services import call_next_claim, call_outcome_record, call_task_open
from orderdesk.core.errors import ValidationFailed
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.services import order_status_change

from .conftest import NOW


@pytest.fixture
def problem_order(make_order, supervisor):
    """A confirmed order whose delivery went wrong: a delivery-problem call due 20 minutes ago."""

    def make(phone: str, minutes_ago: int = 20):
        order = make_order(phone=phone)
        order_status_change(order=order, to=OrderStatus.CONFIRMED, actor=supervisor)
        task = call_task_open(
            order=order, purpose=CallPurpose.DELIVERY_PROBLEM, reason="courier: no one home",
            due_at=NOW - timedelta(minutes=minutes_ago),
        )  # fmt: skip
        return order, task

    return make


def test_tasks_of_two_purposes_for_one_customer_come_in_one_lease(
    clock, make_order, problem_order, operator
):
    awaiting = make_order(phone="+77015550001")
    shipped, problem = problem_order("+77015550001")
    claim = call_next_claim(operator=operator)
    purposes = sorted((t.purpose, str(t.order_id)) for t in claim.tasks)
    assert purposes == sorted(
        [
            (CallPurpose.CONFIRMATION, str(awaiting.pk)),
            (CallPurpose.DELIVERY_PROBLEM, str(shipped.pk)),
        ]
    )
    assert set(claim.lease.order_ids) == {str(awaiting.pk), str(shipped.pk)}
    assert {o.pk for o in claim.orders} == {awaiting.pk, shipped.pk}
    problem.refresh_from_db()
    assert (problem.state, problem.lease_id) == (CallTaskState.IN_CALL, claim.lease.pk)


def test_default_priorities_put_new_confirmations_before_delivery_problems(
    clock, make_order, problem_order, operator
):
    _order, _problem = problem_order("+77015550002", minutes_ago=60)
    new = make_order(phone="+77015550003", next_call_at=NOW - timedelta(minutes=1))
    claim = call_next_claim(operator=operator)
    assert claim.lease.order_ids == [str(new.pk)]


def test_store_priorities_put_delivery_problems_first(
    clock, store, make_order, problem_order, operator
):
    CallingPolicy.objects.create(
        store=store, priorities=[QueueTier.DELIVERY_PROBLEMS, QueueTier.NEW_CONFIRMATIONS]
    )
    order, _problem = problem_order("+77015550004", minutes_ago=1)
    make_order(phone="+77015550005", next_call_at=NOW - timedelta(minutes=60))
    claim = call_next_claim(operator=operator)
    assert claim.lease.order_ids == [str(order.pk)]
    assert [t.purpose for t in claim.tasks] == [CallPurpose.DELIVERY_PROBLEM]


def test_a_delivery_problem_is_retried_and_then_resolved(clock, problem_order, operator):
    order, problem = problem_order("+77015550006")
    lease = call_next_claim(operator=operator).lease
    call_outcome_record(lease_id=lease.pk, operator=operator, result=CallResult.NO_ANSWER)
    problem.refresh_from_db()
    assert (problem.state, problem.attempts_count, problem.first_call_at) == (
        CallTaskState.QUEUED,
        1,
        NOW,
    )
    assert problem.due_at == NOW + timedelta(minutes=30)
    clock.move_to(problem.due_at)
    lease = call_next_claim(operator=operator).lease
    call_outcome_record(lease_id=lease.pk, operator=operator, result=CallResult.RESOLVED)
    problem.refresh_from_db()
    assert (problem.state, problem.attempts_count, problem.closed_at) == (
        CallTaskState.DONE,
        2,
        NOW + timedelta(minutes=30),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_resolved_cannot_skip_an_order_awaiting_confirmation(
    clock, make_order, problem_order, operator
):
    awaiting = make_order(phone="+77015550007")
    problem_order("+77015550007")
    lease = call_next_claim(operator=operator).lease
    with pytest.raises(ValidationFailed) as refused:
        call_outcome_record(lease_id=lease.pk, operator=operator, result=CallResult.RESOLVED)
    assert [e["field"] for e in refused.value.errors] == [f"orders[{awaiting.pk}]"]
    assert CallTask.objects.filter(lease=lease, state=CallTaskState.IN_CALL).count() == 2


def test_api_next_lists_the_tasks_and_the_order_its_open_tasks(
    clock, make_order, problem_order, operator_api
):
    awaiting = make_order(phone="+77015550008")
    shipped, problem = problem_order("+77015550008")
    answer = operator_api.post("/api/v1/calls/next").json()
    assert sorted(t["purpose"] for t in answer["tasks"]) == ["confirmation", "delivery_problem"]
    assert {t["order_id"] for t in answer["tasks"]} == {str(awaiting.pk), str(shipped.pk)}
    by_id = {o["id"]: o for o in answer["orders"]}
    assert by_id[str(awaiting.pk)]["queue_state"] == "in_call"
    assert by_id[str(shipped.pk)]["queue_state"] is None
    assert by_id[str(shipped.pk)]["tasks"] == [
        {
            "id": str(problem.pk),
            "purpose": "delivery_problem",
            "state": "in_call",
            "due_at": (NOW - timedelta(minutes=20)).isoformat(),
            "reason": "courier: no one home",
        }
    ]


def test_an_unreachable_delivery_problem_is_given_up_without_touching_the_order(
    clock, problem_order, supervisor
):
    from orderdesk.calling.services import UnreachableDecision, order_unreachable_decide

    order, problem = problem_order("+77015550009")
    CallTask.objects.filter(pk=problem.pk).update(state=CallTaskState.UNREACHABLE, due_at=None)
    order_unreachable_decide(
        order=order, decision=UnreachableDecision.CANCEL, supervisor=supervisor,
        reason="changed_mind",
    )  # fmt: skip
    problem.refresh_from_db()
    order.refresh_from_db()
    assert (problem.state, order.status) == (CallTaskState.CANCELLED, OrderStatus.CONFIRMED)
