"""Recording how a call ended: one attempt row, and every order of the lease moved accordingly.

`call_outcome_record` is what the API and the operator workspace call. It refuses with
`ValidationFailed` (422) listing every failing check by field (`result`, `callback_at`, `reason`,
`orders[<order id>].<field>`), with 409 LEASE_NOT_HELD once the lease is gone, and with 404 for
another operator's lease. Submitting the same result twice returns the first recording
(`replayed`) and changes nothing again."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.sql import as_saved
from orderdesk.delivery.selectors import order_delivery_date_errors
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus, QueueState
from orderdesk.orders.services import (
    actor_label_of,
    order_status_change,
    orders_queue_conflict_error,
    orders_queue_move,
    queue_move_event_data,
)

from ..models import (
    OUTCOME_RESULTS,
    RETRY_RESULTS,
    CallAttempt,
    CallingPolicy,
    CallResult,
    Lease,
    LeaseEnd,
    OperatorState,
)
from ..rules import local_day_start, pending_check_due, retry_next_at, window_next_open
from ..selectors import holidays_for
from .leases import _lease_lock, attempt_orders_link, lease_abandon, lease_not_held_error
from .operators import operator_state_set
from .statements import OrderMove, held_orders_lock, outcome_write

OUTCOME_RESULT_INVALID = "outcome_result_invalid"
CALLBACK_AT_MISSING = "callback_at_missing"
CALLBACK_AT_PAST = "callback_at_past"
CALLBACK_AT_TOO_FAR = "callback_at_too_far"
CALLBACK_OUTSIDE_WINDOW = "callback_outside_window"
CANCEL_REASON_INVALID = "cancel_reason_invalid"
DECISION_MISSING = "decision_missing"
DECISION_INVALID = "decision_invalid"
DECISION_UNKNOWN_ORDER = "decision_unknown_order"
ADDRESS_FIELD_MISSING = "address_field_required_for_apartment"
ADDRESS_CHECK_REQUIRED = "address_check_required"
CALLBACK_MAX_AHEAD = timedelta(days=30)
DECIDING_RESULTS = frozenset({CallResult.CONFIRMED, CallResult.CANCELLED})
APARTMENT_FIELDS = ("street", "house", "entrance", "floor", "intercom")


class Decision:
    CONFIRM = "confirm"
    CANCEL = "cancel"


@dataclass(frozen=True)
class OrderDecision:
    """For a `confirmed` outcome: what happens to one held order."""

    order_id: str
    decision: str
    delivery_on: date | None = None
    reason: str = ""


@dataclass
class OutcomeResult:
    """The attempt recorded and the lease it closed; the orders as they are now are read when
    first asked for (the API answers with them; the queue loop does not need them)."""

    attempt: CallAttempt
    lease: Lease
    replayed: bool = False

    @cached_property
    def orders(self) -> list[Order]:
        return _held_orders(self.lease)


def _error(field_name: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message, **extra}


def call_outcome_record(
    *,
    lease_id,
    operator: User,
    result: str,
    notes: str = "",
    callback_at: datetime | None = None,
    personal: bool = False,
    reason: str = "",
    decisions: Sequence[OrderDecision] = (),
    at: datetime | None = None,
) -> OutcomeResult:
    """Record the outcome of the call on `lease_id` and move its orders (SPEC 3, 4, 11).

    - no_answer / busy / bad_connection: retry per the store's rule for that result, never in
      the night gap; exhausted → unreachable. wrong_number: unreachable, for a supervisor.
    - callback: at `callback_at` (inside the customer's window; without an offset it is read as
      the customer's local time), `personal` → only this operator.
    - pending_check: parked until `callback_at` when given, else about an hour later (the next
      morning from 16:00 local), then a callback to this operator.
    - cancelled: every held order, `reason` from the store's list.
    - confirmed: `decisions` for every held order (confirm with a delivery date the zone can
      serve, or cancel with a reason)."""
    at = at or timezone.now()
    if result not in OUTCOME_RESULTS:
        message = _("Unknown call result.")
        raise ValidationFailed([_error("result", OUTCOME_RESULT_INVALID, message)])
    with transaction.atomic():
        lease, policy = _lease_lock(lease_id=lease_id, operator=operator)
        if lease.is_live and lease.expires_at > at:
            return _outcome_apply(
                lease=lease,
                policy=policy,
                operator=operator,
                result=result,
                notes=notes,
                callback_at=callback_at,
                personal=personal,
                reason=reason,
                decisions=decisions,
                at=at,
            )
        if not lease.is_live and lease.end_reason == LeaseEnd.OUTCOME:
            attempt = lease.attempt
            if attempt.result == result:
                return OutcomeResult(attempt=attempt, lease=lease, replayed=True)
        if lease.is_live:
            lease_abandon(lease=lease, at=at)
    raise lease_not_held_error(lease)


def _held_orders(lease: Lease) -> list[Order]:
    return list(
        Order.objects.filter(pk__in=lease.order_ids)
        .select_related("store", "customer", "locality", "carrier")
        .prefetch_related("items")
        .order_by("created_at", "id")
    )


def _outcome_apply(
    *,
    lease: Lease,
    policy: CallingPolicy,
    operator: User,
    result: str,
    notes: str,
    callback_at: datetime | None,
    personal: bool,
    reason: str,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> OutcomeResult:
    deciding = result in DECIDING_RESULTS
    orders, failed = _held_lock(
        lease=lease, at=at, whole=deciding, count_failed=result in RETRY_RESULTS
    )
    if callback_at is not None and timezone.is_naive(callback_at) and orders:
        # A time without an offset is the customer's wall-clock time, as they said it.
        callback_at = callback_at.replace(tzinfo=ZoneInfo(orders[0].timezone))
    errors = _outcome_errors(
        orders=orders,
        policy=policy,
        result=result,
        callback_at=callback_at,
        reason=reason,
        decisions=decisions,
        at=at,
    )
    if errors:
        raise ValidationFailed(errors)
    notes = notes.strip()
    if deciding:
        attempt = _orders_decide(
            orders=orders,
            lease=lease,
            operator=operator,
            result=result,
            notes=notes,
            reason=reason,
            decisions=decisions,
            at=at,
        )
        return OutcomeResult(attempt=attempt, lease=lease)
    moves = [
        _order_move(
            order=order,
            place=_next_place(
                order=order,
                failed=failed.get(order.pk, (0, 0)),
                policy=policy,
                operator=operator,
                result=result,
                callback_at=callback_at,
                personal=personal,
                at=at,
            ),
            lease=lease,
            result=result,
        )
        for order in orders
    ]
    callback_at = callback_at if result == CallResult.CALLBACK else None
    write = _moves_write_pg if connection.vendor == "postgresql" else _moves_write_orm
    attempt = write(
        lease=lease,
        operator=operator,
        result=result,
        notes=notes,
        callback_at=callback_at,
        moves=moves,
        at=at,
    )
    return OutcomeResult(attempt=attempt, lease=lease)


def _held_lock(
    *, lease: Lease, at: datetime, whole: bool, count_failed: bool
) -> tuple[list[Order], dict]:
    """The orders the lease still holds, locked, oldest first, and, when `count_failed`, per
    order its unsuccessful attempts so far (today in the customer's zone, in all), read before
    this call's attempt is recorded: the retry rule adds this one itself. `whole`: every field
    and relation (a confirmation's checks and the store's events need them). On PostgreSQL the
    attempts come with the lock, in the same statement."""
    if connection.vendor == "postgresql" and not whole:
        locked = held_orders_lock(lease_id=lease.pk)
        orders = [order for order, _starts in locked]
        starts = {order.pk: started for order, started in locked}
        return orders, _failed_counts(orders=orders, starts=starts, at=at)
    held = Order.objects.select_for_update(of=("self",)).filter(
        lease_id=lease.pk, queue_state=QueueState.IN_CALL
    )
    if whole:
        held = held.select_related("store", "customer", "locality", "carrier")
        return list(held.order_by("created_at", "id")), {}
    orders = list(held.order_by("created_at", "id"))
    return orders, _failed_attempts(orders=orders, at=at) if count_failed else {}


def _attempt_record(
    *,
    lease: Lease,
    operator: User,
    result: str,
    notes: str,
    at: datetime,
    callback_at: datetime | None = None,
    reason: str = "",
) -> CallAttempt:
    attempt = CallAttempt.objects.create(
        lease=lease,
        operator=operator,
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        started_at=lease.claimed_at,
        ended_at=at,
        result=result,
        notes=notes,
        callback_at=callback_at,
        reason=reason,
    )
    attempt_orders_link(attempt=attempt, order_ids=lease.order_ids)
    return attempt


def _call_end_record(
    *, attempt: CallAttempt, orders: list[Order], lease: Lease, operator: User, at: datetime
) -> None:
    """The attempt on each order's timeline, the lease ended, the operator ready."""
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order=order,
            type=OrderEventType.CALL_ATTEMPT,
            actor=operator,
            actor_label=actor_label_of(operator),
            created_at=at,
            data={"attempt": attempt.pk, "result": attempt.result, "notes": attempt.notes},
        )
        for order in orders
    )
    lease.ended_at, lease.end_reason = at, LeaseEnd.OUTCOME
    lease.save(update_fields=["ended_at", "end_reason"])
    operator_state_set(operator=operator, state=OperatorState.READY, at=at)


