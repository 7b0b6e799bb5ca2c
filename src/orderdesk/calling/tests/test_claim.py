from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import (
    CallAttempt,
    CallingPolicy,
    CallResult,
    CallTaskState,
    Lease,
    LeaseEnd,
    OperatorState,
    OperatorStateSlice,
)
from orderdesk.calling.services import (
    OPERATOR_HOLDS_CALL,
    OPERATOR_OFFLINE,
    call_next_claim,
    call_outcome_record,
    callbacks_release,
    leases_expire,
    operator_state_choose,
    operator_state_set,
    pending_checks_release,
)
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderEventType, OrderStatus
from orderdesk.orders.selectors import orders_visible_to_user
from orderdesk.stores.services import store_create

from .conftest import NOW, fresh, order_make

ZONES = [
    "Asia/Almaty",
    "Asia/Aqtau",
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "Asia/Kamchatka",
]


def local(zone: str, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("hour", "minute", "callable_now"),
    [(9, 59, False), (10, 0, True), (18, 59, True), (19, 0, False)],
)
def test_claim_respects_window_edges_per_zone(
    clock, make_order, operator, zone, hour, minute, callable_now
):
    at = local(zone, hour, minute)
    clock.move_to(at)
    order = make_order(timezone=zone, next_call_at=at - timedelta(hours=1))
    claim = call_next_claim(operator=operator)
    if callable_now:
        assert claim is not None
        assert claim.lease.order_ids == [str(order.pk)]
        assert fresh(order).queue_state == CallTaskState.IN_CALL
    else:
        assert claim is None
        assert fresh(order).queue_state == CallTaskState.QUEUED


def test_claim_takes_only_zones_inside_their_window(clock, make_order, operator):
    # 06:00 UTC: 11:00 Almaty (open), 09:00 Moscow (closed), 16:00 Vladivostok (open).
    make_order(timezone="Europe/Moscow")
    vladivostok = make_order(timezone="Asia/Vladivostok", next_call_at=NOW - timedelta(hours=2))
    almaty = make_order(timezone="Asia/Almaty", next_call_at=NOW - timedelta(hours=1))
    first = call_next_claim(operator=operator)
    assert first.lease.order_ids == [str(vladivostok.pk)]
    Lease.objects.update(ended_at=NOW, end_reason=LeaseEnd.OUTCOME)
    assert call_next_claim(operator=operator).lease.order_ids == [str(almaty.pk)]
    Lease.objects.update(ended_at=NOW, end_reason=LeaseEnd.OUTCOME)
    assert call_next_claim(operator=operator) is None


