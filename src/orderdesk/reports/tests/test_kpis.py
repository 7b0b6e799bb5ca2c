"""Every KPI on the hand-built scenario of conftest.py, with the answers worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from orderdesk.catalog.models import UpsellOffer, UpsellOutcome
from orderdesk.reports.kpis import KpiQuery, kpi_report, percentile
from orderdesk.reports.owned_figures import owned_figures_register
from orderdesk.reports.sources import (
    PROBLEMS_WON_BACK,
    UPSELL_REVENUE,
    KpiFact,
    kpi_source_register,
    kpi_source_unregister,
)

from .conftest import ALMATY, NOW, local

FROM, TO = date(2026, 11, 10), date(2026, 11, 11)


def report(scenario, **kwargs):
    stores = kwargs.pop("store_ids", (scenario.almaty.pk, scenario.moscow.pk))
    query = KpiQuery(
        store_ids=tuple(stores), since_on=kwargs.pop("since_on", FROM),
        until_on=kwargs.pop("until_on", TO), now=NOW, **kwargs,
    )  # fmt: skip
    return kpi_report(query)


def test_totals_of_every_kpi(scenario):
    totals = report(scenario)["totals"]
    assert totals == {
        "orders": 5,  # o1, o2, o7 on the 10th, o3 and o4 on the 11th (o8 is the 12th in Moscow)
        "confirmed": 1,
        "cancelled": 1,
        "cancelled_by_reason": {"changed_mind": 1},
        "approval_rate": 0.5,
        "delivered": 1,
        "returned": 1,
        "buyout_rate": 0.5,
        "attempts": 5,  # the abandoned claim is not a call
        "contacted": 2,
        "contact_rate": 0.4,
        "attempts_to_first_contact": 2.0,
        "median_first_call_s": 300.0,  # [0, 300, 900]
        "p90_first_call_s": 780.0,  # 300 + 0.8 × 600
        "called_within_15m_rate": 0.75,  # o1, o2, o7 in time; o3 late; o4 not yet due
        "median_confirm_s": 6120.0,  # o1: 09:00 → 10:42
        "aht_s": 105.0,  # (120 + 90) / 2, the calls that reached the customer
        "upsell_revenue": "0.00",  # measured (catalog's offers), none accepted
        "problems_won_back": 0,  # measured (shipping's problems), none won back
    }


def test_grouped_by_day_uses_each_stores_local_day(scenario):
    rows = {row["key"]: row for row in report(scenario, group_by="day")["rows"]}
    assert list(rows) == ["2026-11-10", "2026-11-11"]
    tenth, eleventh = rows["2026-11-10"], rows["2026-11-11"]
    assert (tenth["orders"], eleventh["orders"]) == (3, 2)  # o7 at 21:30 UTC on the 9th
    assert (tenth["confirmed"], tenth["cancelled"], tenth["approval_rate"]) == (1, 0, 1.0)
    assert (eleventh["confirmed"], eleventh["cancelled"], eleventh["approval_rate"]) == (0, 1, 0.0)
    assert (tenth["delivered"], tenth["returned"], tenth["buyout_rate"]) == (1, 0, 1.0)
    assert (eleventh["delivered"], eleventh["returned"], eleventh["buyout_rate"]) == (0, 1, 0.0)
    assert (tenth["attempts"], eleventh["attempts"]) == (3, 2)
    assert tenth["median_first_call_s"] == 300.0
    assert eleventh["median_first_call_s"] is None  # o3 never called, o4 not yet
    assert eleventh["called_within_15m_rate"] == 0.0  # o3 is late
    assert eleventh["median_confirm_s"] is None


def test_day_boundary_in_each_zone(scenario):
    """21:30 UTC is the next day in Moscow: o7 (9 Nov UTC) is in, o8 (11 Nov UTC) is out."""
    moscow = (scenario.moscow.pk,)
    assert report(scenario, store_ids=moscow)["totals"]["orders"] == 1
    assert report(scenario, store_ids=moscow, since_on=date(2026, 11, 12),
                  until_on=date(2026, 11, 12))["totals"]["orders"] == 1  # fmt: skip
    assert report(scenario, store_ids=moscow, since_on=date(2026, 11, 9),
                  until_on=date(2026, 11, 9))["totals"]["orders"] == 0  # fmt: skip
    # o3: 19:30 UTC on the 10th is 00:30 on the 11th in Almaty.
    almaty_10th = report(scenario, store_ids=(scenario.almaty.pk,), until_on=FROM)["totals"]
    assert almaty_10th["orders"] == 2


def test_empty_period_gives_null_rates(scenario):
    totals = report(scenario, since_on=date(2026, 10, 1), until_on=date(2026, 10, 1))["totals"]
    assert totals["orders"] == totals["confirmed"] == totals["attempts"] == 0
    for name in (
        "approval_rate", "buyout_rate", "contact_rate", "attempts_to_first_contact",
        "median_first_call_s", "p90_first_call_s", "called_within_15m_rate", "median_confirm_s",
        "aht_s",
    ):  # fmt: skip
        assert totals[name] is None, name


def test_grouped_by_operator(scenario):
    rows = {row["key"]: row for row in report(scenario, group_by="operator")["rows"]}
    assert set(rows) == {"op1", "op2"}
    op1, op2 = rows["op1"], rows["op2"]
    assert (op1["confirmed"], op1["approval_rate"], op1["delivered"], op1["buyout_rate"]) == (
        1, 1.0, 1, 1.0,
    )  # fmt: skip
    assert (op2["cancelled"], op2["approval_rate"], op2["returned"], op2["buyout_rate"]) == (
        1, 0.0, 1, 0.0,
    )  # fmt: skip
    assert (op1["attempts"], op1["contacted"], op1["contact_rate"], op1["aht_s"]) == (
        3, 1, 0.3333, 120.0,
    )  # fmt: skip
    assert (op2["attempts"], op2["contact_rate"], op2["aht_s"]) == (2, 0.5, 90.0)
    # An order is nobody's until someone decides it: its own figures are null by operator.
    assert op1["orders"] is None and op1["median_first_call_s"] is None


def test_filtered_by_operator(scenario):
    totals = report(scenario, operator_ids=(scenario.op2.pk,))["totals"]
    assert (totals["cancelled"], totals["returned"], totals["attempts"]) == (1, 1, 2)
    assert totals["confirmed"] == 0 and totals["orders"] is None


def test_grouped_by_store_source_locality_and_hour(scenario):
    by_store = {r["key"]: r for r in report(scenario, group_by="store")["rows"]}
    assert (by_store["almaty"]["orders"], by_store["moscow"]["orders"]) == (4, 1)
    assert (by_store["almaty"]["attempts"], by_store["moscow"]["attempts"]) == (4, 1)
    by_source = {r["key"]: r for r in report(scenario, group_by="source")["rows"]}
    assert (by_source["website"]["orders"], by_source["kaspi"]["orders"]) == (4, 1)
    assert by_source["kaspi"]["cancelled"] == 1 and by_source["kaspi"]["attempts"] == 2
    kaspi_only = report(scenario, sources=("kaspi",))["totals"]
    assert (kaspi_only["orders"], kaspi_only["attempts"], kaspi_only["confirmed"]) == (1, 2, 0)
    by_locality = report(scenario, group_by="locality")["rows"]
    assert [r["key"] for r in by_locality] == [None]  # no locality matched in the scenario
    by_hour = {r["key"]: r for r in report(scenario, group_by="hour")["rows"]}
    assert by_hour["09"]["orders"] == 1  # o1 at 09:00 in Almaty
    assert by_hour["00"]["orders"] == 2  # o3 (Almaty) and o7 (Moscow), both 00:30 local
    assert by_hour["10"]["attempts"] == 4  # 10:05, 10:40, 10:10 (11th) in Almaty; 10:00 Moscow


def test_registered_sources_are_grouped_like_the_rest(scenario):
    o1, o2 = scenario.orders["o1"], scenario.orders["o2"]

    def upsell(period):
        assert period.starts_at <= local(ALMATY, 10, 10, 42) < period.ends_at
        return [
            KpiFact(o1.pk, local(ALMATY, 10, 10, 42), Decimal("1500.00"), scenario.op1.pk),
            KpiFact(o2.pk, local(ALMATY, 12, 10), Decimal("999.00"), scenario.op2.pk),  # after
        ]

    kpi_source_register(UPSELL_REVENUE, upsell)
    kpi_source_register(PROBLEMS_WON_BACK, lambda period: [KpiFact(o2.pk, local(ALMATY, 11, 9), 1)])
    try:
        result = report(scenario, group_by="day")
        rows = {r["key"]: r for r in result["rows"]}
        assert rows["2026-11-10"]["upsell_revenue"] == "1500.00"
        assert rows["2026-11-11"]["upsell_revenue"] == "0.00"
        assert rows["2026-11-11"]["problems_won_back"] == 1
        assert result["totals"]["upsell_revenue"] == "1500.00"
        by_operator = {r["key"]: r for r in report(scenario, group_by="operator")["rows"]}
        assert by_operator["op1"]["upsell_revenue"] == "1500.00"
    finally:
        owned_figures_register()


def test_a_figure_nobody_measures_is_null(scenario):
    kpi_source_unregister(UPSELL_REVENUE)
    try:
        assert report(scenario)["totals"]["upsell_revenue"] is None
    finally:
        owned_figures_register()


def test_accepted_upsells_are_the_operators_revenue(scenario):
    """The real source: catalog's accepted offers, in the store's local day, by operator."""
    o1 = scenario.orders["o1"]
    offer = {"store": o1.store, "order_id": o1.pk, "operator": scenario.op1}
    UpsellOffer.objects.create(
        **offer, sku="LAMP", outcome=UpsellOutcome.ACCEPTED, revenue=Decimal("700.00"),
        at=local(ALMATY, 10, 11),
    )  # fmt: skip
    UpsellOffer.objects.create(
        **offer, sku="RUG", outcome=UpsellOutcome.DECLINED, at=local(ALMATY, 10, 11, 5)
    )
    assert report(scenario)["totals"]["upsell_revenue"] == "700.00"
    by_operator = {r["key"]: r for r in report(scenario, group_by="operator")["rows"]}
    assert by_operator["op1"]["upsell_revenue"] == "700.00"


def test_unknown_source_name_is_refused():
    with pytest.raises(ValueError, match="unknown KPI source"):
        kpi_source_register("revenue", lambda period: [])


def test_percentile_interpolates_like_postgresql():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == 46.0
