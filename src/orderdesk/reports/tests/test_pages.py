"""The report pages (KPIs, exports, wallboard, staffing, pay) as a supervisor sees them."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from orderdesk.accounts.services import user_create
from orderdesk.orders.models import OrderStatus
from orderdesk.reports.models import PayRate
from orderdesk.reports.pay import pay_statement

from .conftest import ALMATY, NOW, decide, finish, local, order_at

PASSWORD = "correct-horse-battery-9"
PERIOD = {"since_on": "2026-11-10", "until_on": "2026-11-11"}


def signed_in(username: str, role: str, stores: list[str]) -> Client:
    user, _, _ = user_create(username=username, role=role, store_slugs=stores)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def supervisor_client(scenario) -> Client:
    return signed_in("sup", "supervisor", ["almaty", "moscow"])


def test_kpi_page_draws_charts_and_the_table(supervisor_client):
    with time_machine.travel(NOW, tick=False):
        response = supervisor_client.get("/reports/", PERIOD | {"group_by": "day"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert "2026-11-10" in html and "2026-11-11" in html
    assert "changed_mind" in html  # cancellations by reason
    assert "50.0%" in html  # the approval rate of the totals


def test_kpi_page_refuses_a_reversed_period(supervisor_client):
    response = supervisor_client.get(
        "/reports/", {"since_on": "2026-11-12", "until_on": "2026-11-10", "group_by": "day"}
    )
    assert response.status_code == 422
    assert "<svg" not in response.content.decode()


def test_kpi_exports(supervisor_client):
    with time_machine.travel(NOW, tick=False):
        csv = supervisor_client.get("/reports/export.csv", PERIOD | {"group_by": "store"})
        xlsx = supervisor_client.get("/reports/export.xlsx", PERIOD | {"group_by": "store"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("store,orders,confirmed")
    assert lines[1].startswith("almaty,4,") and lines[2].startswith("moscow,1,")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0].value for row in sheet.iter_rows()] == [
        "store",
        "almaty",
        "moscow",
        "Итого",
    ]  # Russian


def test_operators_do_not_see_reports(scenario):
    client = signed_in("op9", "operator", ["almaty"])
    for path in ("/reports/", "/wallboard/", "/reports/staffing/", "/reports/pay/"):
        assert client.get(path).status_code == 404


def test_wallboard_today(supervisor_client, scenario):
    with time_machine.travel(NOW, tick=False):
        page = supervisor_client.get("/wallboard/")
        partial = supervisor_client.get("/wallboard/", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert page.status_code == 200 and 'hx-trigger="every 15s"' in html
    assert 'id="calls-today">2<' in html  # o2's two calls on the 11th in Almaty
    assert 'id="confirmed-today">0<' in html
    assert 'id="approval-today">0.0%<' in html  # o2 cancelled today
    assert "<html" not in partial.content.decode()
    assert 'id="wallboard"' in partial.content.decode()


def test_sla_breaches_count_open_confirmations_never_called(supervisor_client, scenario):
    from orderdesk.calling.models import CallPurpose, CallTask
    from orderdesk.reports.live import sla_breaches

    o3, o4 = scenario.orders["o3"], scenario.orders["o4"]
    for order in (o3, o4):
        CallTask.objects.create(
            store=order.store, customer=order.customer, order=order,
            purpose=CallPurpose.CONFIRMATION, state="queued", due_at=order.created_at,
            timezone=order.timezone, created_at=order.created_at,
        )  # fmt: skip
    ids = [scenario.almaty.pk]
    assert sla_breaches(store_ids=ids, now=NOW) == 1  # o3: 2 h of window; o4: 10 minutes
    assert sla_breaches(store_ids=ids, now=local(ALMATY, 11, 12, 5)) == 2
    with time_machine.travel(NOW, tick=False):
        html = supervisor_client.get("/wallboard/").content.decode()
    assert 'id="sla-breaches">1<' in html


def test_staffing_page(supervisor_client):
    with time_machine.travel(NOW, tick=False):
        response = supervisor_client.get(
            "/reports/staffing/", {"store": "", "target_sl": 80, "target_s": 20, "shrinkage": 30}
        )
        bad = supervisor_client.get("/reports/staffing/", {"target_sl": 150, "target_s": 20})
    assert response.status_code == 200
    assert 'id="staffing-table"' in response.content.decode()
    assert bad.status_code == 422


@pytest.fixture
def rates(scenario):
    for store in (scenario.almaty, scenario.moscow):
        PayRate.objects.create(
            store=store, confirmed_amount=Decimal("500"), delivered_amount=Decimal("1000")
        )
    # o9: confirmed and delivered in October by op2, returned in November.
    o9 = order_at(scenario.almaty, local(ALMATY, 19, 12, month=10))
    decide(o9, to=OrderStatus.CONFIRMED, at=local(ALMATY, 20, 12, month=10), actor=scenario.op2)
    finish(o9, to=OrderStatus.DELIVERED, at=local(ALMATY, 25, 12, month=10))
    finish(o9, to=OrderStatus.RETURNED, at=local(ALMATY, 5, 12))
    return o9


def test_pay_statement(scenario, rates):
    stores = [scenario.almaty.pk, scenario.moscow.pk]
    november = datetime(2026, 11, 1, tzinfo=UTC).date()
    op1 = pay_statement(operator=scenario.op1, month=november, store_ids=stores)
    assert [(line.order_external_id, line.kind, line.amount) for line in op1.lines] == [
        (scenario.orders["o5"].external_id, "confirmed", Decimal("500.00")),
        (scenario.orders["o1"].external_id, "confirmed", Decimal("500.00")),
        (scenario.orders["o5"].external_id, "delivered", Decimal("1000.00")),
    ]
    assert op1.totals() == {"KZT": Decimal("2000.00")}
    op2 = pay_statement(operator=scenario.op2, month=november, store_ids=stores)
    # o6 confirmed (+500) and returned undelivered (−500); o9 returned after delivery (−1500).
    assert op2.totals() == {"KZT": Decimal("-1500.00")}
    october = pay_statement(
        operator=scenario.op2, month=november.replace(month=10), store_ids=stores
    )
    assert october.totals() == {"KZT": Decimal("1500.00")}  # drawn up again, it says the same


def test_pay_page_and_xlsx(supervisor_client, scenario, rates):
    params = {"operator": str(scenario.op1.pk), "month": "2026-11"}
    page = supervisor_client.get("/reports/pay/", params)
    assert page.status_code == 200
    assert 'data-total="KZT">2000,00 KZT<'  # the user's language: Russian in page.content.decode()
    xlsx = supervisor_client.get("/reports/pay.xlsx", params)
    rows = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
    ]
    assert rows[0][1] == "op1"
    assert [row[4] for row in rows[2:]] == [500, 500, 1000, 2000]  # three lines, then the total
    assert (
        supervisor_client.get("/reports/pay/", {"operator": "x", "month": "2026-13"}).status_code
        == 422
    )
