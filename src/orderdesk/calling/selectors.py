"""Reads for calling: policies, which zones may be called now, the queue heads, leases, state."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

import holidays as holidays_lib
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from orderdesk.accounts.models import User
from orderdesk.orders.models import OPEN_STATUSES, Order, OrderStatus
from orderdesk.stores.models import Store

from .models import (
    OPEN_STATES,
    WAITING_STATES,
    CallingPolicy,
    CallPurpose,
    CallTask,
    CallTaskState,
    Lease,
    OperatorState,
    OperatorStateSlice,
    QueueTier,
)
from .rules import window_contains, zone_country


def calling_policy_get(*, store: Store | int) -> CallingPolicy:
    """The store's policy; an unsaved default one when the store has not configured calling."""
    store_id = store if isinstance(store, int) else store.pk
    policy = CallingPolicy.objects.filter(store_id=store_id).first()
    return policy or CallingPolicy(store_id=store_id)


def calling_policies_for(*, store_ids: Iterable[int]) -> dict[int, CallingPolicy]:
    ids = list(store_ids)
    policies = {p.store_id: p for p in CallingPolicy.objects.filter(store_id__in=ids)}
    return {
        store_id: policies.get(store_id) or CallingPolicy(store_id=store_id) for store_id in ids
    }


@lru_cache(maxsize=64)
def _country_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays_lib.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


class CountryHolidays:
    """Public holidays of a country, as a date container for the pure window rules."""

    def __init__(self, country: str | None):
        self.country = country

    def __contains__(self, day: object) -> bool:
        if self.country is None or not isinstance(day, date):
            return False
        return day in _country_holidays(self.country, day.year)


def holidays_for(*, policy: CallingPolicy, zone: str) -> CountryHolidays:
    """The holidays that close the window for a customer in `zone` (none unless the store says)."""
    return CountryHolidays(zone_country(zone) if policy.holidays_off else None)


def queue_zones_present() -> list[str]:
    """The distinct time zones of waiting tasks: a loose index scan over calling_task_zone_idx
    (one index probe per zone, not one row per task), each probe the ORM's."""
    zones: list[str] = []
    waiting = CallTask.objects.filter(state__in=WAITING_STATES).order_by("timezone")
    while True:
        rest = waiting.filter(timezone__gt=zones[-1]) if zones else waiting
        zone = rest.values_list("timezone", flat=True).first()
        if zone is None:
            return zones
        zones.append(zone)


def zones_open(*, policy: CallingPolicy, zones: Iterable[str], at: datetime) -> list[str]:
    """The zones whose local time `at` is inside the store's calling window (DESIGN: computed
    here, handed to the queue query as `timezone IN (…)`)."""
    windows = policy.week_windows()
    return sorted(
        zone
        for zone in zones
        if window_contains(
            at=at, zone=zone, windows=windows, holidays=holidays_for(policy=policy, zone=zone)
        )
    )


@dataclass(frozen=True)
class QueueScope:
    """What one operator may dial now: per store, the zones inside its window; their languages."""

    zones_by_store: dict[int, list[str]]
    policies: dict[int, CallingPolicy]
    languages: tuple[str, ...]

    def q(self) -> Q:
        scope = Q(pk__in=[])
        for store_id, zones in self.zones_by_store.items():
            scope |= Q(store_id=store_id, timezone__in=zones)
        if self.languages:
            scope &= Q(language__in=self.languages)
        return scope


@dataclass(frozen=True)
class ClaimStart:
    """The calling policy of every active store the operator works (a default one where the
    store has none), by store id, and the zones of the waiting tasks."""

    policies: dict[int, CallingPolicy]
    zones: list[str]


def claim_start_read(*, operator: User) -> ClaimStart:
    """No zones are read for an operator without stores."""
    stores = operator.stores.filter(is_active=True).select_related("calling_policy")
    policies = {
        store.pk: getattr(store, "calling_policy", None) or CallingPolicy(store_id=store.pk)
        for store in stores
    }
    return ClaimStart(policies=policies, zones=queue_zones_present() if policies else [])


def queue_scope_for(
    *, operator: User, at: datetime, start: ClaimStart | None = None
) -> QueueScope | None:
    """None when the operator works no active store or every customer is outside the window.
    `start`: what the claim has read already (read here when not given)."""
    start = start or claim_start_read(operator=operator)
    policies, present = start.policies, start.zones
    if not policies:
        return None
    store_ids = list(policies)
    zones_by_store = {
        store_id: zones
        for store_id in store_ids
        if (zones := zones_open(policy=policies[store_id], zones=present, at=at))
    }
    if not zones_by_store:
        return None
    return QueueScope(
        zones_by_store=zones_by_store,
        policies=policies,
        languages=tuple(operator.languages or ()),
    )


