"""Reads for calling: policies, which zones may be called now, the queue heads, leases, state."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

import holidays as holidays_lib
from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When

from orderdesk.accounts.models import User
from orderdesk.core.sql import instance_from_row, model_columns, sql_fetch
from orderdesk.orders.models import OPEN_STATUSES, Customer, Order, OrderStatus
from orderdesk.stores.models import Store

from .models import (
    NOT_CONTACTED_RESULTS,
    OPEN_STATES,
    TIER_CONDITIONS,
    WAITING_STATES,
    AddressCheck,
    CallAttempt,
    CallingPolicy,
    CallPurpose,
    CallResult,
    CallTask,
    CallTaskState,
    Lease,
    LeaseEnd,
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


def _zones_present_sql() -> str:
    """`WITH RECURSIVE z(tz)`, the zones present: a loose index scan over calling_task_zone_idx: one index probe per distinct zone of the
    waiting tasks instead of one row per task (PostgreSQL has no skip scan for DISTINCT).
    Table and column names come from the model; the states are the model's constants."""
    table = CallTask._meta.db_table
    zone = CallTask._meta.get_field("timezone").column
    state = CallTask._meta.get_field("state").column
    waiting = ", ".join(f"'{s}'" for s in WAITING_STATES)
    return f"""
        WITH RECURSIVE z(tz) AS (
            (SELECT {zone} FROM {table} WHERE {state} IN ({waiting}) ORDER BY {zone} LIMIT 1)
            UNION ALL
            SELECT (SELECT t.{zone} FROM {table} t
                    WHERE t.{state} IN ({waiting}) AND t.{zone} > z.tz
                    ORDER BY t.{zone} LIMIT 1)
            FROM z WHERE z.tz IS NOT NULL
        )
    """  # noqa: S608 (names from the model, states from its constants)


ZONES_PRESENT_SQL = _zones_present_sql() + " SELECT tz FROM z WHERE tz IS NOT NULL"  # noqa: S608 (built from the model only)


def queue_zones_present() -> list[str]:
    """The distinct time zones of waiting tasks, in one statement through Django's cursor
    (a query per zone through the ORM cost a round trip each: 13 with Russia and Kazakhstan)."""
    with connection.cursor() as cursor:
        cursor.execute(ZONES_PRESENT_SQL)
        return [row[0] for row in cursor.fetchall()]


def zones_open(*, policy: CallingPolicy, zones: Iterable[str], at: datetime) -> list[str]:
    """The zones whose local time `at` is inside the store's calling window (architecture: The call queue: computed
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
    store has none), by store id; the zones of the waiting tasks; the operator's live lease,
    if any (its id)."""

    policies: dict[int, CallingPolicy]
    zones: list[str]
    live_lease_id: UUID | None = None


@lru_cache(maxsize=1)
def _claim_start_sql() -> str:
    """What a claim reads first, in one statement: the operator's live lease, the policies of
    the active stores they work, and the zones present (the recursive read of
    `queue_zones_present`). One row even for an operator of no store. Measured: as three ORM
    reads it cost a claim some 2 ms of Python (bench/queue.py). Names from the models."""
    links = User.stores.through._meta
    store, policy, lease = Store._meta, CallingPolicy._meta, Lease._meta
    return f"""
        {_zones_present_sql()}
        SELECT {model_columns(CallingPolicy, "p")}, s.{store.pk.column},
               ARRAY(SELECT tz FROM z WHERE tz IS NOT NULL),
               (SELECT l.{lease.pk.column} FROM {lease.db_table} l
                 WHERE l.{lease.get_field("operator").column} = %(user)s
                   AND l.{lease.get_field("ended_at").column} IS NULL)
        FROM (SELECT 1) AS one
        LEFT JOIN ({links.db_table} us
                   JOIN {store.db_table} s
                     ON s.{store.pk.column} = us.{links.get_field("store").column}
                    AND s.{store.get_field("is_active").column})
          ON us.{links.get_field("user").column} = %(user)s
        LEFT JOIN {policy.db_table} p
          ON p.{policy.get_field("store").column} = s.{store.pk.column}
    """  # noqa: S608 (names from the models)


