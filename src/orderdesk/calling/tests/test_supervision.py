from datetime import timedelta

import pytest

from orderdesk.accounts.services import user_api_token_issue, user_create
from orderdesk.calling.models import (
    CallAttempt,
    CallResult,
    CallTaskState,
    Lease,
    LeaseEnd,
    OperatorState,
)
from orderdesk.calling.selectors import operator_state_current
from orderdesk.calling.services import (
    LEASE_NOT_LIVE,
    OPERATOR_NOT_ELIGIBLE,
    ORDER_IN_CALL,
    ORDER_NOT_UNREACHABLE,
    UNREACHABLE_DECISION_INVALID,
    UnreachableDecision,
    call_next_claim,
    lease_reassign,
    lease_release,
    leases_expire,
    operator_state_set,
    order_call_requeue,
    order_unreachable_decide,
)
from orderdesk.conftest import ApiClient
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderEventType, OrderStatus, StoreEvent
from orderdesk.orders.services import ORDER_CANCEL_REASON_MISSING
from orderdesk.stores.services import store_create

from .conftest import NOW, fresh, task_of


def test_supervisor_requeues_unreachable_order_for_an_operator(
    clock, make_order, supervisor, operator, operator2
):
    order = make_order(queue_state=CallTaskState.UNREACHABLE, next_call_at=None)
    order_call_requeue(order=order, actor=supervisor, callback_user=operator2)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at, moved.callback_user_id) == (
        CallTaskState.CALLBACK,
        NOW,
        operator2.pk,
    )
    assert call_next_claim(operator=operator) is None
    assert call_next_claim(operator=operator2).lease.order_ids == [str(order.pk)]
    event = OrderEvent.objects.filter(order=order, type=OrderEventType.QUEUE_CHANGED).first()
    assert (event.actor_id, event.data["from"], event.data["reason"]) == (
        supervisor.pk,
        "unreachable",
        "supervisor",
    )


def test_requeue_leaves_an_order_in_a_call_alone(clock, make_order, supervisor, operator):
    order = make_order()
    call_next_claim(operator=operator)
    with pytest.raises(ApplicationError) as refused:
        order_call_requeue(order=order, actor=supervisor)
    assert refused.value.code == ORDER_IN_CALL
    assert fresh(order).queue_state == CallTaskState.IN_CALL


def test_requeue_api_for_supervisors_only(clock, make_order, supervisor, operator_api):
    order = make_order(queue_state=CallTaskState.UNREACHABLE, next_call_at=None)
    path = f"/api/v1/calls/orders/{order.pk}/requeue"
    assert operator_api.post(path, {}).status_code == 403
    api = ApiClient(user_api_token_issue(user=supervisor))
    later = NOW + timedelta(hours=2)
    response = api.post(path, {"next_call_at": later.isoformat()})
    assert response.status_code == 200
    assert response.json()["queue_state"] == "queued"
    assert fresh(order).next_call_at == later


# Releasing and reassigning a call, deciding an unreachable order ------------------------------


def _state_of(order):
    order = fresh(order)
    return order.status, order.queue_state, order.next_call_at, order.callback_user_id


def test_release_returns_held_orders_to_their_queue_places(clock, make_order, supervisor, operator):
    first = make_order(phone="+77010000001")
    second = make_order(phone="+77010000001", queue_state=CallTaskState.CALLBACK)
    claim = call_next_claim(operator=operator)
    assert sorted(claim.lease.order_ids) == sorted([str(first.pk), str(second.pk)])
    lease_release(lease_id=claim.lease.pk, supervisor=supervisor)
    assert _state_of(first)[1:] == (CallTaskState.QUEUED, first.next_call_at, None)
    assert _state_of(second)[1:] == (CallTaskState.CALLBACK, second.next_call_at, None)
    lease = Lease.objects.get(pk=claim.lease.pk)
    assert (lease.ended_at, lease.end_reason) == (NOW, LeaseEnd.RELEASED)
    back = OrderEvent.objects.filter(order=first, type=OrderEventType.QUEUE_CHANGED).last()
    assert back.data["reason"] == "lease_released"
    attempt = CallAttempt.objects.get(lease=lease)
    assert (attempt.result, attempt.operator_id) == (CallResult.ABANDONED, operator.pk)
    for order in (first, second):
        note = OrderEvent.objects.get(order=order, type=OrderEventType.NOTE)
        assert (note.actor_id, note.data) == (
            supervisor.pk,
            {"action": "lease_released", "operator": "op1"},
        )
    assert operator_state_current(operator=operator).state == OperatorState.OFFLINE


