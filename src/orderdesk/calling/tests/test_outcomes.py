from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.calling.checks import (
    ADDRESS_FIELD_REQUIRED,
    ADDRESS_NOT_DELIVERABLE,
    DELIVERY_DATE_MOVED_BY_CHECK,
)
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
    ADDRESS_CHECK_REQUIRED,
    ADDRESS_FIELD_MISSING,
    CALLBACK_AT_PAST,
    CALLBACK_OUTSIDE_WINDOW,
    CANCEL_REASON_INVALID,
    DECISION_MISSING,
    LEASE_NOT_HELD,
    OrderDecision,
    address_check_record,
    call_next_claim,
    call_outcome_record,
    lease_heartbeat,
    pending_checks_release,
)
from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.delivery.models import Carrier, DeliveryZone, Locality
from orderdesk.delivery.selectors import DELIVERY_DATE_NOT_ALLOWED
from orderdesk.orders.models import (
    OrderEvent,
    OrderEventType,
    OrderStatus,
    StoreEvent,
)

from .conftest import NOW, fresh, task_of

ALMATY = ZoneInfo("Asia/Almaty")


def almaty(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


@pytest.fixture
def held(clock, make_order, operator):
    """One order of one customer, claimed by `operator` at NOW (11:00 in Almaty)."""
    order = make_order()
    claim = call_next_claim(operator=operator)
    assert claim.lease.order_ids == [str(order.pk)]
    return claim.lease, order


@pytest.fixture
def next_day_zone(db):
    """A carrier delivering to Almaty from the next day, every day, no cut-off."""
    locality = Locality.objects.get(country="KZ", name_ru="Алматы")
    carrier = Carrier.objects.create(code="test-courier", name="Test courier")
    DeliveryZone.objects.create(
        carrier=carrier,
        country="KZ",
        locality=locality,
        lead_days=1,
        weekdays="1-7",
        skips_holidays=False,
    )
    return locality, carrier


def outcome(lease, operator, result, **kwargs):
    return call_outcome_record(lease_id=lease.pk, operator=operator, result=result, **kwargs)


def test_no_answer_schedules_retry_and_records_attempt(clock, held, operator):
    lease, order = held
    clock.move_to(NOW + timedelta(minutes=2))
    result = outcome(lease, operator, CallResult.NO_ANSWER, notes="  гудки  ")
    moved = fresh(order)
    assert moved.queue_state == CallTaskState.QUEUED
    assert moved.next_call_at == NOW + timedelta(minutes=32)
    assert (moved.attempts_count, moved.first_call_at, moved.lease_id) == (1, NOW, None)
    attempt = result.attempt
    assert (attempt.result, attempt.notes, attempt.started_at, attempt.ended_at) == (
        CallResult.NO_ANSWER,
        "гудки",
        NOW,
        NOW + timedelta(minutes=2),
    )
    assert (attempt.is_contacted, attempt.is_final, attempt.is_success) == (False, False, False)
    assert list(attempt.orders.all()) == [moved]
    assert Lease.objects.get(pk=lease.pk).end_reason == LeaseEnd.OUTCOME
    state = OperatorStateSlice.objects.get(operator=operator, ended_at=None)
    assert state.state == OperatorState.READY
    types = list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))
    assert types[-2:] == [OrderEventType.QUEUE_CHANGED, OrderEventType.CALL_ATTEMPT]


def test_retry_late_in_the_evening_rolls_over_the_night(clock, make_order, operator):
    clock.move_to(almaty(24, 18, 50))
    order = make_order(next_call_at=almaty(24, 18, 0))
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.BUSY)
    assert fresh(order).next_call_at == almaty(25, 10, 0)


def _earlier_attempts(order, operator, count: int, start: datetime):
    for n in range(count):
        attempt = CallAttempt.objects.create(
            operator=operator,
            store=order.store,
            customer=order.customer,
            started_at=start + timedelta(minutes=n),
            ended_at=start + timedelta(minutes=n),
            result=CallResult.NO_ANSWER,
        )
        attempt.orders.add(order)
        attempt.tasks.add(task_of(order))


def test_fourth_attempt_of_the_day_waits_for_tomorrow(clock, make_order, operator):
    order = make_order(attempts=3)
    _earlier_attempts(order, operator, 3, start=almaty(24, 0, 30))
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.NO_ANSWER)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at) == (CallTaskState.QUEUED, almaty(25, 10, 0))