# Checks ----------------------------------------------------------------------------------------


def _outcome_errors(
    *,
    orders: list[Order],
    policy: CallingPolicy,
    result: str,
    callback_at: datetime | None,
    reason: str,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> list[dict[str, Any]]:
    if result == CallResult.CALLBACK or (
        result == CallResult.PENDING_CHECK and callback_at is not None
    ):
        return callback_at_errors(orders=orders, policy=policy, callback_at=callback_at, at=at)
    if result == CallResult.CANCELLED:
        return _reason_errors(policy=policy, reason=reason, field_name="reason")
    if result == CallResult.CONFIRMED:
        return _decision_errors(orders=orders, policy=policy, decisions=decisions, at=at)
    return []


def callback_at_errors(
    *, orders: Sequence[Order], policy: CallingPolicy, callback_at: datetime | None, at: datetime
) -> list[dict[str, Any]]:
    """A callback time must be ahead, within 30 days, and inside every held order's window
    in the customer's local time (the error names the next window start)."""
    if callback_at is None:
        return [_error("callback_at", CALLBACK_AT_MISSING, _("Give the time to call back."))]
    if timezone.is_naive(callback_at):
        callback_at = timezone.make_aware(callback_at)
    if callback_at <= at:
        return [_error("callback_at", CALLBACK_AT_PAST, _("The callback time has passed."))]
    if callback_at > at + CALLBACK_MAX_AHEAD:
        message = _("A callback can be at most 30 days ahead.")
        return [_error("callback_at", CALLBACK_AT_TOO_FAR, message)]
    windows = policy.week_windows()
    for zone in sorted({order.timezone for order in orders}):
        holidays = holidays_for(policy=policy, zone=zone)
        opens = window_next_open(at=callback_at, zone=zone, windows=windows, holidays=holidays)
        if opens != callback_at:
            local = callback_at.astimezone(opens.tzinfo) if opens else callback_at
            message = _(
                "%(time)s is outside the calling window in the customer's time zone "
                "(%(zone)s); the next window opens at %(opens)s."
            ) % {
                "time": local.strftime("%Y-%m-%d %H:%M"),
                "zone": zone,
                "opens": opens.strftime("%Y-%m-%d %H:%M") if opens else "—",
            }
            return [
                _error(
                    "callback_at",
                    CALLBACK_OUTSIDE_WINDOW,
                    message,
                    next_window_at=opens.isoformat() if opens else None,
                )
            ]
    return []


def _reason_errors(*, policy: CallingPolicy, reason: str, field_name: str) -> list[dict]:
    codes = [code for code, _label in policy.cancel_reason_choices()]
    if reason in codes:
        return []
    message = _("Choose a cancellation reason from the list.")
    return [_error(field_name, CANCEL_REASON_INVALID, message, allowed=codes)]


def _decision_errors(
    *,
    orders: list[Order],
    policy: CallingPolicy,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> list[dict[str, Any]]:
    held = {str(order.pk): order for order in orders}
    given = {str(d.order_id): d for d in decisions}
    errors = [
        _error(f"orders[{oid}]", DECISION_UNKNOWN_ORDER, _("This order is not in this call."))
        for oid in given
        if oid not in held
    ]
    for oid, order in held.items():
        decision = given.get(oid)
        if decision is None:
            message = _("Decide this order too: confirm or cancel.")
            errors.append(_error(f"orders[{oid}]", DECISION_MISSING, message, order=oid))
        elif decision.decision == Decision.CANCEL:
            errors += _reason_errors(
                policy=policy, reason=decision.reason, field_name=f"orders[{oid}].reason"
            )
        elif decision.decision == Decision.CONFIRM:
            errors += order_confirm_errors(order=order, delivery_on=decision.delivery_on, at=at)
        else:
            message = _("The decision is confirm or cancel.")
            errors.append(_error(f"orders[{oid}].decision", DECISION_INVALID, message))
    return errors


def order_confirm_errors(
    *, order: Order, delivery_on: date | None, at: datetime
) -> list[dict[str, Any]]:
    """Every check a confirmation of `order` must pass (SPEC 3), each naming its field: a full
    address for an apartment, a finished address check for an address outside the city, and a
    delivery date the zone can serve at the time of confirmation (the delivery rules decide)."""
    oid = str(order.pk)
    errors = []
    if order.apartment.strip():
        for name in APARTMENT_FIELDS:
            if not getattr(order, name).strip():
                message = _("Fill in %(field)s: the address is an apartment.") % {
                    "field": Order._meta.get_field(name).verbose_name
                }
                errors.append(
                    _error(f"orders[{oid}].{name}", ADDRESS_FIELD_MISSING, message, order=oid)
                )
    if order.needs_address_check and not _address_check_asked(order):
        message = _(
            "The address is outside the city or not recognised: record a pending check, "
            "and confirm when delivery there is confirmed possible."
        )
        errors.append(_error(f"orders[{oid}].address", ADDRESS_CHECK_REQUIRED, message, order=oid))
    day = delivery_on or order.delivery_on or order.requested_delivery_on
    errors += order_delivery_date_errors(order=order, delivery_on=day, at=at)
    return errors


def _address_check_asked(order: Order) -> bool:
    return CallAttempt.objects.filter(orders=order, result=CallResult.PENDING_CHECK).exists()


# Moves -----------------------------------------------------------------------------------------


def _orders_decide(
    *,
    orders: list[Order],
    lease: Lease,
    operator: User,
    result: str,
    notes: str,
    reason: str,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> CallAttempt:
    """A call that decided its orders: each confirmed or cancelled (status changes, with the
    store's events), the attempt recorded."""
    attempt = _attempt_record(
        lease=lease,
        operator=operator,
        result=result,
        notes=notes,
        at=at,
        reason=reason if result == CallResult.CANCELLED else "",
    )
    if result == CallResult.CONFIRMED:
        by_id = {str(d.order_id): d for d in decisions}
        chosen = [by_id[str(order.pk)] for order in orders]
    else:
        chosen = [OrderDecision(str(order.pk), Decision.CANCEL, reason=reason) for order in orders]
    for order, decision in zip(orders, chosen, strict=True):
        _order_decide(order=order, decision=decision, operator=operator, lease=lease)
    _call_end_record(attempt=attempt, orders=orders, lease=lease, operator=operator, at=at)
    return attempt


def _order_move(
    *, order: Order, place: tuple[str, datetime | None, User | None], lease: Lease, result: str
) -> OrderMove:
    state, next_call_at, callback_user = place
    return OrderMove(
        order=order,
        queue_state=state,
        next_call_at=next_call_at,
        callback_user_id=callback_user.pk if callback_user else None,
        attempts_count=order.attempts_count + 1,
        first_call_at=order.first_call_at or lease.claimed_at,
        event=queue_move_event_data(
            order=order, queue_state=state, next_call_at=next_call_at, data={"result": result}
        ),
    )


def _moves_write_orm(
    *,
    lease: Lease,
    operator: User,
    result: str,
    notes: str,
    callback_at: datetime | None,
    moves: list[OrderMove],
    at: datetime,
) -> CallAttempt:
    attempt = _attempt_record(
        lease=lease, operator=operator, result=result, notes=notes, at=at, callback_at=callback_at
    )
    for move in moves:
        orders_queue_move(
            orders=[move.order],
            queue_state=move.queue_state,
            fields={
                "lease_id": None,
                "lease_user": None,
                "lease_expires_at": None,
                "attempts_count": move.attempts_count,
                "first_call_at": move.first_call_at,
                "next_call_at": move.next_call_at,
                "callback_user": move.callback_user_id,
            },
            only_if=Q(lease_id=lease.pk, queue_state=QueueState.IN_CALL),
            actor=operator,
            data={"result": result},
            at=at,
        )
    orders = [move.order for move in moves]
    _call_end_record(attempt=attempt, orders=orders, lease=lease, operator=operator, at=at)
    return attempt


def _moves_write_pg(
    *,
    lease: Lease,
    operator: User,
    result: str,
    notes: str,
    callback_at: datetime | None,
    moves: list[OrderMove],
    at: datetime,
) -> CallAttempt:
    """The same rows as `_moves_write_orm`, in one statement (statements.py)."""
    attempt_id, moved = outcome_write(
        lease_id=lease.pk,
        operator_id=operator.pk,
        operator_label=actor_label_of(operator),
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        held_ids=lease.order_ids,
        started_at=lease.claimed_at,
        at=at,
        result=result,
        notes=notes,
        callback_at=callback_at,
        moves=moves,
        state=OperatorState.READY,
    )
    if moved != len(moves):
        raise orders_queue_conflict_error()
    lease.ended_at, lease.end_reason = at, LeaseEnd.OUTCOME
    attempt = CallAttempt(
        id=attempt_id,
        lease=lease,
        operator=operator,
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        started_at=lease.claimed_at,
        ended_at=at,
        result=result,
        notes=notes,
        callback_at=callback_at,
    )
    return as_saved(attempt)


def _next_place(
    *,
    order: Order,
    failed: tuple[int, int],
    policy: CallingPolicy,
    operator: User,
    result: str,
    callback_at: datetime | None,
    personal: bool,
    at: datetime,
) -> tuple[str, datetime | None, User | None]:
    """(queue state, next call time, callback operator) after a call that decided nothing."""
    windows = policy.week_windows()
    holidays = holidays_for(policy=policy, zone=order.timezone)
    if result == CallResult.CALLBACK:
        return QueueState.CALLBACK, callback_at, operator if personal else None
    if result == CallResult.PENDING_CHECK:
        if callback_at is not None:  # the other team named when they will answer
            return QueueState.PENDING_CHECK, callback_at, operator
        due = pending_check_due(
            at=at,
            zone=order.timezone,
            windows=windows,
            holidays=holidays,
            after=timedelta(minutes=policy.pending_check_minutes),
        )
        return QueueState.PENDING_CHECK, due or at, operator
    today, total = failed
    next_at = retry_next_at(
        ended_at=at,
        zone=order.timezone,
        windows=windows,
        rule=policy.retry_rule(result),
        attempts_today=today + 1,
        attempts_total=total + 1,
        min_gap=policy.min_gap,
        holidays=holidays,
    )
    if next_at is None:
        return QueueState.UNREACHABLE, None, None
    return QueueState.QUEUED, next_at, None


def _failed_attempts(*, orders: list[Order], at: datetime) -> dict[Any, tuple[int, int]]:
    """Per order, the unsuccessful attempts recorded so far: on the customer's local day, and in
    all (one read for every order of the call; an order has at most a few dozen attempts)."""
    starts: dict[Any, list[datetime]] = {order.pk: [] for order in orders}
    started = CallAttempt.orders.through.objects.filter(
        order_id__in=list(starts), callattempt__result__in=list(RETRY_RESULTS)
    ).values_list("order_id", "callattempt__started_at")
    for order_id, started_at in started:
        starts[order_id].append(started_at)
    return _failed_counts(orders=orders, starts=starts, at=at)


def _failed_counts(
    *, orders: list[Order], starts: dict[Any, list[datetime]], at: datetime
) -> dict[Any, tuple[int, int]]:
    """(today in the customer's zone, in all) from the attempts' start times."""
    counts = {}
    for order in orders:
        day_start = local_day_start(at=at, zone=order.timezone)
        started = starts.get(order.pk, [])
        counts[order.pk] = (sum(1 for moment in started if moment >= day_start), len(started))
    return counts


def _order_decide(*, order: Order, decision: OrderDecision, operator: User, lease: Lease) -> None:
    counters = {
        "attempts_count": order.attempts_count + 1,
        "first_call_at": order.first_call_at or lease.claimed_at,
    }
    if decision.decision == Decision.CONFIRM:
        day = decision.delivery_on or order.delivery_on or order.requested_delivery_on
        order_status_change(
            order=order,
            to=OrderStatus.CONFIRMED,
            actor=operator,
            extra_fields={**counters, "delivery_on": day, "needs_address_check": False},
        )
    else:
        order_status_change(
            order=order,
            to=OrderStatus.CANCELLED,
            actor=operator,
            reason=decision.reason,
            extra_fields=counters,
        )
