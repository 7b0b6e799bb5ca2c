"""The KPIs, each defined once; `docs/kpis.md` gives every formula in words.

Every figure is an event placed in the store's local day and hour (`Store.default_timezone`):
an order counts on the day it came in, a confirmation on the day it was confirmed, a delivery
on the day it ended. Counts are added up by PostgreSQL (GROUP BY the grouping key); the figures
that need a distribution (time to first call inside the calling window, attempts to first
contact, time to confirm) read one row per order and are computed here, so the totals row is
the same computation over every order, never an average of averages."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateField,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.calling.models import NOT_CONTACTED_RESULTS, CallAttempt, CallResult
from orderdesk.calling.selectors import calling_policies_for, holidays_for
from orderdesk.core.replica import replica_reads
from orderdesk.delivery.models import Locality
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orderdesk.stores.models import Store

from .sources import PROBLEMS_WON_BACK, UPSELL_REVENUE, KpiFact, KpiPeriod, kpi_source_of
from .window import window_seconds

GROUPINGS = ("store", "source", "operator", "locality", "day", "hour")
SLA_SECONDS = 15 * 60  # a new order should be called within 15 minutes of calling time
ABANDONED = CallResult.ABANDONED
CONTACTED_RESULTS = tuple(r for r in CallResult.values if r not in NOT_CONTACTED_RESULTS)
# The figures that belong to an order rather than to the operator who acted on it: `null` when
# the report is grouped or filtered by operator.
ORDER_FIGURES = (
    "orders",
    "median_first_call_s",
    "p90_first_call_s",
    "called_within_15m_rate",
    "attempts_to_first_contact",
)


@dataclass(frozen=True)
class KpiQuery:
    """What to count: the stores in scope, the local days `since_on`..`until_on` (both in), how
    to group, and optional filters by source and operator."""

    store_ids: tuple[int, ...]
    since_on: date
    until_on: date
    group_by: str | None = None
    sources: tuple[str, ...] = ()
    operator_ids: tuple[int, ...] = ()
    now: datetime | None = None

    @property
    def by_operator(self) -> bool:
        return self.group_by == "operator" or bool(self.operator_ids)

    def period(self) -> KpiPeriod:
        """UTC bounds wide enough for every zone on Earth (−12 h … +14 h); rows are then cut to
        the exact local days of their store."""
        return KpiPeriod(
            store_ids=self.store_ids,
            starts_at=datetime.combine(self.since_on - timedelta(days=1), time(), tzinfo=UTC),
            ends_at=datetime.combine(self.until_on + timedelta(days=2), time(), tzinfo=UTC),
        )


class LocalDay(Func):
    """`(instant AT TIME ZONE zone)::date`: the local day of an instant in a zone column."""

    arg_joiner = " AT TIME ZONE "
    template = "((%(expressions)s)::date)"
    output_field = DateField()


class LocalHour(Func):
    arg_joiner = " AT TIME ZONE "
    template = "(EXTRACT(HOUR FROM %(expressions)s)::integer)"
    output_field = IntegerField()


class LocalIsoWeekday(Func):
    arg_joiner = " AT TIME ZONE "
    template = "(EXTRACT(ISODOW FROM %(expressions)s)::integer)"
    output_field = IntegerField()


STORE_ZONE = "store__default_timezone"


def _decider(at_field: str) -> Subquery:
    """The user who made the status change recorded at the order's `at_field` (the timeline's
    event carries the same instant as the column: `order_status_change` writes both)."""
    return Subquery(
        OrderEvent.objects.filter(
            order_id=OuterRef("pk"),
            type=OrderEventType.STATUS_CHANGED,
            created_at=OuterRef(at_field),
        )
        .order_by("id")
        .values("actor_id")[:1]
    )


def _attempt_first_order(column: str) -> Subquery:
    """An attempt about several orders of one customer is placed under the first of them."""
    through = CallAttempt.orders.through.objects.filter(callattempt_id=OuterRef("pk"))
    return Subquery(through.order_by("order_id").values(f"order__{column}")[:1])


@dataclass(frozen=True)
class FactSet:
    """Rows of one kind of event: which rows, when each happened, and its dimensions."""

    rows: QuerySet
    at: str
    dims: dict[str, Any]

    def key(self, group_by: str | None) -> Expression:
        if group_by is None:
            return Value(0, output_field=IntegerField())
        if group_by == "day":
            return LocalDay(F(self.at), F(STORE_ZONE))
        if group_by == "hour":
            return LocalHour(F(self.at), F(STORE_ZONE))
        return self.dims[group_by]

    def select(self, query: KpiQuery) -> QuerySet:
        """The set's rows in the period (the store's local days), filtered, with their `key`."""
        period = query.period()
        rows = self.rows.filter(
            store_id__in=query.store_ids,
            **{f"{self.at}__gte": period.starts_at, f"{self.at}__lt": period.ends_at},
        ).alias(local_on=LocalDay(F(self.at), F(STORE_ZONE)))
        rows = rows.filter(local_on__range=(query.since_on, query.until_on))
        if query.sources:
            rows = rows.alias(_source=self.dims["source"]).filter(_source__in=query.sources)
        if query.operator_ids:
            rows = rows.alias(_operator=self.dims["operator"])
            rows = rows.filter(_operator__in=query.operator_ids)
        return rows.annotate(key=self.key(query.group_by))


def _order_dims(operator: Any = None) -> dict[str, Any]:
    return {
        "store": F("store_id"),
        "source": F("source"),
        "locality": F("locality_id"),
        "operator": operator if operator is not None else Value(None, IntegerField()),
    }


def orders_created() -> FactSet:
    return FactSet(Order.objects.all(), "created_at", _order_dims())


def orders_confirmed() -> FactSet:
    return FactSet(
        Order.objects.filter(confirmed_at__isnull=False),
        "confirmed_at",
        _order_dims(_decider("confirmed_at")),
    )


def orders_cancelled() -> FactSet:
    """Cancelled without having been confirmed: the call's (or the customer's) decision."""
    return FactSet(
        Order.objects.filter(status=OrderStatus.CANCELLED, confirmed_at__isnull=True),
        "status_changed_at",
        _order_dims(_decider("status_changed_at")),
    )


def deliveries_ended() -> FactSet:
    """Delivered or returned, on the day the delivery ended, under the confirming operator."""
    return FactSet(
        Order.objects.filter(status__in=(OrderStatus.DELIVERED, OrderStatus.RETURNED)),
        "status_changed_at",
        _order_dims(_decider("confirmed_at")),
    )


def call_attempts() -> FactSet:
    """Calls made: every attempt but a claim that ended without a call (`abandoned`)."""
    return FactSet(
        CallAttempt.objects.exclude(result=ABANDONED),
        "started_at",
        {
            "store": F("store_id"),
            "operator": F("operator_id"),
            "source": _attempt_first_order("source"),
            "locality": _attempt_first_order("locality_id"),
        },
    )


@dataclass
class KpiTally:
    """What one row of the report adds up; `merge` makes the totals from the rows."""

    orders: int = 0
    confirmed: int = 0
    cancelled: int = 0
    cancelled_by_reason: Counter = field(default_factory=Counter)
    delivered: int = 0
    returned: int = 0
    attempts: int = 0
    contacted: int = 0
    handling: timedelta = timedelta()
    first_call_s: list[float] = field(default_factory=list)
    sla_met: int = 0
    sla_due: int = 0
    attempts_to_contact: list[int] = field(default_factory=list)
    confirm_s: list[float] = field(default_factory=list)
    upsell_revenue: Decimal = Decimal("0")
    problems_won_back: int = 0

    def merge(self, other: "KpiTally") -> None:
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(value, Counter):
                mine.update(value)
            elif isinstance(value, list):
                mine.extend(value)
            else:
                setattr(self, name, mine + value)


def rate(part: float, whole: float) -> float | None:
    """A share, `null` when nothing was there to share (an empty denominator)."""
    return round(part / whole, 4) if whole else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def _mean(values: list[float] | list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def tally_figures(tally: KpiTally, *, query: KpiQuery) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "orders": tally.orders,
        "confirmed": tally.confirmed,
        "cancelled": tally.cancelled,
        "cancelled_by_reason": dict(sorted(tally.cancelled_by_reason.items())),
        "approval_rate": rate(tally.confirmed, tally.confirmed + tally.cancelled),
        "delivered": tally.delivered,
        "returned": tally.returned,
        "buyout_rate": rate(tally.delivered, tally.delivered + tally.returned),
        "attempts": tally.attempts,
        "contacted": tally.contacted,
        "contact_rate": rate(tally.contacted, tally.attempts),
        "attempts_to_first_contact": _mean(tally.attempts_to_contact),
        "median_first_call_s": percentile(tally.first_call_s, 0.5),
        "p90_first_call_s": percentile(tally.first_call_s, 0.9),
        "called_within_15m_rate": rate(tally.sla_met, tally.sla_due),
        "median_confirm_s": percentile(tally.confirm_s, 0.5),
        "aht_s": (
            round(tally.handling.total_seconds() / tally.contacted, 1) if tally.contacted else None
        ),
        "upsell_revenue": None,
        "problems_won_back": None,
    }
    if kpi_source_of(UPSELL_REVENUE) is not None:
        figures["upsell_revenue"] = f"{tally.upsell_revenue:.2f}"
    if kpi_source_of(PROBLEMS_WON_BACK) is not None:
        figures["problems_won_back"] = tally.problems_won_back
    if query.by_operator:
        figures.update(dict.fromkeys(ORDER_FIGURES))
    return figures


# -- reading the facts -------------------------------------------------------------------------


class Tallies(defaultdict):
    def __init__(self) -> None:
        super().__init__(KpiTally)


def _count_orders(query: KpiQuery, tallies: Tallies) -> None:
    if query.by_operator:
        return
    for row in orders_created().select(query).values("key").annotate(n=Count("pk")):
        tallies[row["key"]].orders += row["n"]


def _count_decisions(query: KpiQuery, tallies: Tallies) -> None:
    confirmed = orders_confirmed().select(query).values_list("key", "created_at", "confirmed_at")
    for key, created_at, confirmed_at in confirmed:
        tallies[key].confirmed += 1
        tallies[key].confirm_s.append((confirmed_at - created_at).total_seconds())
    cancelled = orders_cancelled().select(query).values("key", "cancel_reason")
    for row in cancelled.annotate(n=Count("pk")):
        tallies[row["key"]].cancelled += row["n"]
        tallies[row["key"]].cancelled_by_reason[row["cancel_reason"]] += row["n"]


def _count_deliveries(query: KpiQuery, tallies: Tallies) -> None:
    rows = deliveries_ended().select(query).values("key", "status").annotate(n=Count("pk"))
    for row in rows:
        if row["status"] == OrderStatus.DELIVERED:
            tallies[row["key"]].delivered += row["n"]
        else:
            tallies[row["key"]].returned += row["n"]


def _count_attempts(query: KpiQuery, tallies: Tallies) -> None:
    contacted = Q(result__in=CONTACTED_RESULTS)
    rows = (
        call_attempts()
        .select(query)
        .values("key")
        .annotate(
            n=Count("pk"),
            contacted=Count("pk", filter=contacted),
            handling=Sum(F("ended_at") - F("started_at"), filter=contacted),
        )
    )
    for row in rows:
        tally = tallies[row["key"]]
        tally.attempts += row["n"]
        tally.contacted += row["contacted"]
        tally.handling += row["handling"] or timedelta()


def _first_calls(query: KpiQuery, tallies: Tallies, now: datetime) -> None:
    """Per order that came in: seconds of calling window until its first call, whether that was
    within 15 minutes, and how many calls it took to reach the customer."""
    if query.by_operator:
        return
    # One read from the orders' side (their index on the period, then each order's calls by
    # the join table's index on the order): a row per order and call, None for an uncalled one.
    rows = (
        orders_created()
        .select(query)
        .values_list(
            "pk", "key", "created_at", "timezone", "store_id", "status",
            "call_attempts__started_at", "call_attempts__result",
        )
    )  # fmt: skip
    orders: dict[Any, tuple] = {}
    calls: dict[Any, list[tuple[datetime, str]]] = defaultdict(list)
    for order_id, key, created_at, zone, store_id, status, started_at, result in rows:
        orders[order_id] = (order_id, key, created_at, zone, store_id, status)
        if started_at is not None and result != ABANDONED:
            calls[order_id].append((started_at, result))
    policies = calling_policies_for(store_ids=query.store_ids)
    windows_of = {store_id: policy.week_windows() for store_id, policy in policies.items()}
    holidays_of: dict[tuple[int, str], Any] = {}
    for order_id, key, created_at, zone, store_id, status in orders.values():
        windows = windows_of[store_id]
        if (store_id, zone) not in holidays_of:
            holidays_of[store_id, zone] = holidays_for(policy=policies[store_id], zone=zone)
        holidays = holidays_of[store_id, zone]
        order_calls = sorted(calls.get(order_id, ()))
        tally = tallies[key]
        if order_calls:
            waited = window_seconds(
                start=created_at, end=order_calls[0][0], zone=zone, windows=windows,
                holidays=holidays,
            )  # fmt: skip
            tally.first_call_s.append(waited)
            tally.sla_due += 1
            tally.sla_met += waited <= SLA_SECONDS
            reached = [n for n, (_, r) in enumerate(order_calls, 1) if r in CONTACTED_RESULTS]
            if reached:
                tally.attempts_to_contact.append(reached[0])
        elif status == OrderStatus.AWAITING_CONFIRMATION:
            waited = window_seconds(
                start=created_at, end=now, zone=zone, windows=windows, holidays=holidays
            )
            tally.sla_due += waited >= SLA_SECONDS


def _source_facts(query: KpiQuery, name: str) -> Iterator[tuple[Any, KpiFact]]:
    """The facts of a registered source, each with its key, cut to the query like our own."""
    source = kpi_source_of(name)
    if source is None:
        return
    facts = list(source(query.period()))
    dims = {
        row[0]: row[1:]
        for row in Order.objects.filter(
            pk__in={f.order_id for f in facts}, store_id__in=query.store_ids
        ).values_list("pk", "store_id", "source", "locality_id", STORE_ZONE)
    }
    for fact in facts:
        if fact.order_id not in dims:
            continue
        store_id, source_code, locality_id, zone = dims[fact.order_id]
        local = fact.at.astimezone(ZoneInfo(zone))
        if not query.since_on <= local.date() <= query.until_on:
            continue
        if query.sources and source_code not in query.sources:
            continue
        if query.operator_ids and fact.operator_id not in query.operator_ids:
            continue
        keys = {
            None: 0, "store": store_id, "source": source_code, "locality": locality_id,
            "operator": fact.operator_id, "day": local.date(), "hour": local.hour,
        }  # fmt: skip
        yield keys[query.group_by], fact


def _count_sources(query: KpiQuery, tallies: Tallies) -> None:
    for key, fact in _source_facts(query, UPSELL_REVENUE):
        tallies[key].upsell_revenue += Decimal(fact.value)
    for key, fact in _source_facts(query, PROBLEMS_WON_BACK):
        tallies[key].problems_won_back += int(fact.value)


def kpi_tallies(query: KpiQuery) -> dict[Any, KpiTally]:
    """Every figure of the query, per raw key (a store id, a date, an hour…)."""
    tallies = Tallies()
    _count_orders(query, tallies)
    _count_decisions(query, tallies)
    _count_deliveries(query, tallies)
    _count_attempts(query, tallies)
    _first_calls(query, tallies, query.now or timezone.now())
    _count_sources(query, tallies)
    return dict(tallies)


def key_labels(group_by: str | None, keys: Iterable[Any]) -> dict[Any, str | None]:
    """What a row's key reads as: a store's slug, a source's code, an operator's username, a
    locality's name, an ISO date, a two-digit hour; `None` when the row has no such thing (an
    order without a locality, a decision nobody made by hand)."""
    keys = [k for k in keys if k is not None]
    if group_by == "store":
        return dict(Store.objects.filter(pk__in=keys).values_list("pk", "slug"))
    if group_by == "operator":
        return dict(User.objects.filter(pk__in=keys).values_list("pk", "username"))
    if group_by == "locality":
        return dict(Locality.objects.filter(pk__in=keys).values_list("pk", "name_ru"))
    if group_by == "day":
        return {k: k.isoformat() for k in keys}
    if group_by == "hour":
        return {k: f"{k:02d}" for k in keys}
    if group_by == "source":
        return {k: k for k in keys}
    return {0: "total"}


def _sort_key(item: tuple[Any, KpiTally]) -> tuple:
    return (item[0] is None, item[0] if item[0] is not None else 0)


def kpi_report(query: KpiQuery) -> dict[str, Any]:
    """`{"rows": [{"key", …figures}], "totals": {…figures}}`, rows in key order. Read from the
    replica when there is one (core.replica)."""
    with replica_reads():
        tallies = kpi_tallies(query)
        labels = key_labels(query.group_by, tallies)
    rows, totals = [], KpiTally()
    for key, tally in sorted(tallies.items(), key=_sort_key):
        totals.merge(tally)
        rows.append({"key": labels.get(key), **tally_figures(tally, query=query)})
    if query.group_by is None:
        rows = []
    return {"rows": rows, "totals": tally_figures(totals, query=query)}