def test_third_attempt_of_the_day_retries_the_same_day(clock, make_order, operator):
    """The attempt that just ended counts once: two earlier today and this one are three."""
    order = make_order(attempts=2)
    _earlier_attempts(order, operator, 2, start=almaty(24, 0, 30))
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.NO_ANSWER)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at) == (
        CallTaskState.QUEUED,
        NOW + timedelta(minutes=30),
    )


def test_ninth_attempt_still_retries(clock, make_order, operator):
    order = make_order(attempts=8)
    _earlier_attempts(order, operator, 8, start=almaty(20, 0, 0) - timedelta(days=3))
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.NO_ANSWER)
    moved = fresh(order)
    assert (moved.queue_state, moved.attempts_count) == (CallTaskState.QUEUED, 9)


def test_tenth_attempt_makes_the_order_unreachable(clock, make_order, operator):
    order = make_order(attempts=9)
    _earlier_attempts(order, operator, 9, start=almaty(20, 0, 0) - timedelta(days=3))
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.NO_ANSWER)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at, moved.attempts_count) == (
        CallTaskState.UNREACHABLE,
        None,
        10,
    )


def test_store_retry_rule_overrides_default(clock, store, make_order, operator):
    CallingPolicy.objects.create(store=store, retry_rules={"bad_connection": {"delay_minutes": 45}})
    order = make_order()
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.BAD_CONNECTION)
    assert fresh(order).next_call_at == NOW + timedelta(minutes=45)


def test_wrong_number_goes_straight_to_supervisor(held, operator):
    lease, order = held
    result = outcome(lease, operator, CallResult.WRONG_NUMBER)
    assert fresh(order).queue_state == CallTaskState.UNREACHABLE
    assert result.attempt.is_final is True


def test_personal_callback_at_named_time(held, operator):
    lease, order = held
    at = almaty(25, 15, 30)
    outcome(lease, operator, CallResult.CALLBACK, callback_at=at, personal=True)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at, moved.callback_user_id) == (
        CallTaskState.CALLBACK,
        at,
        operator.pk,
    )


@pytest.mark.parametrize(
    ("callback_at", "code"),
    [
        (almaty(24, 19, 0), CALLBACK_OUTSIDE_WINDOW),
        (almaty(25, 9, 59), CALLBACK_OUTSIDE_WINDOW),
        (NOW - timedelta(minutes=1), CALLBACK_AT_PAST),
    ],
)
def test_callback_outside_window_is_refused_and_nothing_changes(held, operator, callback_at, code):
    lease, order = held
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CALLBACK, callback_at=callback_at)
    assert [(e["field"], e["code"]) for e in refused.value.errors] == [("callback_at", code)]
    if code == CALLBACK_OUTSIDE_WINDOW:
        assert (
            refused.value.errors[0]["next_window_at"]
            == almaty(25, 10, 0).astimezone(ALMATY).isoformat()
        )
    assert fresh(order).queue_state == CallTaskState.IN_CALL
    assert Lease.objects.get(pk=lease.pk).ended_at is None
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    ("local_time", "due"),
    [(time(11, 0), almaty(24, 12, 0)), (time(16, 30), almaty(25, 10, 0))],
)
def test_pending_check_parks_until_about_an_hour_or_next_morning(
    clock, make_order, operator, local_time, due
):
    at = almaty(24, local_time.hour, local_time.minute)
    clock.move_to(at)
    order = make_order(is_out_of_city=True, needs_address_check=True, next_call_at=at)
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.PENDING_CHECK)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at, moved.callback_user_id) == (
        CallTaskState.PENDING_CHECK,
        due,
        operator.pk,
    )


def test_cancel_needs_a_reason_from_the_list(held, operator):
    lease, order = held
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CANCELLED, reason="просто так")
    assert refused.value.errors[0]["code"] == CANCEL_REASON_INVALID
    assert fresh(order).status == OrderStatus.AWAITING_CONFIRMATION
    result = outcome(lease, operator, CallResult.CANCELLED, reason="changed_mind")
    cancelled = fresh(order)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.queue_state) == (
        OrderStatus.CANCELLED,
        "changed_mind",
        "",
    )
    assert result.attempt.is_final and not result.attempt.is_success
    assert StoreEvent.objects.filter(order=order, type="order.cancelled").count() == 1


