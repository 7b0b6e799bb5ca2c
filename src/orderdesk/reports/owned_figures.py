"""The two figures other apps own, as KPI sources: accepted upsell revenue (catalog) and
delivery problems won back (shipping). Registered from `ReportsConfig.ready()`: reports sit above
both apps, which know nothing of reports."""

from collections.abc import Iterable

from orderdesk.catalog.selectors import accepted_upsells_between
from orderdesk.shipping.selectors import problems_won_back_between

from .sources import (
    PROBLEMS_WON_BACK,
    UPSELL_REVENUE,
    KpiFact,
    KpiPeriod,
    kpi_source_register,
)


def upsell_revenue_facts(period: KpiPeriod) -> Iterable[KpiFact]:
    for row in accepted_upsells_between(
        store_ids=period.store_ids, start=period.starts_at, end=period.ends_at
    ):
        yield KpiFact(
            order_id=row["order_id"],
            at=row["at"],
            value=row["revenue"],
            operator_id=row["operator_id"],
        )


def problems_won_back_facts(period: KpiPeriod) -> Iterable[KpiFact]:
    for row in problems_won_back_between(
        store_ids=period.store_ids, start=period.starts_at, end=period.ends_at
    ):
        yield KpiFact(
            order_id=row["order_id"],
            at=row["shipment__delivered_at"],
            value=1,
            operator_id=row["decided_by_id"],
        )


def owned_figures_register() -> None:
    kpi_source_register(UPSELL_REVENUE, upsell_revenue_facts)
    kpi_source_register(PROBLEMS_WON_BACK, problems_won_back_facts)