def claim_start_read(*, operator: User) -> ClaimStart:
    rows = sql_fetch(_claim_start_sql(), {"user": operator.pk})
    width = len(CallingPolicy._meta.concrete_fields)
    policies = {
        row[width]: (
            instance_from_row(CallingPolicy, row[:width])
            if row[0] is not None
            else CallingPolicy(store_id=row[width])
        )
        for row in rows
        if row[width] is not None
    }
    return ClaimStart(policies=policies, zones=rows[0][width + 1], live_lease_id=rows[0][-1])


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


# Candidates per read: the first depth serves the usual case; the next ones when every
# candidate of the one before was held by other claimers at that instant.
QUEUE_HEAD_DEPTHS = (8, 64, 1024)
_TASK = CallTask._meta.db_table


def _column(name: str) -> str:
    return CallTask._meta.get_field(name).column


@lru_cache(maxsize=1)
def _tier_where(tier: str) -> str:
    """The tier's condition (models.TIER_CONDITIONS, which its partial index is built from) as
    SQL on the alias `t`, compiled by Django itself so the read and the index cannot differ."""
    query = CallTask.objects.filter(TIER_CONDITIONS[tier]).query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    return connection.ops.compose_sql(where, params).replace(f'"{_TASK}".', "t.")


@lru_cache(maxsize=1)
def _candidates_sql() -> str:
    """One statement for the queue's head candidates, whatever the stores' tiers and zones:
    this operator's own due callbacks (rank -1), then per tier one LATERAL probe per (store,
    zone) inside its window into the tier's partial index, in due order, each tier at the rank
    its store gives it. The shape is fixed (the stores, zones and ranks come as arrays), so the
    text never changes and PostgreSQL plans it once per connection. Names from the model.
    Measured: built through the ORM as a union of a branch per (store, zone) and tier, the
    Python that composes it cost some 30 ms a claim (bench/queue.py), the database 1-2 ms."""
    common = f"""
        t.{_column("due_at")} <= %(at)s
        AND (cardinality(%(languages)s::text[]) = 0 OR t.{_column("language")} = ANY(%(languages)s))
        AND t.{_column("customer")} <> ALL(%(skipped)s::bigint[])"""
    order = f"t.{_column('due_at')}, t.{_column('id')}"
    personal = f"""
        SELECT t.{_column("id")} AS id, -1 AS rank, t.{_column("due_at")} AS due_at
        FROM {_TASK} t
        JOIN unnest(%(stores)s::bigint[], %(zones)s::text[]) AS z(store_id, tz)
          ON t.{_column("store")} = z.store_id AND t.{_column("timezone")} = z.tz
        WHERE t.{_column("state")} = '{CallTaskState.CALLBACK}'
          AND t.{_column("callback_user")} = %(operator)s AND {common}
        ORDER BY {order} LIMIT %(depth)s"""  # noqa: S608 (names from the model)
    tiers = [
        f"""
        SELECT c.id, c.rank, c.due_at
        FROM unnest(%(stores)s::bigint[], %(zones)s::text[], %(rank_{tier})s::int[])
             AS z(store_id, tz, rank)
        CROSS JOIN LATERAL (
            SELECT t.{_column("id")} AS id, z.rank AS rank, t.{_column("due_at")} AS due_at
            FROM {_TASK} t
            WHERE t.{_column("store")} = z.store_id AND t.{_column("timezone")} = z.tz
              AND {_tier_where(tier)} AND {common}
            ORDER BY {order} LIMIT %(depth)s
        ) c"""  # noqa: S608 (names from the model, conditions compiled by Django)
        for tier in QueueTier.values
    ]
    branches = " UNION ALL ".join(f"({branch})" for branch in [personal, *tiers])
    return f"""
        SELECT candidate.id FROM ({branches}) AS candidate
        ORDER BY candidate.rank, candidate.due_at, candidate.id
        LIMIT %(depth)s
    """  # noqa: S608 (names from the model, conditions compiled by Django)