class QueueHead(NamedTuple):
    """The task a claim starts from."""

    id: UUID
    store_id: int
    customer_id: int


# The tiers' conditions; each has its partial index (CallTask.Meta.indexes).
TIER_FILTERS: dict[str, Q] = {
    QueueTier.CALLBACKS: Q(state=CallTaskState.CALLBACK, callback_user__isnull=True),
    QueueTier.NEW_CONFIRMATIONS: Q(
        state=CallTaskState.QUEUED, purpose=CallPurpose.CONFIRMATION, attempts_count=0
    ),
    QueueTier.DELIVERY_PROBLEMS: Q(
        state=CallTaskState.QUEUED, purpose=CallPurpose.DELIVERY_PROBLEM
    ),
    QueueTier.RETRIES: Q(
        state=CallTaskState.QUEUED, purpose=CallPurpose.CONFIRMATION, attempts_count__gt=0
    ),
    QueueTier.OTHER: Q(
        state=CallTaskState.QUEUED, purpose__in=[CallPurpose.FEEDBACK, CallPurpose.BACK_IN_STOCK]
    ),
}
# Candidates per read: the first depth serves the usual case; the next ones when every
# candidate of the one before was held by other claimers at that instant.
QUEUE_HEAD_DEPTHS = (8, 64, 1024)


def _due(*, scope: QueueScope, at: datetime, skipped: Iterable[int]) -> QuerySet[CallTask]:
    due = CallTask.objects.filter(due_at__lte=at)
    if scope.languages:
        due = due.filter(language__in=scope.languages)
    skipped = list(skipped)
    return due.exclude(customer_id__in=skipped) if skipped else due


def _personal_callbacks(
    *, scope: QueueScope, operator: User, at: datetime, skipped: Iterable[int], depth: int
) -> QuerySet[CallTask]:
    """This operator's own due callbacks, whatever the store's tiers say: the customer was
    promised this operator at this time. Few rows: one index range, then the scope."""
    return (
        _due(scope=scope, at=at, skipped=skipped)
        .filter(scope.q(), state=CallTaskState.CALLBACK, callback_user=operator)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:depth]
    )


def _rank_candidates(
    *, scope: QueueScope, rank: int, at: datetime, skipped: Iterable[int], depth: int
) -> QuerySet[CallTask] | None:
    """The `depth` most overdue tasks of the tier each store puts at `rank`, read per (store,
    zone) so each branch is one probe into its tier's index in due order; None when no store
    has a tier at that rank."""
    due = _due(scope=scope, at=at, skipped=skipped)
    branches = [
        due.filter(TIER_FILTERS[tiers[rank]], store_id=store_id, timezone=zone)
        .order_by("due_at", "id")
        .values_list("id", "due_at")[:depth]
        for store_id, zones in scope.zones_by_store.items()
        if rank < len(tiers := scope.policies[store_id].tier_order())
        for zone in zones
    ]
    if not branches:
        return None
    if len(branches) == 1:
        return branches[0]
    return branches[0].union(*branches[1:], all=True).order_by("due_at", "id")[:depth]


def queue_head_lock(
    *, scope: QueueScope, operator: User, at: datetime, skipped: Iterable[int]
) -> QueueHead | None:
    """The most urgent due task for this operator, locked (in the caller's transaction) with
    SKIP LOCKED; None when nothing unlocked is due. The claim order (SPEC 4): this operator's
    own callbacks, then each store's tiers in its order (default: callbacks for anyone, new
    confirmations, delivery problems, retries, the rest), each by due time. The customers in
    `skipped` are passed over. Candidates are read first, then the first one still waiting is
    locked: a candidate another claimer leased meanwhile is passed over unlocked."""
    skipped = list(skipped)
    reads = [
        lambda depth: _personal_callbacks(
            scope=scope, operator=operator, at=at, skipped=skipped, depth=depth
        )
    ]
    ranks = max(len(policy.tier_order()) for policy in scope.policies.values())
    for rank in range(ranks):
        reads.append(
            lambda depth, rank=rank: _rank_candidates(
                scope=scope, rank=rank, at=at, skipped=skipped, depth=depth
            )
        )
    for read in reads:
        for depth in QUEUE_HEAD_DEPTHS:
            query = read(depth)
            rows = list(query) if query is not None else []
            candidates = [row if isinstance(row, UUID) else row[0] for row in rows]
            if not candidates:
                break
            head = _candidate_lock(candidates=candidates, operator=operator, at=at)
            if head is not None:
                return head
            if len(candidates) < depth:  # the read gave all it has: deeper finds no more
                break
    return None


