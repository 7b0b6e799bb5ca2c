"""The KPI report as a spreadsheet: one row per group and the totals, every text cell made
formula-safe by core.exports (a store's slug or a locality's name is typed by people)."""

from typing import Any

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


def kpi_table(
    report: dict[str, Any], *, query: KpiQuery, total_label: str = "total"
) -> list[list[Any]]:
    """Header, rows, totals; a figure that is null stays an empty cell (not a zero). The API's
    files name the totals row `total` whatever the language (programs read them); the pages'
    files speak the reader's language."""
    reasons = _reasons(report)
    header = [query.group_by or "", *COLUMNS, *(f"cancelled:{r}" for r in reasons)]
    table: list[list[Any]] = [header]
    lines = [*((row["key"], row) for row in report["rows"]), (total_label, report["totals"])]
    for key, figures in lines:
        by_reason = figures["cancelled_by_reason"]
        table.append([key, *(figures[c] for c in COLUMNS), *(by_reason.get(r, 0) for r in reasons)])
    return table


def kpi_csv(report: dict[str, Any], *, query: KpiQuery, total_label: str = "total") -> bytes:
    return csv_bytes(kpi_table(report, query=query, total_label=total_label))


def kpi_xlsx(report: dict[str, Any], *, query: KpiQuery, total_label: str = "total") -> bytes:
    return xlsx_bytes(kpi_table(report, query=query, total_label=total_label), title="KPIs")