def test_release_of_an_ended_call_is_refused(clock, make_order, supervisor, operator):
    order = make_order()
    claim = call_next_claim(operator=operator)
    lease_release(lease_id=claim.lease.pk, supervisor=supervisor)
    before = (_state_of(order), OrderEvent.objects.count(), CallAttempt.objects.count())
    with pytest.raises(ApplicationError) as refused:
        lease_release(lease_id=claim.lease.pk, supervisor=supervisor)
    assert (refused.value.code, refused.value.status_code) == (LEASE_NOT_LIVE, 409)
    assert (_state_of(order), OrderEvent.objects.count(), CallAttempt.objects.count()) == before


def test_reassign_makes_a_personal_callback_due_now(
    clock, make_order, supervisor, operator, operator2
):
    order = make_order()
    claim = call_next_claim(operator=operator)
    lease_reassign(lease_id=claim.lease.pk, operator=operator2, supervisor=supervisor)
    assert _state_of(order) == (
        OrderStatus.AWAITING_CONFIRMATION,
        CallTaskState.CALLBACK,
        NOW,
        operator2.pk,
    )
    event = OrderEvent.objects.filter(order=order, type=OrderEventType.QUEUE_CHANGED).last()
    assert (event.actor_id, event.data) == (
        supervisor.pk,
        {
            "task": str(task_of(order).pk),
            "purpose": "confirmation",
            "from": CallTaskState.QUEUED,
            "to": CallTaskState.CALLBACK,
            "next_call_at": NOW.isoformat(),
            "action": "reassigned",
            "from_operator": "op1",
            "to_operator": "op2",
        },
    )
    assert CallAttempt.objects.get(lease_id=claim.lease.pk).result == CallResult.ABANDONED
    operator_state_set(operator=operator, state=OperatorState.READY)  # back from the lost call
    assert call_next_claim(operator=operator) is None
    # The released call never reached the customer: no minimum gap before op2 dials.
    taken = call_next_claim(operator=operator2)
    assert taken is not None and taken.lease.order_ids == [str(order.pk)]


def test_reassign_still_waits_out_the_gap_after_an_earlier_call(
    clock, make_order, supervisor, operator, operator2, store
):
    order = make_order()
    claim = call_next_claim(operator=operator)
    # Meanwhile the phone was rung about another store's order: that call counts.
    CallAttempt.objects.create(
        operator=operator2, store=store, customer=order.customer,
        started_at=NOW - timedelta(minutes=4), ended_at=NOW - timedelta(minutes=3),
        result=CallResult.NO_ANSWER,
    )  # fmt: skip
    lease_reassign(lease_id=claim.lease.pk, operator=operator2, supervisor=supervisor)
    assert call_next_claim(operator=operator2) is None
    assert fresh(order).next_call_at == NOW + timedelta(minutes=7)
    clock.move_to(NOW + timedelta(minutes=7))
    assert call_next_claim(operator=operator2).lease.order_ids == [str(order.pk)]


def test_an_expired_call_still_starts_the_gap(clock, make_order, operator, operator2):
    order = make_order()
    claim = call_next_claim(operator=operator)
    clock.move_to(NOW + timedelta(minutes=5))  # the default lease lapses unrenewed
    assert leases_expire() == 1
    assert Lease.objects.get(pk=claim.lease.pk).end_reason == LeaseEnd.EXPIRED
    assert call_next_claim(operator=operator2) is None
    assert fresh(order).next_call_at == NOW + timedelta(minutes=15)


@pytest.mark.parametrize("who", ["stranger", "supervisor"])
def test_reassign_refuses_someone_who_does_not_take_this_stores_calls(
    clock, make_order, supervisor, operator, who
):
    store_create(name="Чужой", slug="alien")
    stranger, _, _ = user_create(username="op9", role="operator", store_slugs=["alien"])
    target = {"stranger": stranger, "supervisor": supervisor}[who]
    order = make_order()
    claim = call_next_claim(operator=operator)
    before = (_state_of(order), OrderEvent.objects.count())
    with pytest.raises(ApplicationError) as refused:
        lease_reassign(lease_id=claim.lease.pk, operator=target, supervisor=supervisor)
    assert (refused.value.code, refused.value.status_code) == (OPERATOR_NOT_ELIGIBLE, 422)
    assert (_state_of(order), OrderEvent.objects.count()) == before
    assert Lease.objects.get(pk=claim.lease.pk).is_live
    assert not CallAttempt.objects.exists()


