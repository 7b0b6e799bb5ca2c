"""Erlang C (M/M/N with a queue): the fewest operators that answer a target share of calls
within a target time. Pure functions on plain numbers (docs/kpis.md: Staffing)."""

import math
from dataclasses import dataclass

# Enough for any contact center; past it the answer would be a typing mistake, not a plan.
MAX_AGENTS = 10_000


def erlang_c(*, traffic: float, agents: int) -> float:
    """The probability that a call waits, for `traffic` erlangs offered to `agents`. Computed
    through Erlang B's recursion, which stays exact where factorials overflow; 1 when the
    agents cannot keep up (agents ≤ traffic)."""
    if agents <= traffic:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(*, traffic: float, agents: int, aht_s: float, target_s: float) -> float:
    """The share of calls answered within `target_s` seconds."""
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = erlang_c(traffic=traffic, agents=agents)
    return 1 - waits * math.exp(-(agents - traffic) * target_s / aht_s)


@dataclass(frozen=True)
class StaffingPlan:
    agents: int  # on the phones, by Erlang C
    scheduled: int  # to schedule, so that `agents` remain after shrinkage
    service_level: float
    occupancy: float
    waiting_probability: float
    traffic: float


def agents_needed(
    *,
    calls_per_hour: float,
    aht_s: float,
    target_sl: float = 0.8,
    target_s: float = 20.0,
    shrinkage: float = 0.0,
) -> StaffingPlan:
    """The fewest agents whose service level reaches `target_sl`; `scheduled` adds the
    shrinkage (breaks, training, absence): agents / (1 − shrinkage), rounded up."""
    traffic = calls_per_hour * aht_s / 3600
    agents = 0 if traffic == 0 else math.floor(traffic) + 1
    while (
        service_level(traffic=traffic, agents=agents, aht_s=aht_s, target_s=target_s) < target_sl
        and agents < MAX_AGENTS
    ):
        agents += 1
    return StaffingPlan(
        agents=agents,
        scheduled=math.ceil(round(agents / (1 - shrinkage), 9)),
        service_level=service_level(traffic=traffic, agents=agents, aht_s=aht_s, target_s=target_s),
        occupancy=traffic / agents if agents else 0.0,
        waiting_probability=erlang_c(traffic=traffic, agents=agents) if agents else 0.0,
        traffic=traffic,
    )
