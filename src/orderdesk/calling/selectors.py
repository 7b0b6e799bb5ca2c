"""Reads for calling: policies, which zones may be called now, the queue heads, leases, state."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

import holidays as holidays_lib
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404

from orderdesk.accounts.models import User
from orderdesk.core.sql import instance_from_row, model_columns, prepared_fetch, prepared_instances
from orderdesk.orders.models import OPEN_STATUSES, Order, OrderStatus, QueueState
from orderdesk.stores.models import Store

from .models import CallingPolicy, Lease, OperatorState, OperatorStateSlice
from .rules import window_contains, zone_country


def calling_policy_get(*, store: Store | int) -> CallingPolicy:
    """The store's policy; an unsaved default one when the store has not configured calling."""
    store_id = store if isinstance(store, int) else store.pk
    policy = CallingPolicy.objects.filter(store_id=store_id).first()
    return policy or CallingPolicy(store_id=store_id)


def policy_from_row(row: Sequence[Any], *, store_id: int) -> CallingPolicy:
    """A policy from a row that begins with `model_columns(CallingPolicy, …)` of a LEFT JOIN:
    the default one when the store has none (the columns are all NULL)."""
    if row[0] is None:
        return CallingPolicy(store_id=store_id)
    return instance_from_row(CallingPolicy, row)


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


# The distinct time zones of dialable orders, read as a loose index scan over
# orders_queue_zone_idx (one index probe per zone, not one row per order).
ZONES_PRESENT_CTE = """
    z(tz) AS (
        SELECT (SELECT timezone FROM orders_order
                WHERE queue_state IN ('queued', 'callback') ORDER BY timezone LIMIT 1)
        UNION ALL
        SELECT (SELECT o.timezone FROM orders_order o
                WHERE o.queue_state IN ('queued', 'callback') AND o.timezone > z.tz
                ORDER BY o.timezone LIMIT 1)
        FROM z WHERE z.tz IS NOT NULL
    )
"""


ZONES_PRESENT_SQL = f"""
    WITH RECURSIVE {ZONES_PRESENT_CTE} SELECT tz FROM z WHERE tz IS NOT NULL
"""  # noqa: S608 (built from the constant above only)


def queue_zones_present() -> list[str]:
    """The distinct time zones of dialable orders (PostgreSQL reads them along with the
    operator's policies: `claim_start_read`)."""
    with connection.cursor() as cursor:
        cursor.execute(ZONES_PRESENT_SQL)
        return [row[0] for row in cursor.fetchall()]


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


_USER_STORES = User.stores.through._meta.db_table
# PostgreSQL: what a claim reads first, in one statement: the operator's stores with their
# policies and, on every row, the zones present and whether any lease needs looking at (the
# operator's own live one; others' past their expiry, when asked).
CLAIM_START_SQL = f"""
    WITH RECURSIVE {ZONES_PRESENT_CTE}
    SELECT {model_columns(CallingPolicy, "p")}, s.id,
           ARRAY(SELECT tz FROM z WHERE tz IS NOT NULL),
           NOT EXISTS (SELECT 1 FROM calling_lease l
                        WHERE l.operator_id = %(user)s AND l.ended_at IS NULL)
           AND NOT (%(expired)s::boolean AND EXISTS (
                    SELECT 1 FROM calling_lease l
                     WHERE l.ended_at IS NULL AND l.expires_at <= %(at)s
                       AND l.operator_id <> %(user)s))
    FROM {_USER_STORES} us
    JOIN stores_store s ON s.id = us.store_id AND s.is_active
    LEFT JOIN calling_callingpolicy p ON p.store_id = s.id
    WHERE us.user_id = %(user)s
"""  # noqa: S608 (table and column names from the models)


@dataclass(frozen=True)
class ClaimStart:
    """The calling policy of every active store the operator works (a default one where the
    store has none), by store id; the zones of the dialable orders; `leases_quiet`: known that
    the operator holds no live lease and, when asked, that no other lease is past its expiry
    (False when not known: the caller reads the leases)."""

    policies: dict[int, CallingPolicy]
    zones: list[str]
    leases_quiet: bool = False


def claim_start_read(*, operator: User, at: datetime, expired: bool = False) -> ClaimStart:
    """One statement on PostgreSQL; no zones are read for an operator without stores."""
    if connection.vendor != "postgresql":
        stores = operator.stores.filter(is_active=True).select_related("calling_policy")
        policies = {
            store.pk: getattr(store, "calling_policy", None) or CallingPolicy(store_id=store.pk)
            for store in stores
        }
        return ClaimStart(policies=policies, zones=queue_zones_present() if policies else [])
    params = {"user": operator.pk, "at": at, "expired": expired}
    rows = prepared_fetch(CLAIM_START_SQL, params)
    if not rows:
        return ClaimStart(policies={}, zones=[])
    policies = {row[-3]: policy_from_row(row, store_id=row[-3]) for row in rows}
    return ClaimStart(policies=policies, zones=rows[0][-2], leases_quiet=rows[0][-1])