def _candidates_params(*, scope: QueueScope, operator: User, at: datetime, skipped) -> dict:
    pairs = [(store, zone) for store, zones in scope.zones_by_store.items() for zone in zones]
    ranks = {store: scope.policies[store].tier_order() for store in scope.zones_by_store}
    return {
        "stores": [store for store, _zone in pairs],
        "zones": [zone for _store, zone in pairs],
        **{
            f"rank_{tier}": [ranks[store].index(tier) for store, _zone in pairs]
            for tier in QueueTier.values
        },
        "at": at,
        "operator": operator.pk,
        "languages": list(scope.languages),
        "skipped": list(skipped),
    }


def queue_candidates_read(
    *, scope: QueueScope, operator: User, at: datetime, skipped: Iterable[int], depth: int
) -> list[UUID]:
    """The `depth` most urgent due tasks for this operator, unlocked (see _candidates_sql)."""
    params = _candidates_params(scope=scope, operator=operator, at=at, skipped=skipped)
    with connection.cursor() as cursor:
        cursor.execute(_candidates_sql(), {**params, "depth": depth})
        return [row[0] for row in cursor.fetchall()]


def queue_head_lock(
    *, scope: QueueScope, operator: User, at: datetime, skipped: Iterable[int]
) -> QueueHead | None:
    """The most urgent due task for this operator, locked (in the caller's transaction) with
    SKIP LOCKED; None when nothing unlocked is due. The claim order (architecture: Calling policy): this operator's
    own callbacks, then each store's tiers in its order (default: callbacks for anyone, new
    confirmations, delivery problems, retries, the rest), each by due time. The customers in
    `skipped` are passed over. Candidates are read first, then the first one still waiting is
    locked: a candidate another claimer leased meanwhile is passed over unlocked."""
    skipped = list(skipped)
    for depth in QUEUE_HEAD_DEPTHS:
        candidates = queue_candidates_read(
            scope=scope, operator=operator, at=at, skipped=skipped, depth=depth
        )
        if not candidates:
            return None
        head = _candidate_lock(candidates=candidates, operator=operator, at=at)
        if head is not None:
            return head
        if len(candidates) < depth:  # the read gave all it has: deeper finds no more
            return None
    return None


@lru_cache(maxsize=1)
def _candidate_lock_sql() -> str:
    """The first candidate, in the order given, still waiting and due, locked unless another
    claimer holds it. Fixed text (the candidates come as one array), names from the model: the
    ORM's version, an IN list ordered by a CASE over the candidates, cost some 5 ms of Python
    a claim (bench/queue.py)."""
    state, user = _column("state"), _column("callback_user")
    return f"""
        SELECT t.{_column("id")}, t.{_column("store")}, t.{_column("customer")}
        FROM unnest(%(candidates)s::uuid[]) WITH ORDINALITY AS candidate(id, position)
        JOIN {_TASK} t ON t.{_column("id")} = candidate.id
        WHERE t.{_column("due_at")} <= %(at)s
          AND (t.{state} = '{CallTaskState.QUEUED}'
               OR (t.{state} = '{CallTaskState.CALLBACK}'
                   AND (t.{user} IS NULL OR t.{user} = %(operator)s)))
        ORDER BY candidate.position
        LIMIT 1
        FOR UPDATE OF t SKIP LOCKED
    """  # noqa: S608 (names from the model, states from its constants)


