"""Staffing by weekday and hour: the calls the last 8 weeks brought, the handling time they
took, the operators Erlang C asks for, and the operators who were actually logged in."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from orderdesk.calling.models import CallAttempt, CallResult, OperatorState, OperatorStateSlice
from orderdesk.orders.models import Order

from .erlang import StaffingPlan, agents_needed
from .kpis import LocalHour, LocalIsoWeekday

HISTORY_WEEKS = 8


@dataclass(frozen=True)
class StaffingHour:
    weekday: int  # ISO, 1 = Monday
    hour: int
    calls_per_hour: float
    plan: StaffingPlan
    logged_in: float  # operators logged in (not offline), on average over the weeks


@dataclass(frozen=True)
class StaffingTable:
    zone: str
    aht_s: float | None
    calls_per_order: float | None
    hours: list[StaffingHour]


def _weekday_hour_counts(store_ids, since, until, zone) -> dict[tuple[int, int], int]:
    rows = (
        Order.objects.filter(store_id__in=store_ids, created_at__gte=since, created_at__lt=until)
        .annotate(
            dow=LocalIsoWeekday(F("created_at"), F("store__default_timezone")),
            hour=LocalHour(F("created_at"), F("store__default_timezone")),
        )
        .values("dow", "hour")
        .annotate(n=Count("pk"))
    )
    return {(r["dow"], r["hour"]): r["n"] for r in rows}


def _logged_in_seconds(operator_ids, since, until, zone: str) -> dict[tuple[int, int], float]:
    """Seconds operators spent logged in (any state but offline), per local weekday and hour."""
    tz = ZoneInfo(zone)
    seconds: dict[tuple[int, int], float] = defaultdict(float)
    slices = OperatorStateSlice.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since),
        operator_id__in=operator_ids,
        started_at__lt=until,
    ).exclude(state=OperatorState.OFFLINE)
    for started_at, ended_at in slices.values_list("started_at", "ended_at"):
        at, end = max(started_at, since), min(ended_at or until, until)
        while at < end:
            local = at.astimezone(tz)
            hour_end = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            step_end = min(end, hour_end.astimezone(at.tzinfo))
            seconds[(local.isoweekday(), local.hour)] += (step_end - at).total_seconds()
            at = step_end
    return seconds


def staffing_table(
    *,
    store_ids: list[int],
    operator_ids: list[int],
    zone: str,
    target_sl: float = 0.8,
    target_s: float = 20.0,
    shrinkage: float = 0.0,
    now: datetime | None = None,
) -> StaffingTable:
    """Per weekday and hour: orders per hour over the last 8 weeks × calls made per order, the
    handling time of a call (talk + wrap-up, every call made), and what Erlang C asks for."""
    until = now or timezone.now()
    since = until - timedelta(weeks=HISTORY_WEEKS)
    counts = _weekday_hour_counts(store_ids, since, until, zone)
    calls = CallAttempt.objects.filter(
        store_id__in=store_ids, started_at__gte=since, started_at__lt=until
    ).exclude(result=CallResult.ABANDONED)
    measured = calls.aggregate(n=Count("pk"), handling=Sum(F("ended_at") - F("started_at")))
    orders = sum(counts.values())
    aht_s = measured["handling"].total_seconds() / measured["n"] if measured["n"] else None
    per_order = measured["n"] / orders if orders else None
    logged = _logged_in_seconds(operator_ids, since, until, zone)
    hours = []
    for weekday in range(1, 8):
        for hour in range(24):
            rate = counts.get((weekday, hour), 0) / HISTORY_WEEKS * (per_order or 0)
            plan = agents_needed(
                calls_per_hour=rate, aht_s=aht_s or 1, target_sl=target_sl,
                target_s=target_s, shrinkage=shrinkage,
            )  # fmt: skip
            seen = logged.get((weekday, hour), 0.0) / (HISTORY_WEEKS * 3600)
            hours.append(StaffingHour(weekday, hour, round(rate, 2), plan, round(seen, 2)))
    return StaffingTable(zone=zone, aht_s=aht_s, calls_per_order=per_order, hours=hours)
