"""Recording how a call ended: one attempt row, and every task of the lease moved accordingly.

`call_outcome_record` is what the API and the operator workspace call. It refuses with
`ValidationFailed` (422) listing every failing check by field (`result`, `callback_at`, `reason`,
`orders[<order id>].<field>`; the checks live in calling.checks), with 409 LEASE_NOT_HELD once
the lease is gone, and with 404 for another operator's lease. Submitting the same result twice
returns the first recording (`replayed`) and changes nothing again."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ValidationFailed
from orderdesk.delivery.models import Carrier
from orderdesk.delivery.selectors import order_delivery_dates
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orderdesk.orders.services import actor_label_of, order_status_change

from ..checks import (
    OUTCOME_RESULT_INVALID,
    Decision,
    OrderDecision,
    check_error,
    outcome_errors,
)
from ..extensions import resolution_errors, resolutions_apply
from ..models import (
    OUTCOME_RESULTS,
    RETRY_RESULTS,
    CallAttempt,
    CallingPolicy,
    CallPurpose,
    CallResult,
    CallTask,
    CallTaskState,
    Lease,
    LeaseEnd,
    OperatorState,
)
from ..rules import local_day_start, pending_check_due, retry_next_at
from ..selectors import holidays_for
from .leases import attempt_links_write, lease_abandon, lease_lock, lease_not_held_error
from .operators import operator_state_set
from .tasks import tasks_move

DECIDING_RESULTS = frozenset({CallResult.CONFIRMED, CallResult.CANCELLED, CallResult.RESOLVED})


@dataclass
class OutcomeResult:
    """The attempt recorded and the lease it closed; the orders as they are now are read when
    first asked for (the API answers with them; the queue loop does not need them)."""

    attempt: CallAttempt
    lease: Lease
    replayed: bool = False

    @cached_property
    def orders(self) -> list[Order]:
        return list(
            Order.objects.filter(pk__in=self.lease.order_ids)
            .select_related("store", "customer", "locality", "carrier")
            .prefetch_related("items")
            .order_by("created_at", "id")
        )


@dataclass
class Held:
    """What the lease still holds, locked: its tasks, and the orders its confirmation tasks
    decide (every field: the confirmation's checks and the store's events need them)."""

    tasks: list[CallTask]
    orders: list[Order]


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
    """Record the outcome of the call on `lease_id` and move its tasks (architecture: The confirmation call; Calling policy; Interfaces).

    - no_answer / busy / bad_connection: retry per the store's rule for that result, never in
      the night gap; exhausted → unreachable. wrong_number: unreachable, for a supervisor.
    - callback: at `callback_at` (inside the customer's window; without an offset it is read as
      the customer's local time), `personal` → only this operator.
    - pending_check: parked until `callback_at` when given, else about an hour later (the next
      morning from 16:00 local), then a callback to this operator.
    - cancelled: every held order, `reason` from the store's list.
    - confirmed: `decisions` for every held order (confirm with a delivery date the zone can
      serve, or cancel with a reason).
    - resolved: the held calls that are not confirmations did their job.
    Whatever decides the call closes its other tasks too: the customer was reached."""
    at = at or timezone.now()
    if result not in OUTCOME_RESULTS:
        message = _("Unknown call result.")
        raise ValidationFailed([check_error("result", OUTCOME_RESULT_INVALID, message)])
    with transaction.atomic():
        lease, policy = lease_lock(lease_id=lease_id, operator=operator)
        if lease.is_live and lease.expires_at > at:
            return _outcome_apply(
                lease=lease,
                policy=policy,
                operator=operator,
                result=result,
                notes=notes.strip(),
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
    held = _held_lock(lease=lease, deciding=result in DECIDING_RESULTS)
    if callback_at is not None and timezone.is_naive(callback_at) and held.tasks:
        # A time without an offset is the customer's wall-clock time, as they said it.
        callback_at = callback_at.replace(tzinfo=ZoneInfo(held.tasks[0].timezone))
    errors = outcome_errors(
        orders=held.orders if result in DECIDING_RESULTS else held.tasks,
        policy=policy,
        result=result,
        callback_at=callback_at,
        reason=reason,
        decisions=decisions,
        at=at,
    )
    if result == CallResult.RESOLVED:
        errors += resolution_errors(tasks=held.tasks, decisions=decisions, at=at)
    if errors:
        raise ValidationFailed(errors)
    # Read before this call's attempt is recorded: the retry rule adds this one itself.
    failed = _failed_counts(tasks=held.tasks, at=at) if result in RETRY_RESULTS else {}
    attempt = CallAttempt.objects.create(
        lease=lease,
        operator=operator,
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        started_at=lease.claimed_at,
        ended_at=at,
        result=result,
        notes=notes,
        callback_at=callback_at if result == CallResult.CALLBACK else None,
        reason=reason if result == CallResult.CANCELLED else "",
    )
    attempt_links_write(attempt=attempt, lease=lease)
    if result in DECIDING_RESULTS:
        _tasks_count_attempt(tasks=held.tasks, lease=lease)
        _orders_decide(held=held, operator=operator, result=result, reason=reason,
                       decisions=decisions, at=at)  # fmt: skip
    else:
        places = [
            _next_place(task=task, failed=failed.get(task.pk, (0, 0)), policy=policy,
                        operator=operator, result=result, callback_at=callback_at,
                        personal=personal, at=at)
            for task in held.tasks
        ]  # fmt: skip
        _tasks_place(tasks=held.tasks, places=places, lease=lease, result=result,
                     operator=operator, at=at)  # fmt: skip
        if result in RETRY_RESULTS:
            _unreachable_notify(tasks=held.tasks, at=at)
    _call_end_record(attempt=attempt, held=held, lease=lease, operator=operator, at=at)
    return OutcomeResult(attempt=attempt, lease=lease)


def _unreachable_notify(*, tasks: list[CallTask], at: datetime) -> None:
    """A failed confirmation call may be worth a message to the customer ("we could not
    reach you", with their private link): the messaging part decides, by the store's count
    of failed calls (orders.extensions.customer_notify)."""
    order_ids = [t.order_id for t in tasks if t.purpose == CallPurpose.CONFIRMATION]
    if not order_ids:
        return
    orders = Order.objects.filter(
        pk__in=order_ids, status=OrderStatus.AWAITING_CONFIRMATION
    ).select_related("store", "customer", "locality", "carrier")
    for order in orders:
        customer_notify(order=order, event="unreachable", at=at)


def _held_lock(*, lease: Lease, deciding: bool) -> Held:
    """The tasks the lease still holds, locked, in the order taken; when the call decides its
    orders, the orders of its confirmation tasks, locked, oldest first (a retry or a callback
    moves tasks only)."""
    tasks = list(
        CallTask.objects.select_for_update(of=("self",))
        .filter(lease=lease, state=CallTaskState.IN_CALL)
        .order_by("created_at", "id")
    )
    if not deciding:
        return Held(tasks=tasks, orders=[])
    deciding = [t.order_id for t in tasks if t.purpose == CallPurpose.CONFIRMATION]
    orders = list(
        Order.objects.select_for_update(of=("self",))
        .filter(pk__in=deciding, status=OrderStatus.AWAITING_CONFIRMATION)
        .select_related("store", "customer", "locality", "carrier")
        .order_by("created_at", "id")
    )
    return Held(tasks=tasks, orders=orders)


def _attempt_counted(lease: Lease) -> dict:
    """Each held task had one more call; the first one started when the lease was taken."""
    return {
        "attempts_count": F("attempts_count") + 1,
        "first_call_at": Coalesce("first_call_at", Value(lease.claimed_at)),
    }


def _tasks_count_attempt(*, tasks: list[CallTask], lease: Lease) -> None:
    """A call that decides: its tasks count it before the decisions close them."""
    CallTask.objects.filter(pk__in=[t.pk for t in tasks]).update(**_attempt_counted(lease))
    for task in tasks:
        task.attempts_count += 1
        task.first_call_at = task.first_call_at or lease.claimed_at


def _call_end_record(
    *, attempt: CallAttempt, held: Held, lease: Lease, operator: User, at: datetime
) -> None:
    """The attempt on each order's timeline, the lease ended, the operator back in the state
    they chose (ready, or the pause they asked for during the call)."""
    order_ids = list(dict.fromkeys(task.order_id for task in held.tasks))
    numbers = _attempt_numbers(order_ids)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=order_id,
            type=OrderEventType.CALL_ATTEMPT,
            actor=operator,
            actor_label=actor_label_of(operator),
            created_at=at,
            data={
                "attempt": attempt.pk,
                "number": numbers.get(order_id, 1),
                "result": attempt.result,
                "notes": attempt.notes,
            },
        )
        for order_id in order_ids
    )
    lease.ended_at, lease.end_reason = at, LeaseEnd.OUTCOME
    lease.save(update_fields=["ended_at", "end_reason"])
    operator_state_set(
        operator=operator,
        state=lease.then_state or OperatorState.READY,
        pause_code=lease.then_pause_code,
        at=at,
    )


def _attempt_numbers(order_ids: list) -> dict:
    """Each order's count of call attempts, this one included: the attempt's ordinal for that
    order, which the timeline shows (the attempt's id names a row, not a call)."""
    links = CallAttempt.orders.through.objects.filter(order_id__in=order_ids)
    return dict(links.values("order_id").annotate(n=Count("id")).values_list("order_id", "n"))


def _orders_decide(
    *,
    held: Held,
    operator: User,
    result: str,
    reason: str,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> None:
    """A call that decided its orders: each confirmed or cancelled (the status change closes
    its confirmation task: tasks.confirmation_tasks_close); the call's other tasks are done."""
    if result == CallResult.CONFIRMED:
        by_id = {str(d.order_id): d for d in decisions}
        chosen = [by_id[str(order.pk)] for order in held.orders]
    else:
        chosen = [
            OrderDecision(str(order.pk), Decision.CANCEL, reason=reason) for order in held.orders
        ]
    for order, decision in zip(held.orders, chosen, strict=True):
        _order_decide(order=order, decision=decision, operator=operator)
    others = [t for t in held.tasks if t.purpose != CallPurpose.CONFIRMATION]
    if result == CallResult.RESOLVED:
        resolutions_apply(tasks=others, decisions=decisions, operator=operator, at=at)
    tasks_move(
        tasks=others,
        state=CallTaskState.DONE,
        only_if=Q(state=CallTaskState.IN_CALL),
        actor=operator,
        data={"result": result},
        at=at,
    )


def order_confirm(
    *,
    order: Order,
    delivery_on: date | None,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
) -> Order:
    """The one confirmation of an order, after `order_confirm_errors` found nothing: by a
    call's outcome or by the customer on their private page. The agreed date is set, the
    address check is done with, and the status change closes the confirmation call (whoever
    holds it meanwhile finds the order confirmed)."""
    day = delivery_on or order.delivery_on or order.requested_delivery_on
    fields: dict[str, Any] = {"delivery_on": day, "needs_address_check": False}
    if order.carrier_id is None:
        fields["carrier"] = _carrier_promised(order=order)
    return order_status_change(
        order=order,
        to=OrderStatus.CONFIRMED,
        actor=actor,
        actor_label=actor_label,
        extra_fields=fields,
        data=data,
    )


def _carrier_promised(*, order: Order) -> Carrier | None:
    """The carrier whose rules gave the dates the confirmation promised, for an order that came
    without one: the order is dispatched and shipped with that carrier."""
    dates = order_delivery_dates(order=order, at=timezone.now())
    if dates is None or not dates.carrier:
        return None
    return Carrier.objects.filter(code=dates.carrier).first()


def _order_decide(*, order: Order, decision: OrderDecision, operator: User) -> None:
    if decision.decision == Decision.CONFIRM:
        order_confirm(order=order, delivery_on=decision.delivery_on, actor=operator)
    else:
        order_status_change(
            order=order, to=OrderStatus.CANCELLED, actor=operator, reason=decision.reason
        )


def _tasks_place(
    *,
    tasks: list[CallTask],
    places: list[tuple[str, datetime | None, User | None]],
    lease: Lease,
    result: str,
    operator: User,
    at: datetime,
) -> None:
    """Each task to its next place; tasks going to the same place move together (a customer's
    tasks in one zone usually do: one UPDATE and one insert of their events)."""
    together: dict[tuple, list[CallTask]] = {}
    for task, (state, due_at, callback_user) in zip(tasks, places, strict=True):
        key = (state, due_at, callback_user.pk if callback_user else None)
        together.setdefault(key, []).append(task)
    for (state, due_at, callback_user_id), group in together.items():
        tasks_move(
            tasks=group,
            state=state,
            fields={
                "lease": None,
                "due_at": due_at,
                "callback_user_id": callback_user_id,
                **_attempt_counted(lease),
            },
            only_if=Q(lease=lease, state=CallTaskState.IN_CALL),
            actor=operator,
            data={"result": result},
            at=at,
        )


def _next_place(
    *,
    task: CallTask,
    failed: tuple[int, int],
    policy: CallingPolicy,
    operator: User,
    result: str,
    callback_at: datetime | None,
    personal: bool,
    at: datetime,
) -> tuple[str, datetime | None, User | None]:
    """(state, next call time, callback operator) after a call that decided nothing."""
    windows = policy.week_windows()
    holidays = holidays_for(policy=policy, zone=task.timezone)
    if result == CallResult.CALLBACK:
        return CallTaskState.CALLBACK, callback_at, operator if personal else None
    if result == CallResult.PENDING_CHECK:
        if callback_at is not None:  # the other team named when they will answer
            return CallTaskState.PENDING_CHECK, callback_at, operator
        due = pending_check_due(
            at=at,
            zone=task.timezone,
            windows=windows,
            holidays=holidays,
            after=timedelta(minutes=policy.pending_check_minutes),
        )
        return CallTaskState.PENDING_CHECK, due or at, operator
    today, total = failed
    next_at = retry_next_at(
        ended_at=at,
        zone=task.timezone,
        windows=windows,
        rule=policy.retry_rule(result),
        attempts_today=today + 1,
        attempts_total=total + 1,
        min_gap=policy.min_gap,
        holidays=holidays,
    )
    if next_at is None:
        return CallTaskState.UNREACHABLE, None, None
    return CallTaskState.QUEUED, next_at, None


def _failed_counts(*, tasks: list[CallTask], at: datetime) -> dict[Any, tuple[int, int]]:
    """Per task, its unsuccessful attempts so far: on the customer's local day, and in all (one
    read for every task of the call; a task has at most a few dozen attempts)."""
    starts: dict[Any, list[datetime]] = {task.pk: [] for task in tasks}
    started = CallAttempt.tasks.through.objects.filter(
        calltask_id__in=list(starts), callattempt__result__in=list(RETRY_RESULTS)
    ).values_list("calltask_id", "callattempt__started_at")
    for task_id, started_at in started:
        starts[task_id].append(started_at)
    counts = {}
    for task in tasks:
        day_start = local_day_start(at=at, zone=task.timezone)
        moments = starts.get(task.pk, [])
        counts[task.pk] = (sum(1 for moment in moments if moment >= day_start), len(moments))
    return counts
