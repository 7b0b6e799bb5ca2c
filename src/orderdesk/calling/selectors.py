"""Reads for calling: policies, which zones may be called now, the queue heads, leases, state."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import holidays as holidays_lib
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404

from orderdesk.accounts.models import User
from orderdesk.orders.models import OPEN_STATUSES, Order, OrderStatus, QueueState
from orderdesk.stores.models import Store

from .models import CallingPolicy, Lease, OperatorState, OperatorStateSlice
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
    """The distinct time zones of dialable orders, read as a loose index scan over
    orders_queue_zone_idx (one index probe per zone, not one row per order)."""
    sql = """
        WITH RECURSIVE z(tz) AS (
            SELECT (SELECT timezone FROM orders_order
                    WHERE queue_state IN ('queued', 'callback') ORDER BY timezone LIMIT 1)
            UNION ALL
            SELECT (SELECT o.timezone FROM orders_order o
                    WHERE o.queue_state IN ('queued', 'callback') AND o.timezone > z.tz
                    ORDER BY o.timezone LIMIT 1)
            FROM z WHERE z.tz IS NOT NULL
        )
        SELECT tz FROM z WHERE tz IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
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


def queue_scope_for(*, operator: User, at: datetime) -> QueueScope | None:
    """None when the operator works no active store or every customer is outside the window."""
    stores = operator.stores.filter(is_active=True).select_related("calling_policy")
    policies = {
        store.pk: getattr(store, "calling_policy", None) or CallingPolicy(store_id=store.pk)
        for store in stores
    }
    if not policies:
        return None
    store_ids = list(policies)
    present = queue_zones_present()
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


def queue_tiers(*, scope: QueueScope, operator: User, at: datetime) -> list[QuerySet[Order]]:
    """The claim order (SPEC 4): due callbacks (this operator's personal ones before those for
    anyone, each by due time), new orders (oldest first), retries (longest waiting first). Each
    tier reads one partial index, so the head of a tier is an index probe, not a sort of the
    queue (due callbacks are few: sorting them is cheap)."""
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