def test_store_cancel_reason_list_is_configurable(store, held, operator):
    lease, order = held
    CallingPolicy.objects.create(store=store, cancel_reasons=[{"code": "no_money", "label": "X"}])
    with pytest.raises(ValidationFailed):
        outcome(lease, operator, CallResult.CANCELLED, reason="changed_mind")
    outcome(lease, operator, CallResult.CANCELLED, reason="no_money")
    assert fresh(order).cancel_reason == "no_money"


def _full_address(**overrides):
    address = {
        "street": "Абая",
        "house": "10",
        "apartment": "25",
        "entrance": "2",
        "floor": "5",
        "intercom": "25К",
    }
    return address | overrides


def test_confirm_every_order_with_an_allowed_date(clock, next_day_zone, make_order, operator):
    locality, carrier = next_day_zone
    phone = "+77017770000"
    first = make_order(phone=phone, locality=locality, carrier=carrier, **_full_address())
    second = make_order(phone=phone, locality=locality, carrier=carrier, **_full_address())
    lease = call_next_claim(operator=operator).lease
    result = outcome(
        lease,
        operator,
        CallResult.CONFIRMED,
        decisions=[
            OrderDecision(str(first.pk), "confirm", delivery_on=date(2026, 11, 25)),
            OrderDecision(str(second.pk), "cancel", reason="duplicate"),
        ],
    )
    confirmed, cancelled = fresh(first), fresh(second)
    assert (confirmed.status, confirmed.delivery_on, confirmed.attempts_count) == (
        OrderStatus.CONFIRMED,
        date(2026, 11, 25),
        1,
    )
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "duplicate")
    assert result.attempt.is_success
    assert StoreEvent.objects.filter(order=first, type="order.confirmed").count() == 1


def test_confirm_names_every_failing_check(clock, next_day_zone, make_order, operator):
    locality, carrier = next_day_zone
    phone = "+77017770001"
    flat = make_order(
        phone=phone, locality=locality, carrier=carrier, **_full_address(entrance="", intercom="")
    )
    too_early = make_order(phone=phone, locality=locality, carrier=carrier, **_full_address())
    village = make_order(
        phone=phone, locality=locality, carrier=carrier, needs_address_check=True,
        is_out_of_city=True,
    )  # fmt: skip
    undecided = make_order(phone=phone, locality=locality, carrier=carrier)
    lease = call_next_claim(operator=operator).lease
    with pytest.raises(ValidationFailed) as refused:
        outcome(
            lease,
            operator,
            CallResult.CONFIRMED,
            decisions=[
                OrderDecision(str(flat.pk), "confirm", delivery_on=date(2026, 11, 25)),
                OrderDecision(str(too_early.pk), "confirm", delivery_on=date(2026, 11, 24)),
                OrderDecision(str(village.pk), "confirm", delivery_on=date(2026, 11, 26)),
            ],
        )
    found = {(e["field"], e["code"]) for e in refused.value.errors}
    assert found == {
        (f"orders[{flat.pk}].entrance", ADDRESS_FIELD_MISSING),
        (f"orders[{flat.pk}].intercom", ADDRESS_FIELD_MISSING),
        (f"orders[{too_early.pk}].delivery_date", DELIVERY_DATE_NOT_ALLOWED),
        (f"orders[{village.pk}].address", ADDRESS_CHECK_REQUIRED),
        (f"orders[{undecided.pk}]", DECISION_MISSING),
    }
    early = next(e for e in refused.value.errors if e["code"] == DELIVERY_DATE_NOT_ALLOWED)
    assert early["earliest"] == "2026-11-25"
    for order in (flat, too_early, village, undecided):
        assert fresh(order).status == OrderStatus.AWAITING_CONFIRMATION
        assert fresh(order).queue_state == CallTaskState.IN_CALL
    assert not CallAttempt.objects.exists()


