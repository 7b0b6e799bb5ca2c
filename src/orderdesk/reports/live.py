"""The wallboard's figures: today's KPIs in each store's own local day, and the SLA breaches
(orders still waiting for their first call after 15 minutes of calling time)."""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from orderdesk.calling.models import OPEN_STATES, CallPurpose, CallTask, CallTaskState
from orderdesk.calling.selectors import calling_policies_for, holidays_for
from orderdesk.core.replica import replica_reads
from orderdesk.stores.models import Store

from .kpis import SLA_SECONDS, KpiQuery, KpiTally, kpi_tallies, tally_figures
from .window import window_seconds


def kpis_today(*, store_ids: list[int], now: datetime) -> dict:
    """Today's figures over the stores, each store counted over its own local today."""
    zones: dict[str, list[int]] = defaultdict(list)
    for store_id, zone in Store.objects.filter(pk__in=store_ids).values_list(
        "pk", "default_timezone"
    ):
        zones[zone].append(store_id)
    total = KpiTally()
    query = KpiQuery(store_ids=(), since_on=now.date(), until_on=now.date(), now=now)
    for zone, ids in zones.items():
        today = now.astimezone(ZoneInfo(zone)).date()
        query = KpiQuery(store_ids=tuple(ids), since_on=today, until_on=today, now=now)
        with replica_reads():
            for tally in kpi_tallies(query).values():
                total.merge(tally)
    return tally_figures(total, query=query)


def sla_breaches(*, store_ids: list[int], now: datetime) -> int:
    """Confirmation calls still open and never made (one being made now is not a breach) whose order has waited 15 minutes or more
    of calling time (the same rule as `called_within_15m_rate`)."""
    waiting = (
        CallTask.objects.filter(
            store_id__in=store_ids,
            purpose=CallPurpose.CONFIRMATION,
            state__in=OPEN_STATES,
            first_call_at__isnull=True,
        )
        .exclude(state=CallTaskState.IN_CALL)
        .values_list("store_id", "timezone", "order__created_at")
    )
    policies = calling_policies_for(store_ids=store_ids)
    breaches = 0
    for store_id, zone, created_at in waiting:
        policy = policies[store_id]
        waited = window_seconds(
            start=created_at, end=now, zone=zone, windows=policy.week_windows(),
            holidays=holidays_for(policy=policy, zone=zone),
        )  # fmt: skip
        breaches += waited >= SLA_SECONDS
    return breaches