def test_unreachable_requeue_puts_the_order_back_for_anyone(clock, make_order, supervisor):
    order = make_order(queue_state=CallTaskState.UNREACHABLE, next_call_at=None)
    decided = fresh(
        order_unreachable_decide(
            order=order, decision=UnreachableDecision.REQUEUE, supervisor=supervisor
        )
    )
    assert (decided.queue_state, decided.next_call_at, decided.callback_user_id) == (
        CallTaskState.QUEUED,
        NOW,
        None,
    )
    event = OrderEvent.objects.get(order=order, type=OrderEventType.QUEUE_CHANGED)
    assert (event.actor_id, event.data) == (
        supervisor.pk,
        {
            "task": str(task_of(order).pk),
            "purpose": "confirmation",
            "from": CallTaskState.UNREACHABLE,
            "to": CallTaskState.QUEUED,
            "next_call_at": NOW.isoformat(),
            "action": "requeued_by_supervisor",
        },
    )


def test_unreachable_cancel_needs_a_reason_from_the_stores_list(clock, make_order, supervisor):
    order = make_order(queue_state=CallTaskState.UNREACHABLE)
    before = (_state_of(order), OrderEvent.objects.count())
    with pytest.raises(ApplicationError) as refused:
        order_unreachable_decide(
            order=order, decision=UnreachableDecision.CANCEL, supervisor=supervisor, reason="nope"
        )
    assert (refused.value.code, refused.value.status_code) == (ORDER_CANCEL_REASON_MISSING, 422)
    assert (_state_of(order), OrderEvent.objects.count()) == before
    cancelled = fresh(
        order_unreachable_decide(
            order=order, decision=UnreachableDecision.CANCEL, supervisor=supervisor,
            reason="changed_mind",
        )
    )  # fmt: skip
    assert (cancelled.status, cancelled.cancel_reason, cancelled.queue_state) == (
        OrderStatus.CANCELLED,
        "changed_mind",
        "",
    )
    assert StoreEvent.objects.filter(order=order, type="order.cancelled").count() == 1


@pytest.mark.parametrize(
    ("queue_state", "decision", "code", "status_code"),
    [
        (CallTaskState.QUEUED, UnreachableDecision.REQUEUE, ORDER_NOT_UNREACHABLE, 409),
        (CallTaskState.UNREACHABLE, "forget", UNREACHABLE_DECISION_INVALID, 422),
    ],
)
def test_unreachable_decision_refusals_change_nothing(
    clock, make_order, supervisor, queue_state, decision, code, status_code
):
    order = make_order(queue_state=queue_state)
    before = (_state_of(order), OrderEvent.objects.count())
    with pytest.raises(ApplicationError) as refused:
        order_unreachable_decide(order=order, decision=decision, supervisor=supervisor)
    assert (refused.value.code, refused.value.status_code) == (code, status_code)
    assert (_state_of(order), OrderEvent.objects.count()) == before


def test_call_now_inside_the_minimum_gap_says_when_it_is_due(
    clock, make_order, operator, supervisor
):
    """Before, "call now" was queued for now and the claim pushed it back without a word."""
    from orderdesk.calling.models import CallingPolicy
    from orderdesk.calling.services import call_outcome_record

    CallingPolicy.objects.update_or_create(store=supervisor.stores.first(), defaults={
        "min_gap_minutes": 30})  # fmt: skip
    order = make_order()
    claim = call_next_claim(operator=operator)
    call_outcome_record(lease_id=claim.lease.pk, operator=operator, result=CallResult.NO_ANSWER)
    clock.move_to(NOW + timedelta(minutes=5))
    order_call_requeue(order=order, actor=supervisor)
    gap_end = NOW + timedelta(minutes=30)
    assert fresh(order).next_call_at == gap_end
    event = OrderEvent.objects.filter(order=order, type=OrderEventType.QUEUE_CHANGED).last()
    assert (event.data["reason"], event.data["min_gap_until"]) == (
        "supervisor",
        gap_end.isoformat(),
    )
    clock.move_to(NOW + timedelta(minutes=31))
    order_call_requeue(order=order, actor=supervisor)
    assert fresh(order).next_call_at == NOW + timedelta(minutes=31)


def test_the_timeline_numbers_attempts_per_order(clock, make_order, operator):
    """Before, the attempt's number on the timeline was its row id, shared by every order."""
    from orderdesk.calling.services import call_outcome_record

    first, second = make_order(phone="+77015550001"), make_order(phone="+77015550002")
    for minutes in (0, 40, 80):
        clock.move_to(NOW + timedelta(minutes=minutes))
        for _order in (first, second):
            claim = call_next_claim(operator=operator)
            call_outcome_record(
                lease_id=claim.lease.pk, operator=operator, result=CallResult.NO_ANSWER
            )
    for order in (first, second):
        numbers = [
            e.data["number"]
            for e in OrderEvent.objects.filter(
                order=order, type=OrderEventType.CALL_ATTEMPT
            ).order_by("created_at")
        ]
        assert numbers == [1, 2, 3]