def test_out_of_city_order_confirms_after_the_check(
    clock, next_day_zone, make_order, operator, supervisor
):
    locality, carrier = next_day_zone
    order = make_order(
        locality=locality, carrier=carrier, needs_address_check=True, is_out_of_city=True
    )
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.PENDING_CHECK)
    clock.move_to(NOW + timedelta(minutes=40))
    address_check_record(order=order, deliverable=True, note="курьер едет", actor=supervisor)
    # The answer brings the parked call back at once, to the operator who parked it.
    assert (fresh(order).queue_state, fresh(order).callback_user_id) == (
        CallTaskState.CALLBACK,
        operator.pk,
    )
    lease = call_next_claim(operator=operator).lease
    assert lease.order_ids == [str(order.pk)]
    decision = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    outcome(lease, operator, CallResult.CONFIRMED, decisions=[decision])
    confirmed = fresh(order)
    assert (confirmed.status, confirmed.needs_address_check) == (OrderStatus.CONFIRMED, False)


def test_out_of_city_order_waits_for_the_check_answer(
    clock, next_day_zone, make_order, operator, supervisor
):
    """Before, the order confirmed once a pending check had been recorded, answered or not."""
    locality, carrier = next_day_zone
    order = make_order(
        locality=locality, carrier=carrier, needs_address_check=True, is_out_of_city=True
    )
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.PENDING_CHECK)
    clock.move_to(NOW + timedelta(hours=1))
    pending_checks_release()
    lease = call_next_claim(operator=operator).lease
    decision = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CONFIRMED, decisions=[decision])
    assert [(e["field"], e["code"]) for e in refused.value.errors] == [
        (f"orders[{order.pk}].address", ADDRESS_CHECK_REQUIRED)
    ]
    assert fresh(order).status == OrderStatus.AWAITING_CONFIRMATION


def test_not_deliverable_answer_refuses_confirmation(
    clock, next_day_zone, make_order, operator, supervisor
):
    locality, carrier = next_day_zone
    order = make_order(
        locality=locality, carrier=carrier, needs_address_check=True, is_out_of_city=True
    )
    address_check_record(order=order, deliverable=False, note="не возим", actor=supervisor)
    lease = call_next_claim(operator=operator).lease
    decision = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CONFIRMED, decisions=[decision])
    assert [e["code"] for e in refused.value.errors] == [ADDRESS_NOT_DELIVERABLE]
    cancel = OrderDecision(str(order.pk), "cancel", reason="delivery_impossible")
    outcome(lease, operator, CallResult.CONFIRMED, decisions=[cancel])
    cancelled = fresh(order)
    assert (cancelled.status, cancelled.cancel_reason) == (
        OrderStatus.CANCELLED,
        "delivery_impossible",
    )


def test_a_check_answered_the_next_day_moves_the_delivery_date(
    clock, make_order, operator, supervisor
):
    """Seed 002: the callback after the check comes the next day, so the delivery date moves:
    no earlier than the day after the callback, though the carrier delivers the same day."""
    locality = Locality.objects.get(country="KZ", name_ru="Алматы")
    carrier = Carrier.objects.create(code="same-day", name="Same day")
    DeliveryZone.objects.create(
        carrier=carrier, country="KZ", locality=locality, lead_days=0, weekdays="1-7",
        skips_holidays=False,
    )  # fmt: skip
    order = make_order(
        locality=locality, carrier=carrier, needs_address_check=True, is_out_of_city=True
    )
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.PENDING_CHECK)
    clock.move_to(NOW + timedelta(days=1))  # Wednesday 25th, 11:00 in Almaty
    address_check_record(order=order, deliverable=True, note="", actor=supervisor)
    lease = call_next_claim(operator=operator).lease
    on_the_day = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CONFIRMED, decisions=[on_the_day])
    assert [e["code"] for e in refused.value.errors] == [DELIVERY_DATE_MOVED_BY_CHECK]
    moved = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 26))
    outcome(lease, operator, CallResult.CONFIRMED, decisions=[moved])
    assert fresh(order).delivery_on == date(2026, 11, 26)