def test_holidays_close_the_window_when_the_store_says_so(clock, store, make_order, operator):
    # 16 December is Independence Day in Kazakhstan.
    at = datetime(2026, 12, 16, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    clock.move_to(at)
    order = make_order(timezone="Asia/Almaty", next_call_at=at - timedelta(hours=1))
    CallingPolicy.objects.create(store=store, holidays_off=True)
    assert call_next_claim(operator=operator) is None
    CallingPolicy.objects.filter(store=store).update(holidays_off=False)
    assert call_next_claim(operator=operator).lease.order_ids == [str(order.pk)]


def test_claim_order_personal_callbacks_then_anyone_then_new_then_retries(
    clock, make_order, operator, operator2
):
    retry = make_order(attempts=2, next_call_at=NOW - timedelta(hours=3))
    new = make_order(next_call_at=NOW - timedelta(hours=1))
    older_new = make_order(next_call_at=NOW - timedelta(hours=2))
    anyone = make_order(queue_state=CallTaskState.CALLBACK, next_call_at=NOW - timedelta(minutes=1))
    mine = make_order(
        queue_state=CallTaskState.CALLBACK, callback_user=operator, next_call_at=NOW - timedelta(1)
    )
    theirs = make_order(queue_state=CallTaskState.CALLBACK, callback_user=operator2)
    not_due = make_order(queue_state=CallTaskState.CALLBACK, next_call_at=NOW + timedelta(hours=1))
    claimed = []
    while (claim := call_next_claim(operator=operator)) is not None:
        claimed.append(claim.lease.order_ids[0])
        Lease.objects.filter(pk=claim.lease.pk).update(ended_at=NOW, end_reason=LeaseEnd.OUTCOME)
    expected = [mine, anyone, older_new, new, retry]
    assert claimed == [str(o.pk) for o in expected]
    assert fresh(theirs).queue_state == CallTaskState.CALLBACK
    assert fresh(not_due).queue_state == CallTaskState.CALLBACK


def test_claim_groups_every_dialable_order_of_the_customer(clock, make_order, operator, store):
    phone = "+77011112233"
    first = make_order(phone=phone, next_call_at=NOW - timedelta(hours=1))
    later_callback = make_order(
        phone=phone, queue_state=CallTaskState.CALLBACK, next_call_at=NOW + timedelta(days=1)
    )
    parked = make_order(phone=phone, queue_state=CallTaskState.PENDING_CHECK)
    confirmed = make_order(phone=phone, status=OrderStatus.CONFIRMED, queue_state="")
    other_customer = make_order(next_call_at=NOW - timedelta(minutes=30))
    other_store, _ = store_create(name="Другой", slug="other-store")
    same_phone_elsewhere = order_make(store=other_store, phone=phone)

    claim = call_next_claim(operator=operator)

    # (The frozen clock gives every order the same creation time: compare as sets.)
    assert set(claim.lease.order_ids) == {str(first.pk), str(later_callback.pk)}
    assert {o.pk for o in claim.orders} == {first.pk, later_callback.pk, parked.pk, confirmed.pk}
    assert fresh(later_callback).lease_id == claim.lease.pk
    assert fresh(parked).queue_state == CallTaskState.PENDING_CHECK
    assert fresh(other_customer).queue_state == CallTaskState.QUEUED
    assert fresh(same_phone_elsewhere).queue_state == CallTaskState.QUEUED
    events = OrderEvent.objects.filter(order=first, type=OrderEventType.QUEUE_CHANGED)
    assert [(e.data["from"], e.data["to"]) for e in events] == [("queued", "in_call")]


def test_claim_only_from_operator_stores_and_languages(clock, make_order, store):
    other_store, _ = store_create(name="Чужой", slug="foreign")
    order_make(store=other_store)
    make_order(language="kk")
    russian = make_order(language="ru", next_call_at=NOW - timedelta(minutes=1))
    user, _, _ = user_create(
        username="ru-only", role="operator", store_slugs=[store.slug], languages=["ru"]
    )
    assert call_next_claim(operator=user).lease.order_ids == [str(russian.pk)]
    Lease.objects.update(ended_at=NOW, end_reason=LeaseEnd.OUTCOME)
    assert call_next_claim(operator=user) is None


def test_asking_again_returns_the_held_lease(clock, make_order, operator):
    make_order()
    make_order()
    first = call_next_claim(operator=operator)
    again = call_next_claim(operator=operator)
    assert again.lease.pk == first.lease.pk
    assert again.resumed is True
    assert Lease.objects.filter(operator=operator).count() == 1


def test_the_held_lease_comes_back_after_the_store_was_taken_from_the_operator(
    clock, make_order, operator
):
    make_order()
    first = call_next_claim(operator=operator)
    operator.stores.clear()
    again = call_next_claim(operator=operator)
    assert again is not None and again.lease.pk == first.lease.pk and again.resumed is True


def test_minimum_gap_between_calls_to_one_phone(clock, make_order, operator, store):
    phone = "+77015556677"
    order = make_order(phone=phone)
    customer = order.customer
    CallAttempt.objects.create(
        operator=operator,
        store=store,
        customer=customer,
        started_at=NOW - timedelta(minutes=6),
        ended_at=NOW - timedelta(minutes=4),
        result=CallResult.NO_ANSWER,
    )
    assert call_next_claim(operator=operator) is None
    assert fresh(order).next_call_at == NOW + timedelta(minutes=6)
    clock.move_to(NOW + timedelta(minutes=6))
    assert call_next_claim(operator=operator).lease.order_ids == [str(order.pk)]


def test_claim_sets_operator_in_call_and_nothing_due_is_none(clock, make_order, operator):
    assert call_next_claim(operator=operator) is None
    make_order()
    call_next_claim(operator=operator)
    current = OperatorStateSlice.objects.get(operator=operator, ended_at=None)
    assert current.state == OperatorState.IN_CALL


def test_expired_lease_frees_orders_and_records_abandoned(clock, make_order, operator, operator2):
    callback = make_order(
        queue_state=CallTaskState.CALLBACK, callback_user=operator, next_call_at=NOW - timedelta(1)
    )
    claim = call_next_claim(operator=operator)
    assert claim.lease.order_ids == [str(callback.pk)]
    clock.move_to(NOW + timedelta(minutes=5))  # default lease: 5 minutes
    assert leases_expire() == 1
    order = fresh(callback)
    assert (order.queue_state, order.callback_user_id, order.lease_id) == (
        CallTaskState.CALLBACK,
        operator.pk,
        None,
    )
    assert order.next_call_at == NOW - timedelta(1)
    attempt = CallAttempt.objects.get(lease=claim.lease)
    assert attempt.result == CallResult.ABANDONED
    assert list(attempt.orders.values_list("pk", flat=True)) == [callback.pk]
    assert fresh(order).attempts_count == 0
    lease = Lease.objects.get(pk=claim.lease.pk)
    assert (lease.ended_at, lease.end_reason) == (NOW + timedelta(minutes=5), LeaseEnd.EXPIRED)
    state = OperatorStateSlice.objects.get(operator=operator, ended_at=None)
    assert state.state == OperatorState.OFFLINE
    assert leases_expire() == 0


def test_claim_frees_expired_leases_without_the_job(clock, make_order, operator, operator2):
    order = make_order()
    call_next_claim(operator=operator)
    clock.move_to(NOW + timedelta(minutes=20))
    claim = call_next_claim(operator=operator2)
    assert claim.lease.order_ids == [str(order.pk)]
    assert CallAttempt.objects.get(operator=operator).result == CallResult.ABANDONED


def test_own_expired_lease_is_abandoned_before_claiming_again(clock, make_order, operator):
    first = make_order()
    old = call_next_claim(operator=operator)
    clock.move_to(NOW + timedelta(minutes=16))
    new = call_next_claim(operator=operator)
    assert new.resumed is False
    assert new.lease.pk != old.lease.pk
    assert new.lease.order_ids == [str(first.pk)]


def test_own_expired_lease_is_abandoned_even_behind_many_expired_leases(
    clock, make_order, operator, operator2, monkeypatch
):
    """The claim frees others' expired leases a few at a time; the operator's own comes first."""
    from orderdesk.calling.services import leases

    monkeypatch.setattr(leases, "EXPIRE_ON_CLAIM", 0)
    first = make_order()
    other = call_next_claim(operator=operator2)
    make_order(phone="+77015550101")
    old = call_next_claim(operator=operator)
    clock.move_to(NOW + timedelta(minutes=16))
    new = call_next_claim(operator=operator)
    assert new.resumed is False
    assert Lease.objects.get(pk=old.lease.pk).end_reason == LeaseEnd.EXPIRED
    assert Lease.objects.get(pk=other.lease.pk).ended_at is None  # the job's, or a later claim's
    assert str(first.pk) not in new.lease.order_ids


def test_personal_callback_goes_to_anyone_after_grace_when_operator_absent(
    clock, make_order, operator, operator2
):
    due_at = NOW - timedelta(minutes=10)
    order = make_order(
        queue_state=CallTaskState.CALLBACK, callback_user=operator, next_call_at=due_at
    )
    assert call_next_claim(operator=operator2) is None  # within grace and personal
    clock.move_to(due_at + timedelta(minutes=15))
    operator_state_set(operator=operator, state=OperatorState.READY)
    assert callbacks_release() == 0  # the operator is working: it stays theirs
    operator_state_set(operator=operator, state=OperatorState.PAUSED, pause_code="lunch")
    assert callbacks_release() == 1
    assert fresh(order).callback_user_id is None
    claim = call_next_claim(operator=operator2)
    assert claim.lease.order_ids == [str(order.pk)]
    event = OrderEvent.objects.filter(order=order, type=OrderEventType.QUEUE_CHANGED).first()
    assert event.data["reason"] == "operator_absent"


def test_personal_callback_of_absent_operator_waits_for_grace(clock, make_order, operator):
    due_at = NOW - timedelta(minutes=14)
    order = make_order(
        queue_state=CallTaskState.CALLBACK, callback_user=operator, next_call_at=due_at
    )
    assert callbacks_release() == 0
    assert fresh(order).callback_user_id == operator.pk


def test_pending_check_returns_as_callback_to_the_same_operator(clock, make_order, operator):
    order = make_order(
        queue_state=CallTaskState.PENDING_CHECK, callback_user=operator, next_call_at=NOW
    )
    later = make_order(
        queue_state=CallTaskState.PENDING_CHECK,
        callback_user=operator,
        next_call_at=NOW + timedelta(1),
    )
    assert pending_checks_release() == 1
    moved = fresh(order)
    assert (moved.queue_state, moved.callback_user_id) == (CallTaskState.CALLBACK, operator.pk)
    assert fresh(later).queue_state == CallTaskState.PENDING_CHECK
    assert call_next_claim(operator=operator).lease.order_ids == [str(order.pk)]


def test_operator_sees_orders_held_and_attempted(clock, make_order, operator, operator2):
    held = make_order()
    untouched = make_order(next_call_at=NOW + timedelta(hours=1))
    claim = call_next_claim(operator=operator)
    assert set(orders_visible_to_user(user=operator)) == {held}
    assert not orders_visible_to_user(user=operator2).exists()
    clock.move_to(NOW + timedelta(minutes=10))
    leases_expire()
    assert list(orders_visible_to_user(user=operator)) == [held]
    assert untouched not in orders_visible_to_user(user=operator)
    assert claim.lease.order_ids == [str(held.pk)]


def _slices(operator):
    return list(
        OperatorStateSlice.objects.filter(operator=operator)
        .order_by("started_at", "id")
        .values_list("state", "pause_code", "started_at", "ended_at")
    )


def test_next_call_ends_a_pause_at_the_moment_of_the_claim(clock, make_order, operator):
    order = make_order()
    operator_state_set(operator=operator, state=OperatorState.PAUSED, pause_code="break")
    clock.move_to(NOW + timedelta(minutes=3))
    later = NOW + timedelta(minutes=3)
    claim = call_next_claim(operator=operator)
    assert claim.lease.order_ids == [str(order.pk)]
    assert _slices(operator) == [
        (OperatorState.PAUSED, "break", NOW, later),
        (OperatorState.IN_CALL, "", later, None),
    ]


def test_next_call_with_nobody_due_leaves_the_pause_as_it_was(clock, operator):
    operator_state_set(operator=operator, state=OperatorState.PAUSED, pause_code="break")
    clock.move_to(NOW + timedelta(minutes=3))
    assert call_next_claim(operator=operator) is None
    assert _slices(operator) == [(OperatorState.PAUSED, "break", NOW, None)]


def test_an_offline_operator_gets_no_call_and_a_409_naming_the_state(clock, operator, make_order):
    order = make_order()
    operator_state_set(operator=operator, state=OperatorState.OFFLINE)
    with pytest.raises(ApplicationError) as refused:
        call_next_claim(operator=operator)
    assert (refused.value.code, refused.value.status_code) == (OPERATOR_OFFLINE, 409)
    assert refused.value.details == {"state": "offline"}
    assert fresh(order).queue_state == CallTaskState.QUEUED
    assert not Lease.objects.filter(operator=operator).exists()
    assert _slices(operator) == [(OperatorState.OFFLINE, "", NOW, None)]


def test_calls_next_answers_409_to_an_offline_operator(clock, operator, operator_api, make_order):
    make_order()
    operator_state_set(operator=operator, state=OperatorState.OFFLINE)
    response = operator_api.post("/api/v1/calls/next", {})
    assert response.status_code == 409
    assert response.json()["error"] == OPERATOR_OFFLINE
    assert response.json()["state"] == "offline"


def test_cannot_go_offline_holding_a_call(clock, operator, operator_api, make_order):
    make_order()
    operator_state_set(operator=operator, state=OperatorState.READY)
    claim = call_next_claim(operator=operator)
    with pytest.raises(ApplicationError) as refused:
        operator_state_choose(operator=operator, state=OperatorState.OFFLINE)
    assert (refused.value.code, refused.value.status_code) == (OPERATOR_HOLDS_CALL, 409)
    response = operator_api.post("/api/v1/calls/state", {"state": "offline"})
    assert (response.status_code, response.json()["error"]) == (409, OPERATOR_HOLDS_CALL)
    assert _slices(operator)[-1] == (OperatorState.IN_CALL, "", NOW, None)
    assert Lease.objects.get(pk=claim.lease.pk).is_live


def test_after_the_outcome_the_operator_is_in_the_state_they_chose(clock, operator, make_order):
    make_order()
    operator_state_set(operator=operator, state=OperatorState.READY)
    claim = call_next_claim(operator=operator)
    operator_state_choose(operator=operator, state=OperatorState.PAUSED, pause_code="lunch")
    assert _slices(operator)[-1] == (OperatorState.IN_CALL, "", NOW, None)
    clock.move_to(NOW + timedelta(minutes=2))
    call_outcome_record(lease_id=claim.lease.pk, operator=operator, result=CallResult.NO_ANSWER)
    assert _slices(operator)[-1] == (
        OperatorState.PAUSED,
        "lunch",
        NOW + timedelta(minutes=2),
        None,
    )


def test_an_offline_operator_is_not_made_ready_by_an_outcome(clock, operator, make_order):
    """Before, a claim took an offline operator into a call and the outcome left them ready."""
    make_order()
    operator_state_set(operator=operator, state=OperatorState.OFFLINE)
    with pytest.raises(ApplicationError):
        call_next_claim(operator=operator)
    assert _slices(operator)[-1][0] == OperatorState.OFFLINE


def test_next_call_leaves_a_ready_operators_slice_alone(clock, operator):
    operator_state_set(operator=operator, state=OperatorState.READY)
    assert call_next_claim(operator=operator) is None
    assert _slices(operator) == [(OperatorState.READY, "", NOW, None)]