def _candidate_lock(*, candidates: list[UUID], operator: User, at: datetime) -> QueueHead | None:
    """The first candidate, in the order given, that is still waiting and due and that no
    other claimer holds, locked."""
    position = Case(
        *(When(pk=task_id, then=Value(i)) for i, task_id in enumerate(candidates)),
        output_field=IntegerField(),
    )
    row = (
        CallTask.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=candidates, due_at__lte=at)
        .filter(
            Q(state=CallTaskState.QUEUED)
            | Q(state=CallTaskState.CALLBACK, callback_user__isnull=True)
            | Q(state=CallTaskState.CALLBACK, callback_user=operator)
        )
        .order_by(position)
        .values_list("id", "store_id", "customer_id")
        .first()
    )
    return QueueHead(*row) if row is not None else None


def customer_waiting_tasks(*, store_id: int, customer_id: int, at: datetime) -> QuerySet[CallTask]:
    """The customer's tasks a lease takes along: every waiting confirmation (due or not: the
    customer is on the line) of an order still awaiting it, and every other waiting task due
    now. Tasks parked for a check or with a supervisor are shown in the call, not held."""
    return CallTask.objects.filter(
        Q(purpose=CallPurpose.CONFIRMATION, order__status=OrderStatus.AWAITING_CONFIRMATION)
        | (~Q(purpose=CallPurpose.CONFIRMATION) & Q(due_at__lte=at)),
        store_id=store_id,
        customer_id=customer_id,
        state__in=WAITING_STATES,
    ).order_by("created_at", "id")


def lease_live_of(*, operator: User) -> Lease | None:
    return Lease.objects.filter(operator=operator, ended_at__isnull=True).first()


def lease_orders(*, lease: Lease) -> list[Order]:
    """Every open order of the lease's customer in its store and every order a held task is
    about (a delivered one, for feedback), oldest first (the call card)."""
    return list(
        Order.objects.filter(
            Q(status__in=OPEN_STATUSES) | Q(pk__in=lease.order_ids),
            store_id=lease.store_id,
            customer_id=lease.customer_id,
        )
        .select_related("store", "customer", "locality", "carrier")
        .prefetch_related("items")
        .order_by("created_at", "id")
    )


def lease_get(*, lease_id, operator: User) -> Lease:
    """A lease of this operator; another operator's lease is 'not found' (SPEC 11)."""
    lease = Lease.objects.filter(pk=lease_id, operator=operator).first()
    if lease is None:
        raise Http404(f"lease {lease_id} not found")
    return lease


def operator_state_current(*, operator: User) -> OperatorStateSlice | None:
    return OperatorStateSlice.objects.filter(operator=operator, ended_at__isnull=True).first()


def operators_working(*, operator_ids: Iterable[int]) -> set[int]:
    """Which of these operators are ready or in a call right now."""
    return set(
        OperatorStateSlice.objects.filter(
            operator_id__in=list(operator_ids),
            ended_at__isnull=True,
            state__in=[OperatorState.READY, OperatorState.IN_CALL],
        ).values_list("operator_id", flat=True)
    )


def cancel_reasons_for(*, store: Store | int) -> list[tuple[str, str]]:
    """(code, label) pairs the operator picks a cancellation reason from."""
    return calling_policy_get(store=store).cancel_reason_choices()


def order_tasks_parts(orders: Sequence[Order]) -> dict[Any, dict[str, Any]]:
    """What an order's representation shows of calling (SPEC 11): its open call tasks and,
    while it awaits confirmation, its queue state (the confirmation task's state). One read
    for all the orders (registered with orders.extensions.representation_part)."""
    parts: dict[Any, dict[str, Any]] = {
        order.pk: {"queue_state": None, "tasks": []} for order in orders
    }
    if not orders:
        return parts
    tasks = CallTask.objects.filter(order_id__in=list(parts), state__in=OPEN_STATES).order_by(
        "created_at", "id"
    )
    awaiting = {o.pk for o in orders if o.status == OrderStatus.AWAITING_CONFIRMATION}
    for task in tasks:
        part = parts[task.order_id]
        part["tasks"].append(
            {
                "id": str(task.pk),
                "purpose": task.purpose,
                "state": task.state,
                "due_at": task.due_at.isoformat() if task.due_at else None,
                "reason": task.reason,
            }
        )
        if task.purpose == CallPurpose.CONFIRMATION and task.order_id in awaiting:
            part["queue_state"] = task.state
    return parts


def confirmation_task_of(*, order: Order | Any) -> CallTask | None:
    """The order's confirmation task: the open one, else the last closed one."""
    order_id = getattr(order, "pk", order)
    return (
        CallTask.objects.filter(order_id=order_id, purpose=CallPurpose.CONFIRMATION)
        .order_by(Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1)), "-created_at")
        .first()
    )


def lease_tasks(*, lease: Lease) -> list[CallTask]:
    """The tasks the lease took, in the order taken."""
    tasks = {str(t.pk): t for t in CallTask.objects.filter(pk__in=lease.task_ids)}
    return [tasks[task_id] for task_id in lease.task_ids if task_id in tasks]