def queue_scope_for(
    *, operator: User, at: datetime, start: ClaimStart | None = None
) -> QueueScope | None:
    """None when the operator works no active store or every customer is outside the window.
    `start`: what the claim has read already (read here when not given)."""
    start = start or claim_start_read(operator=operator, at=at)
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
    """The order a claim starts from."""

    id: UUID
    store_id: int
    customer_id: int


def queue_tiers(*, scope: QueueScope, operator: User, at: datetime) -> list[QuerySet[Order]]:
    """The claim order (SPEC 4) as a query per tier, for SQLite (PostgreSQL reads the head with
    `queue_head_lock`): due callbacks (this operator's personal ones before those for anyone,
    each by due time), new orders (oldest first: speed to first call), retries (longest waiting
    first)."""
    due = Order.objects.filter(scope.q(), next_call_at__lte=at)
    order = ("next_call_at", "id")
    callbacks = due.filter(
        Q(callback_user=operator) | Q(callback_user__isnull=True),
        queue_state=QueueState.CALLBACK,
    ).order_by(F("callback_user").asc(nulls_last=True), *order)
    return [
        callbacks,
        due.filter(queue_state=QueueState.QUEUED, attempts_count=0).order_by(*order),
        due.filter(queue_state=QueueState.QUEUED, attempts_count__gt=0).order_by(*order),
    ]


# PostgreSQL: the queue head in two statements: the candidates are read, then the first one no
# other claimer holds is locked with SKIP LOCKED. Candidates come in claim order (rank): due
# callbacks (0 this operator's, 1 anyone's) and new orders (2) in the first step, retries (3) in
# the second, read only when the first finds nothing. Callbacks for anyone, new orders and
# retries are read per (store, zone) pair inside its window, each pair an index probe into
# orders_queue_{callback,new,retry}_zone_idx, so orders of zones outside their window, however
# many, are never read; each tier gives its `depth` oldest (this operator's own callbacks are
# few). The lock reads the candidates' current rows and checks the queue conditions before it
# locks: a candidate another claimer leased meanwhile is passed over unlocked. (Read and locked
# in one statement, such a candidate was locked and then failed the check, and stayed locked
# until this claim committed: that call's outcome waited for it, on average longer than the
# whole claim took, with 64 claimers.)
_PERSONAL_CALLBACK_CANDIDATES = """
    SELECT q.id, 0 AS rank, q.next_call_at
    FROM orders_order q
    JOIN unnest(%(stores)s::bigint[], %(zones)s::text[]) AS z(store_id, tz)
      ON q.store_id = z.store_id AND q.timezone = z.tz
    WHERE q.queue_state = 'callback' AND q.callback_user_id = %(operator)s
      AND q.next_call_at <= %(at)s
      AND (cardinality(%(languages)s::text[]) = 0 OR q.language = ANY(%(languages)s))
      AND q.customer_id <> ALL(%(skipped)s::bigint[])
    ORDER BY q.next_call_at, q.id
    LIMIT %(depth)s
"""
_ZONE_CANDIDATES = """
    SELECT c.id, {rank} AS rank, c.next_call_at
    FROM unnest(%(stores)s::bigint[], %(zones)s::text[]) AS z(store_id, tz)
    CROSS JOIN LATERAL (
        SELECT q.id, q.next_call_at FROM orders_order q
        WHERE q.store_id = z.store_id AND q.timezone = z.tz AND {tier}
          AND q.next_call_at <= %(at)s
          AND (cardinality(%(languages)s::text[]) = 0 OR q.language = ANY(%(languages)s))
          AND q.customer_id <> ALL(%(skipped)s::bigint[])
        ORDER BY q.next_call_at, q.id
        LIMIT %(depth)s
    ) c
    ORDER BY c.next_call_at, c.id
    LIMIT %(depth)s
"""
_ANYONE_CALLBACKS = "q.queue_state = 'callback' AND q.callback_user_id IS NULL"
_NEW_ORDERS = "q.queue_state = 'queued' AND q.attempts_count = 0"
_RETRIES = "q.queue_state = 'queued' AND q.attempts_count > 0"
_CANDIDATES = """
    SELECT candidate.id FROM ({candidates}) AS candidate
    ORDER BY candidate.rank, candidate.next_call_at, candidate.id
"""
QUEUE_CANDIDATES_SQL = (
    _CANDIDATES.format(
        candidates=f"({_PERSONAL_CALLBACK_CANDIDATES})"
        f" UNION ALL ({_ZONE_CANDIDATES.format(rank=1, tier=_ANYONE_CALLBACKS)})"
        f" UNION ALL ({_ZONE_CANDIDATES.format(rank=2, tier=_NEW_ORDERS)})"
    ),
    _CANDIDATES.format(candidates=_ZONE_CANDIDATES.format(rank=3, tier=_RETRIES)),
)
QUEUE_HEAD_LOCK_SQL = """
    SELECT o.id, o.store_id, o.customer_id
    FROM unnest(%(candidates)s::uuid[]) WITH ORDINALITY AS candidate(id, position)
    JOIN orders_order o ON o.id = candidate.id
    WHERE o.next_call_at <= %(at)s
      AND (o.queue_state = 'queued' OR (o.queue_state = 'callback'
           AND (o.callback_user_id = %(operator)s OR o.callback_user_id IS NULL)))
    ORDER BY candidate.position
    LIMIT 1
    FOR UPDATE OF o SKIP LOCKED
"""
# Candidates per tier: the first depth serves the usual case; the next ones when every
# candidate of the one before was held by other claimers at that instant.
QUEUE_HEAD_DEPTHS = (8, 64, 1024)


