"""Reads for the pace of the shift (architecture: The operator's shift): when the next call is
offered (progressive mode), why the queue is empty, the customer whole on the card, and the
supervisor's numbers per operator for today."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from orderdesk.accounts.models import Role, User
from orderdesk.calling.models import (
    CallAttempt,
    CallResult,
    CallTask,
    CallTaskState,
    OperatorState,
    OperatorStateSlice,
    PauseCode,
)
from orderdesk.calling.rules import window_contains, window_next_open
from orderdesk.calling.selectors import (
    calling_policies_for,
    calling_policy_get,
    holidays_for,
    operator_state_current,
)
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.stores.models import Store

from .models import DeskPreference

# With nothing to call, a progressive desk asks again after this long.
EMPTY_QUEUE_RETRY_SECONDS = 30
CUSTOMER_ORDERS_SHOWN = 50


def progressive_of(*, operator: User) -> bool:
    """Progressive mode is on unless the operator turned it off."""
    return not DeskPreference.objects.filter(operator=operator, progressive=False).exists()


@dataclass(frozen=True)
class NextCallOffer:
    """What the idle desk does: with `countdown` set, it takes the next call by itself when the
    countdown reaches zero (the operator is ready and in progressive mode)."""

    progressive: bool
    countdown: int | None
    wrap_up_seconds: int


def next_call_offer(*, operator: User, at: datetime, empty: bool) -> NextCallOffer:
    """After an outcome the next call comes once the store's wrap-up time has passed since
    the last attempt ended; after an empty queue, a new try a little later."""
    progressive = progressive_of(operator=operator)
    current = operator_state_current(operator=operator)
    ready = current is not None and current.state == OperatorState.READY
    last = CallAttempt.objects.filter(operator=operator).order_by("-started_at").first()
    wrap_up = calling_policy_get(store=last.store_id).wrap_up_seconds if last else 0
    if not (progressive and ready):
        return NextCallOffer(progressive=progressive, countdown=None, wrap_up_seconds=wrap_up)
    if empty:
        return NextCallOffer(True, EMPTY_QUEUE_RETRY_SECONDS, wrap_up)
    left = 0
    if last is not None:
        left = wrap_up - int((at - last.ended_at).total_seconds())
    return NextCallOffer(True, max(0, min(left, wrap_up)), wrap_up)


@dataclass
class EmptyQueueReasons:
    """Why no call is waiting for this operator now."""

    outside_hours: int = 0
    next_window_at: datetime | None = None
    callbacks_later: int = 0
    next_callback_at: datetime | None = None
    waiting_later: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.outside_hours or self.callbacks_later or self.waiting_later)


def empty_queue_reasons(*, operator: User, at: datetime) -> EmptyQueueReasons:
    """The operator's waiting work, by store and customer's zone: due but outside the calling
    window (and when the first of those windows opens), and callbacks or retries due later."""
    stores = list(operator.stores.filter(is_active=True).values_list("pk", flat=True))
    tasks = CallTask.objects.filter(
        store_id__in=stores,
        state__in=[CallTaskState.QUEUED, CallTaskState.CALLBACK],
    ).filter(Q(callback_user=None) | Q(callback_user=operator))
    if operator.languages:
        tasks = tasks.filter(language__in=operator.languages)
    due_now = Q(due_at=None) | Q(due_at__lte=at)
    later = Q(due_at__gt=at)
    rows = tasks.values("store_id", "timezone").annotate(
        due=Count("pk", filter=due_now),
        callbacks_later=Count("pk", filter=later & Q(state=CallTaskState.CALLBACK)),
        waiting_later=Count("pk", filter=later & Q(state=CallTaskState.QUEUED)),
        next_callback=Min("due_at", filter=later & Q(state=CallTaskState.CALLBACK)),
    )
    policies = calling_policies_for(store_ids=stores)
    reasons = EmptyQueueReasons()
    for row in rows:
        reasons.callbacks_later += row["callbacks_later"]
        reasons.waiting_later += row["waiting_later"]
        if row["next_callback"] and (
            reasons.next_callback_at is None or row["next_callback"] < reasons.next_callback_at
        ):
            reasons.next_callback_at = row["next_callback"]
        if not row["due"]:
            continue
        policy, zone = policies[row["store_id"]], row["timezone"]
        windows, holidays = policy.week_windows(), holidays_for(policy=policy, zone=zone)
        if window_contains(at=at, zone=zone, windows=windows, holidays=holidays):
            continue
        reasons.outside_hours += row["due"]
        opens = window_next_open(at=at, zone=zone, windows=windows, holidays=holidays)
        if opens and (reasons.next_window_at is None or opens < reasons.next_window_at):
            reasons.next_window_at = opens
    return reasons


@dataclass
class CustomerHistory:
    """Every order of this customer in the store, closed ones included, with counts and totals."""

    orders: list[Order]
    count: int
    by_status: dict[str, int] = field(default_factory=dict)
    delivered_total: Decimal = Decimal(0)
    returned_total: Decimal = Decimal(0)
    currency: str = ""

    @property
    def delivered(self) -> int:
        return self.by_status.get(OrderStatus.DELIVERED, 0)

    @property
    def returned(self) -> int:
        return self.by_status.get(OrderStatus.RETURNED, 0)

    @property
    def cancelled(self) -> int:
        return self.by_status.get(OrderStatus.CANCELLED, 0)


def customer_history(*, store_id: int, customer_id: int) -> CustomerHistory:
    orders = Order.objects.filter(store_id=store_id, customer_id=customer_id)
    totals = orders.values("status").annotate(n=Count("pk"), total=Sum("total"))
    by_status = {row["status"]: row["n"] for row in totals}
    sums = {row["status"]: row["total"] or Decimal(0) for row in totals}
    shown = list(orders.order_by("-created_at", "-id")[:CUSTOMER_ORDERS_SHOWN])
    return CustomerHistory(
        orders=shown,
        count=sum(by_status.values()),
        by_status=by_status,
        delivered_total=sums.get(OrderStatus.DELIVERED, Decimal(0)),
        returned_total=sums.get(OrderStatus.RETURNED, Decimal(0)),
        currency=shown[0].currency if shown else "",
    )


@dataclass
class OperatorNumbers:
    """One operator's day: calls, calls per hour worked, confirmations, approval rate
    (confirmed of those decided), talk time, time in pause by reason."""

    operator: User
    calls: int = 0
    confirmed: int = 0
    cancelled: int = 0
    talk_seconds: int = 0
    worked_seconds: int = 0
    pause_seconds: dict[str, int] = field(default_factory=dict)

    @property
    def calls_per_hour(self) -> float | None:
        if self.worked_seconds < 60:
            return None
        return round(self.calls * 3600 / self.worked_seconds, 1)

    @property
    def approval_rate(self) -> int | None:
        decided = self.confirmed + self.cancelled
        return round(100 * self.confirmed / decided) if decided else None

    @property
    def pauses(self) -> list[tuple[str, int]]:
        labels = dict(PauseCode.choices)
        return [(str(labels.get(code, code)), s) for code, s in sorted(self.pause_seconds.items())]


def day_start(at: datetime) -> datetime:
    """Midnight of `at`'s day in the contact center's zone (the server's, stated on screen)."""
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def operators_today_numbers(*, stores: QuerySet[Store], now: datetime) -> list[OperatorNumbers]:
    """Per operator of these stores, since midnight: the calls of these stores' customers, and
    the time the operator worked (ready, in a call or paused) and paused, clipped to today."""
    since = day_start(now)
    operators = list(
        User.objects.filter(role=Role.OPERATOR, is_active=True, stores__in=stores)
        .distinct()
        .order_by("username")
    )
    rows = {op.pk: OperatorNumbers(operator=op) for op in operators}
    attempts = (
        CallAttempt.objects.filter(operator_id__in=rows, store__in=stores, started_at__gte=since)
        .exclude(result=CallResult.ABANDONED)
        .values("operator_id")
        .annotate(
            calls=Count("pk"),
            confirmed=Count("pk", filter=Q(result=CallResult.CONFIRMED)),
            cancelled=Count("pk", filter=Q(result=CallResult.CANCELLED)),
            talk=Sum("talk_seconds"),
        )
    )
    for row in attempts:
        numbers = rows[row["operator_id"]]
        numbers.calls, numbers.confirmed = row["calls"], row["confirmed"]
        numbers.cancelled, numbers.talk_seconds = row["cancelled"], row["talk"] or 0
    slices = OperatorStateSlice.objects.filter(operator_id__in=rows).filter(
        Q(ended_at=None) | Q(ended_at__gt=since)
    )
    for piece in slices.exclude(state=OperatorState.OFFLINE):
        seconds = _seconds_within(piece.started_at, piece.ended_at or now, since, now)
        numbers = rows[piece.operator_id]
        numbers.worked_seconds += seconds
        if piece.state == OperatorState.PAUSED:
            code = piece.pause_code or PauseCode.OTHER
            numbers.pause_seconds[code] = numbers.pause_seconds.get(code, 0) + seconds
    return list(rows.values())


def _seconds_within(start: datetime, end: datetime, since: datetime, until: datetime) -> int:
    return max(0, int((min(end, until) - max(start, since)).total_seconds()))