def _candidate_lock(*, candidates: list[UUID], operator: User, at: datetime) -> QueueHead | None:
    params = {"candidates": candidates, "at": at, "operator": operator.pk}
    with connection.cursor() as cursor:
        cursor.execute(_candidate_lock_sql(), params)
        row = cursor.fetchone()
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
    """What an order's representation shows of calling (architecture: Interfaces): its open call tasks and,
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


def customer_calls_export(orders: Sequence[Order]) -> dict[str, list[dict[str, Any]]]:
    """What calling keeps about these orders, for the customer's export: the call attempts
    with their notes and the call tasks (registered with orders.extensions.export_part)."""
    if not orders:
        return {}
    order_ids = [o.pk for o in orders]
    attempts = (
        CallAttempt.objects.filter(orders__in=order_ids)
        .distinct()
        .select_related("operator")
        .prefetch_related("orders")
        .order_by("started_at", "pk")
    )
    tasks = CallTask.objects.filter(order_id__in=order_ids).order_by("created_at", "pk")
    return {
        "call_attempts": [
            {
                "started_at": a.started_at.isoformat(),
                "ended_at": a.ended_at.isoformat(),
                "operator": a.operator.username if a.operator else None,
                "result": a.result,
                "reason": a.reason,
                "notes": a.notes,
                "callback_at": a.callback_at.isoformat() if a.callback_at else None,
                "order_ids": [str(o.pk) for o in a.orders.all()],
            }
            for a in attempts
        ],
        "call_tasks": [
            {
                "id": str(t.pk),
                "order_id": str(t.order_id) if t.order_id else None,
                "purpose": t.purpose,
                "state": t.state,
                "reason": t.reason,
                "due_at": t.due_at.isoformat() if t.due_at else None,
                "attempts_count": t.attempts_count,
                "created_at": t.created_at.isoformat(),
                "closed_at": t.closed_at.isoformat() if t.closed_at else None,
            }
            for t in tasks
        ],
    }


@dataclass(frozen=True)
class AddressCheckState:
    """An order's out-of-city check: the latest answer (None: not answered yet) and when the
    last call parked it as a pending check (None: never asked in a call)."""

    answer: AddressCheck | None
    asked_at: datetime | None


def address_check_state(*, order: Order) -> AddressCheckState:
    answer = AddressCheck.objects.filter(order=order).order_by("-checked_at", "-id").first()
    asked_at = (
        CallAttempt.objects.filter(orders=order, result=CallResult.PENDING_CHECK)
        .order_by("-ended_at")
        .values_list("ended_at", flat=True)
        .first()
    )
    return AddressCheckState(answer=answer, asked_at=asked_at)


def phone_gap_until(*, customer_id: int, policy: CallingPolicy, at: datetime) -> datetime | None:
    """When the store's minimum gap since the last call to this customer's phone (any store)
    ends, if it is still running at `at`: what a claim would wait for (services.leases, the
    same attempts counted)."""
    if not policy.min_gap_minutes:
        return None
    phone = Customer.objects.filter(pk=customer_id).values("phone")
    last = (
        CallAttempt.objects.filter(customer__phone__in=phone)
        .exclude(lease__end_reason=LeaseEnd.RELEASED, result__in=NOT_CONTACTED_RESULTS)
        .order_by("-ended_at")
        .values_list("ended_at", flat=True)
        .first()
    )
    if last is None or last + policy.min_gap <= at:
        return None
    return last + policy.min_gap


def lease_languages(*, leases: Sequence[Lease]) -> dict[Any, set[str]]:
    """The languages of the customers on these calls (their tasks'), per lease."""
    by_task = {task_id: lease.pk for lease in leases for task_id in lease.task_ids}
    languages: dict[Any, set[str]] = {lease.pk: set() for lease in leases}
    for task_id, language in CallTask.objects.filter(pk__in=list(by_task)).values_list(
        "id", "language"
    ):
        languages[by_task[str(task_id)]].add(language)
    return languages


def operator_can_take(
    *, operator: User, store_ids: set[int], store_id: int, languages: set[str]
) -> bool:
    """An operator a call may be handed to: they work its store and speak its customer's
    language (an operator with no languages listed takes any, as the queue gives them)."""
    spoken = set(operator.languages or ())
    return operator.is_operator and store_id in store_ids and (not spoken or languages <= spoken)