def test_a_check_answered_after_17_moves_the_date_past_the_next_day(
    clock, next_day_zone, make_order, operator, supervisor
):
    locality, carrier = next_day_zone
    order = make_order(
        locality=locality, carrier=carrier, needs_address_check=True, is_out_of_city=True
    )
    lease = call_next_claim(operator=operator).lease
    outcome(lease, operator, CallResult.PENDING_CHECK)
    clock.move_to(NOW + timedelta(hours=6, minutes=30))  # 17:30 in Almaty, same day
    address_check_record(order=order, deliverable=True, note="", actor=supervisor)
    lease = call_next_claim(operator=operator).lease
    next_day = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CONFIRMED, decisions=[next_day])
    assert [e["code"] for e in refused.value.errors] == [DELIVERY_DATE_MOVED_BY_CHECK]
    assert refused.value.errors[0]["first_day"] == "2026-11-26"
    assert fresh(order).status == OrderStatus.AWAITING_CONFIRMATION


def test_street_and_house_are_required_for_every_address(
    clock, next_day_zone, make_order, operator
):
    """Before, a house address with no street and no house confirmed."""
    locality, carrier = next_day_zone
    order = make_order(locality=locality, carrier=carrier, street="", house="", apartment="")
    lease = call_next_claim(operator=operator).lease
    decision = OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 25))
    with pytest.raises(ValidationFailed) as refused:
        outcome(lease, operator, CallResult.CONFIRMED, decisions=[decision])
    assert [(e["field"], e["code"]) for e in refused.value.errors] == [
        (f"orders[{order.pk}].street", ADDRESS_FIELD_REQUIRED),
        (f"orders[{order.pk}].house", ADDRESS_FIELD_REQUIRED),
    ]
    assert fresh(order).status == OrderStatus.AWAITING_CONFIRMATION


def test_double_submitted_outcome_changes_nothing_twice(clock, held, operator):
    lease, order = held
    first = outcome(lease, operator, CallResult.NO_ANSWER)
    after_first = fresh(order)
    events = OrderEvent.objects.filter(order=order).count()
    clock.move_to(NOW + timedelta(seconds=3))
    again = outcome(lease, operator, CallResult.NO_ANSWER)
    assert again.replayed is True
    assert again.attempt.pk == first.attempt.pk
    assert CallAttempt.objects.count() == 1
    after_second = fresh(order)
    assert (after_second.attempts_count, after_second.next_call_at) == (
        after_first.attempts_count,
        after_first.next_call_at,
    )
    assert OrderEvent.objects.filter(order=order).count() == events
    with pytest.raises(ApplicationError) as conflict:
        outcome(lease, operator, CallResult.BUSY)
    assert (conflict.value.code, conflict.value.status_code) == (LEASE_NOT_HELD, 409)


def test_late_outcome_on_expired_lease_is_a_conflict(clock, held, operator):
    lease, order = held
    clock.move_to(NOW + timedelta(minutes=6))
    with pytest.raises(ApplicationError) as conflict:
        outcome(lease, operator, CallResult.NO_ANSWER)
    assert conflict.value.status_code == 409
    assert fresh(order).queue_state == CallTaskState.QUEUED
    assert fresh(order).attempts_count == 0
    assert CallAttempt.objects.get().result == CallResult.ABANDONED


def test_heartbeat_extends_and_then_fails_once_expired(clock, held, operator):
    lease, order = held
    clock.move_to(NOW + timedelta(minutes=4))
    extended = lease_heartbeat(lease_id=lease.pk, operator=operator)
    assert extended.expires_at == NOW + timedelta(minutes=9)
    clock.move_to(NOW + timedelta(minutes=9))
    with pytest.raises(ApplicationError) as conflict:
        lease_heartbeat(lease_id=lease.pk, operator=operator)
    assert conflict.value.code == LEASE_NOT_HELD
    assert fresh(order).queue_state == CallTaskState.QUEUED


def test_callback_time_without_offset_is_the_customers_local_time(held, operator):
    lease, order = held
    outcome(lease, operator, CallResult.CALLBACK, callback_at=datetime(2026, 11, 25, 18, 30))
    assert fresh(order).next_call_at == almaty(25, 18, 30)


def test_pending_check_until_a_given_time(held, operator):
    lease, order = held
    with pytest.raises(ValidationFailed):
        outcome(lease, operator, CallResult.PENDING_CHECK, callback_at=almaty(24, 20, 0))
    outcome(lease, operator, CallResult.PENDING_CHECK, callback_at=almaty(25, 11, 0))
    parked = fresh(order)
    assert (parked.queue_state, parked.next_call_at, parked.callback_user_id) == (
        CallTaskState.PENDING_CHECK,
        almaty(25, 11, 0),
        operator.pk,
    )
