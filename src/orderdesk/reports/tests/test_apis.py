"""GET /api/v1/reports/kpis and /staffing: who may read what, the formats, bad input."""

import csv
import io

import time_machine
from openpyxl import load_workbook

from orderdesk.accounts.services import user_create
from orderdesk.conftest import ApiClient
from orderdesk.delivery.models import Locality
from orderdesk.orders.models import Order

from .conftest import NOW

PERIOD = {"from": "2026-11-10", "to": "2026-11-11"}


def staff_api(username: str, role: str, stores: list[str]) -> ApiClient:
    _, _, token = user_create(username=username, role=role, store_slugs=stores)
    return ApiClient(token)


def kpis(api: ApiClient, **params):
    with time_machine.travel(NOW, tick=False):
        return api.get("/api/v1/reports/kpis", **(PERIOD | params))


def test_admin_reads_every_store(scenario):
    response = kpis(staff_api("boss", "admin", []), group_by="store")
    assert response.status_code == 200
    body = response.json()
    assert [row["key"] for row in body["rows"]] == ["almaty", "moscow"]
    assert body["totals"]["orders"] == 5
    assert body["totals"]["approval_rate"] == 0.5
    assert body["totals"]["upsell_revenue"] == "0.00"


def test_supervisor_reads_their_stores_only(scenario):
    api = staff_api("sup", "supervisor", ["moscow"])
    assert kpis(api).json()["totals"]["orders"] == 1
    assert kpis(api, store="almaty").status_code == 404


def test_store_key_reads_its_own(scenario):
    api = ApiClient(scenario.almaty_key)
    assert kpis(api).json()["totals"]["orders"] == 4
    assert kpis(api, store="moscow").status_code == 404


def test_operator_is_refused(scenario):
    assert kpis(staff_api("op9", "operator", ["almaty"])).status_code == 403
    assert ApiClient(None).get("/api/v1/reports/kpis", **PERIOD).status_code == 401


def test_bad_parameters_are_named(scenario):
    api = staff_api("boss", "admin", [])
    response = kpis(api, group_by="week")
    assert response.status_code == 422
    assert "group_by" in response.content.decode()
    response = kpis(api, **{"from": "2026-11-12"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "to"
    response = kpis(api, **{"from": "2026-13-01"})
    assert response.status_code == 422 and "from" in response.content.decode()
    response = kpis(api, **{"from": "2025-01-01", "to": "2026-11-11"})
    assert response.json()["errors"][0]["code"] == "period_too_long"
    response = kpis(api, operator="nobody")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "operator"


def test_csv_and_xlsx_are_formula_safe(scenario):
    locality = Locality.objects.create(
        country="KZ", region="—", name_ru="=HYPERLINK(1)", name_en="x", timezone="Asia/Almaty"
    )
    Order.objects.filter(pk=scenario.orders["o1"].pk).update(locality=locality)
    api = staff_api("boss", "admin", [])
    response = kpis(api, group_by="locality", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["locality", "orders", "confirmed", "cancelled"]
    assert rows[0][-1] == "cancelled:changed_mind"
    assert rows[1][:3] == ["'=HYPERLINK(1)", "1", "1"]
    assert rows[-1][:2] == ["total", "5"]
    rows = kpis(api, group_by="day", format="csv").content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith("2026-11-10,3,1,0,1.0,")
    response = kpis(api, group_by="operator", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "op1" and values[1][2] == 1  # confirmed, a number
    assert values[1][1] is None  # orders by operator: null, an empty cell
    assert values[-1][0] == "total"


def test_staffing_answers_erlang_c(scenario):
    api = staff_api("boss", "admin", [])
    response = api.get(
        "/api/v1/reports/staffing", calls_per_hour=200, aht_s=180, target_sl=0.8, target_s=20,
        shrinkage=0.3,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {
        "agents": 14, "service_level": 0.8884, "occupancy": 0.7143,
        "waiting_probability": 0.1741, "traffic_erlangs": 10.0, "scheduled": 20,
    }  # fmt: skip
    assert (
        ApiClient(scenario.moscow_key)
        .get("/api/v1/reports/staffing", calls_per_hour=10, aht_s=60)
        .json()["agents"]
        == 1
    )


def test_staffing_refuses_bad_input(scenario):
    api = staff_api("boss", "admin", [])
    assert api.get("/api/v1/reports/staffing", calls_per_hour=10).status_code == 422
    response = api.get("/api/v1/reports/staffing", calls_per_hour=10, aht_s=60, target_sl=1.5)
    assert response.status_code == 422 and "target_sl" in response.content.decode()
    response = api.get("/api/v1/reports/staffing", calls_per_hour=1e9, aht_s=600)
    assert response.json()["errors"][0]["field"] == "calls_per_hour"
    assert (
        staff_api("op9", "operator", [])
        .get("/api/v1/reports/staffing", calls_per_hour=1, aht_s=1)
        .status_code
        == 403
    )
