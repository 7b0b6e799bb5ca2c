"""The KPI report as a spreadsheet: one row per group and the totals, every text cell made
formula-safe by core.exports (a store's slug or a locality's name is typed by people)."""

from typing import Any

from django.utils.translation import gettext as _

from orderdesk.core.exports import csv_bytes, xlsx_bytes

from .kpis import KpiQuery

COLUMNS = (
    "orders", "confirmed", "cancelled", "approval_rate", "delivered", "returned", "buyout_rate",
    "attempts", "contacted", "contact_rate", "attempts_to_first_contact", "median_first_call_s",
    "p90_first_call_s", "called_within_15m_rate", "median_confirm_s", "aht_s", "upsell_revenue",
    "problems_won_back",
)  # fmt: skip


def _reasons(report: dict[str, Any]) -> list[str]:
    return sorted(report["totals"]["cancelled_by_reason"])


def kpi_table(report: dict[str, Any], *, query: KpiQuery) -> list[list[Any]]:
    """Header, rows, totals; a figure that is null stays an empty cell (not a zero)."""
    reasons = _reasons(report)
    header = [query.group_by or "", *COLUMNS, *(f"cancelled:{r}" for r in reasons)]
    table: list[list[Any]] = [header]
    lines = [*((row["key"], row) for row in report["rows"]), (_("Total"), report["totals"])]
    for key, figures in lines:
        by_reason = figures["cancelled_by_reason"]
        table.append([key, *(figures[c] for c in COLUMNS), *(by_reason.get(r, 0) for r in reasons)])
    return table


def kpi_csv(report: dict[str, Any], *, query: KpiQuery) -> bytes:
    return csv_bytes(kpi_table(report, query=query))


def kpi_xlsx(report: dict[str, Any], *, query: KpiQuery) -> bytes:
    return xlsx_bytes(kpi_table(report, query=query), title="KPIs")