def queue_head_lock(
    *, scope: QueueScope, operator: User, at: datetime, skipped: Iterable[int]
) -> QueueHead | None:
    """PostgreSQL: the most urgent due order for this operator, locked (in the caller's
    transaction) with SKIP LOCKED; None when nothing unlocked is due. The customers in
    `skipped` are passed over."""
    pairs = [(store, zone) for store, zones in scope.zones_by_store.items() for zone in zones]
    params = {
        "stores": [store for store, _zone in pairs],
        "zones": [zone for _store, zone in pairs],
        "at": at,
        "operator": operator.pk,
        "languages": list(scope.languages),
        "skipped": list(skipped),
    }
    for sql in QUEUE_CANDIDATES_SQL:
        for depth in QUEUE_HEAD_DEPTHS:
            candidates = [row[0] for row in prepared_fetch(sql, {**params, "depth": depth})]
            if not candidates:
                break
            lock = {"candidates": candidates, "at": at, "operator": operator.pk}
            rows = prepared_fetch(QUEUE_HEAD_LOCK_SQL, lock)
            if rows:
                return QueueHead(*rows[0])
            if len(candidates) < depth:  # every tier gave all it has: deeper finds no more
                break
    return None


def customer_dialable_orders(*, store_id: int, customer_id: int) -> QuerySet[Order]:
    """A customer's orders a lease takes along: awaiting confirmation, queued or in a callback
    (due or not: the customer is on the line). Orders parked for a check or with a supervisor
    are shown in the call, not held."""
    return Order.objects.filter(
        store_id=store_id,
        customer_id=customer_id,
        status=OrderStatus.AWAITING_CONFIRMATION,
        queue_state__in=[QueueState.QUEUED, QueueState.CALLBACK],
    ).order_by("created_at", "id")


LEASES_FOR_CLAIM_SQL = f"""
    (SELECT {model_columns(Lease, "l")} FROM calling_lease l
      WHERE l.operator_id = %(operator)s AND l.ended_at IS NULL)
    UNION ALL
    (SELECT {model_columns(Lease, "l")} FROM calling_lease l
      WHERE %(expired)s::boolean AND l.ended_at IS NULL AND l.expires_at <= %(at)s
        AND l.operator_id <> %(operator)s
      ORDER BY l.expires_at
      LIMIT %(limit)s)
"""  # noqa: S608 (column names from the model)


def leases_for_claim(*, operator: User, at: datetime, limit: int, expired: bool) -> list[Lease]:
    """The operator's live lease, if any, and, when `expired`, up to `limit` other leases past
    their expiry, oldest first (prepared on PostgreSQL, each part an index scan; read there only
    when `claim_start_read` found a lease to look at)."""
    if connection.vendor == "postgresql":
        params = {"operator": operator.pk, "at": at, "limit": limit, "expired": expired}
        return prepared_instances(Lease, LEASES_FOR_CLAIM_SQL, params)
    live = Lease.objects.filter(ended_at__isnull=True)
    own = list(live.filter(operator=operator))
    if not expired:
        return own
    others = live.filter(expires_at__lte=at).exclude(operator=operator).order_by("expires_at")
    return own + list(others[:limit])


def lease_live_of(*, operator: User) -> Lease | None:
    return Lease.objects.filter(operator=operator, ended_at__isnull=True).first()


def lease_orders(*, lease: Lease) -> list[Order]:
    """Every open order of the lease's customer in its store, oldest first (the call card)."""
    return list(
        Order.objects.filter(
            store_id=lease.store_id, customer_id=lease.customer_id, status__in=OPEN_STATUSES
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
