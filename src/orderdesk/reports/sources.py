"""Figures the reports show but other apps own: a source function is registered once per figure
(`owned_figures.py`, from `ReportsConfig.ready()`), and the KPIs group what it answers like every
other figure.

A source is called with the period (the stores in scope and UTC bounds that cover the stores'
local days) and answers facts: which order, when (an aware datetime), how much, and, when an
operator earned it, which operator. Reports place each fact in the store's local day and hour
and in the order's store, source and locality, exactly like their own figures. A figure whose
source is not registered is `null` in every row: not zero, because nobody measured it."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

UPSELL_REVENUE = "upsell_revenue"  # the value of upsell offers the customer accepted
PROBLEMS_WON_BACK = "problems_won_back"  # delivery problems resolved into a redelivery
SOURCE_NAMES = (UPSELL_REVENUE, PROBLEMS_WON_BACK)


@dataclass(frozen=True)
class KpiPeriod:
    store_ids: Sequence[int]
    starts_at: datetime  # inclusive, UTC, a little before the first store's first local day
    ends_at: datetime  # exclusive, a little after the last local day; reports cut exactly


@dataclass(frozen=True)
class KpiFact:
    order_id: UUID
    at: datetime
    value: Decimal | int
    operator_id: int | None = None


KpiSource = Callable[[KpiPeriod], Iterable[KpiFact]]
_sources: dict[str, KpiSource] = {}


def kpi_source_register(name: str, source: KpiSource) -> KpiSource:
    """Register the one source of figure `name` (a later registration replaces an earlier one:
    AppConfig.ready may run twice in one process)."""
    if name not in SOURCE_NAMES:
        raise ValueError(f"unknown KPI source {name!r}; known: {', '.join(SOURCE_NAMES)}")
    _sources[name] = source
    return source


def kpi_source_unregister(name: str) -> None:
    _sources.pop(name, None)


def kpi_source_of(name: str) -> KpiSource | None:
    return _sources.get(name)
