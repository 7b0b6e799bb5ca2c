"""Order import from CSV and Excel by staff: the page, the preview's per-row errors, the import
of valid rows, and a re-run that creates nothing new."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from orderdesk.accounts.services import user_create
from orderdesk.integrations.models import ImportStatus, OrderImport
from orderdesk.integrations.tabular import TableError, table_orders, table_rows
from orderdesk.orders.models import Order
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db
UPLOAD = "admin:integrations_orderimport_upload"

CSV = """external_id,phone,customer_name,locality,address_line,sku,item_name,quantity,price,payment_method
F-1,+7 701 111 22 33,Асель,Алматы,"ул. Абая, 10",KET-1,Чайник,1,15990,cash_on_delivery
F-1,+7 701 111 22 33,Асель,Алматы,,CUP-2,Кружка,2,1990.50,
F-2,123,Болат <b>,Астана,,TV-1,Телевизор,1,199990,cash_on_delivery
F-3,+7 702 222 33 44,Ержан,Шымкент,,FAN-1,Вентилятор,0,5990,cash_on_delivery
,+7 703 333 44 55,Без номера,Алматы,,X-1,Товар,1,100,cash_on_delivery
"""


@pytest.fixture
def supervisor_client(supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    return client


def csrf_post(client: Client, path: str, data: dict):
    page = client.get(reverse(UPLOAD))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    return client.post(path, {**data, "csrfmiddlewaretoken": token.decode()})


def upload(client: Client, store, name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return csrf_post(client, reverse(UPLOAD), {"store": store.pk, "file": file})


def test_preview_names_each_bad_row_and_stores_nothing(supervisor_client, store):
    response = upload(supervisor_client, store, "orders.csv", CSV.encode())
    assert response.status_code == 302
    order_import = OrderImport.objects.get()
    assert response["Location"] == reverse(
        "admin:integrations_orderimport_preview", args=[order_import.pk]
    )
    assert not Order.objects.exists()
    by_id = {o["external_id"]: o for o in order_import.orders}
    assert by_id["F-1"]["errors"] == [] and by_id["F-1"]["rows"] == [2, 3]
    assert [(e["row"], e["column"]) for e in by_id["F-2"]["errors"]] == [(4, "phone")]
    assert [(e["row"], e["column"]) for e in by_id["F-3"]["errors"]] == [(5, "quantity")]
    assert [(p["row"], p["column"]) for p in order_import.row_errors] == [(6, "external_id")]
    page = supervisor_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Болат" not in html  # errors name rows and columns, not the customer's data
    assert "строка 4, phone" in html  # the page speaks the interface language (ru)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script (CSP)


def test_preview_escapes_what_the_file_says(supervisor_client, store):
    hostile = CSV.replace("F-3,", '"<img src=x onerror=alert(1)>",', 1)
    response = upload(supervisor_client, store, "orders.csv", hostile.encode())
    html = supervisor_client.get(response["Location"]).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_import_stores_valid_orders_and_a_rerun_creates_none(supervisor_client, store):
    upload(supervisor_client, store, "orders.csv", CSV.encode())
    first = OrderImport.objects.get()
    response = csrf_post(
        supervisor_client, reverse("admin:integrations_orderimport_run", args=[first.pk]), {}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.created_count, first.existing_count, first.failed_count) == (
        ImportStatus.IMPORTED, 1, 0, 3,
    )  # fmt: skip
    order = Order.objects.get()
    assert order.external_id == "F-1"
    assert [(i.sku, i.quantity, str(i.price)) for i in order.items.all()] == [
        ("KET-1", 1, "15990.00"),
        ("CUP-2", 2, "1990.50"),
    ]
    assert order.address_line == "ул. Абая, 10"
    assert order.customer.phone == "+77011112233"
    # The same file again: the preview says F-1 is there, the import creates nothing.
    upload(supervisor_client, store, "orders.csv", CSV.encode())
    second = OrderImport.objects.exclude(pk=first.pk).get()
    assert {o["external_id"]: o["exists"] for o in second.orders}["F-1"] is True
    csrf_post(
        supervisor_client, reverse("admin:integrations_orderimport_run", args=[second.pk]), {}
    )
    second.refresh_from_db()
    assert (second.created_count, second.existing_count) == (0, 1)
    assert Order.objects.count() == 1


def test_a_previewed_file_is_imported_only_once(supervisor_client, store):
    upload(supervisor_client, store, "orders.csv", CSV.encode())
    order_import = OrderImport.objects.get()
    run = reverse("admin:integrations_orderimport_run", args=[order_import.pk])
    csrf_post(supervisor_client, run, {})
    response = csrf_post(supervisor_client, run, {})
    assert response.status_code == 302
    order_import.refresh_from_db()
    assert order_import.created_count == 1
    assert Order.objects.count() == 1


def test_excel_file_with_numeric_and_date_cells(supervisor_client, store):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Номер заказа", "Телефон", "Город", "Артикул", "Товар", "Количество", "Цена",
                  "payment_method", "delivery_date"])  # fmt: skip
    sheet.append([1001, 77011112233, "Алматы", "KET-1", "Чайник", 2, 15990.0, "cash_on_delivery",
                  dt.datetime(2026, 11, 27)])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(supervisor_client, store, "orders.xlsx", buffer.getvalue())
    order_import = OrderImport.objects.get()
    assert [o["errors"] for o in order_import.orders] == [[]]
    csrf_post(
        supervisor_client, reverse("admin:integrations_orderimport_run", args=[order_import.pk]), {}
    )
    order = Order.objects.get()
    assert (order.external_id, order.customer.phone) == ("1001", "+77011112233")
    assert order.requested_delivery_on == dt.date(2026, 11, 27)
    assert order.items.get().quantity == 2


def test_upload_without_csrf_token_is_refused(supervisor_client, store):
    file = io.BytesIO(CSV.encode())
    file.name = "orders.csv"
    response = supervisor_client.post(reverse(UPLOAD), {"store": store.pk, "file": file})
    assert response.status_code == 403
    assert not OrderImport.objects.exists()


def test_operators_cannot_reach_the_page(operator, store):
    client = Client()
    client.force_login(operator)
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_supervisor_imports_only_into_their_stores(supervisor_client, store):
    other, _ = store_create(name="Чужой магазин", slug="foreign")
    response = upload(supervisor_client, other, "orders.csv", CSV.encode())
    assert response.status_code == 200  # the form again, with the store refused
    assert not OrderImport.objects.exists()
    user, _, _ = user_create(username="sup2", role="supervisor", store_slugs=["foreign"])
    client = Client()
    client.force_login(user)
    upload(supervisor_client, store, "orders.csv", CSV.encode())
    order_import = OrderImport.objects.get()
    preview = reverse("admin:integrations_orderimport_preview", args=[order_import.pk])
    assert client.get(preview).status_code == 404


def test_unreadable_file_is_reported_on_the_form(supervisor_client, store):
    response = upload(supervisor_client, store, "orders.xlsx", b"not a workbook")
    assert response.status_code == 200
    assert "Excel" in response.content.decode() or "xlsx" in response.content.decode()
    assert not OrderImport.objects.exists()


def test_missing_columns_are_named():
    with pytest.raises(TableError, match="phone"):
        table_orders(table_rows(file_name="a.csv", data=b"external_id,sku\nA,B\n"))


def test_semicolon_and_windows_1251_csv_from_excel():
    text = "external_id;phone;locality;sku;item_name;quantity;price\nW-1;87011112233;Алматы;S;Стул;1;100\n"
    orders, problems = table_orders(table_rows(file_name="a.csv", data=text.encode("cp1251")))
    assert problems == []
    assert orders[0].payload["delivery"] == {"locality": "Алматы"}
    assert orders[0].payload["items"] == [
        {"sku": "S", "name": "Стул", "quantity": "1", "price": "100"}
    ]


# The same import through the API, for scripts (a supervisor's or admin's token) ------------------


@pytest.fixture
def supervisor_api(store):
    from orderdesk.conftest import ApiClient

    _, _, token = user_create(username="sup-api", role="supervisor", store_slugs=[store.slug])
    return ApiClient(token)


def api_upload(api, slug: str, content: bytes, name: str = "orders.csv"):
    file = io.BytesIO(content)
    file.name = name
    return api.client.post("/api/v1/imports", {"store": slug, "file": file}, headers=api._headers())


def test_api_preview_then_run_then_rerun(supervisor_api, store):
    response = api_upload(supervisor_api, store.slug, CSV.encode())
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(o["external_id"], bool(o["errors"])) for o in body["orders"]] == [
        ("F-1", False), ("F-2", True), ("F-3", True),
    ]  # fmt: skip
    assert not Order.objects.exists()
    run = supervisor_api.post(f"/api/v1/imports/{body['id']}/run")
    assert run.status_code == 200
    assert (run.json()["created"], run.json()["existing"]) == (1, 0)
    again = supervisor_api.post(f"/api/v1/imports/{body['id']}/run")
    assert again.status_code == 409
    second = api_upload(supervisor_api, store.slug, CSV.encode()).json()
    rerun = supervisor_api.post(f"/api/v1/imports/{second['id']}/run").json()
    assert (rerun["created"], rerun["existing"]) == (0, 1)
    assert Order.objects.count() == 1


def test_api_import_refuses_operators_stores_and_foreign_stores(
    supervisor_api, operator_api, store_api, store
):
    assert api_upload(operator_api, store.slug, CSV.encode()).status_code == 403
    assert api_upload(store_api, store.slug, CSV.encode()).status_code == 403
    store_create(name="Чужой магазин", slug="foreign")
    assert api_upload(supervisor_api, "foreign", CSV.encode()).status_code == 404
    assert not OrderImport.objects.exists()


def test_api_import_reports_an_unreadable_file(supervisor_api, store):
    response = api_upload(supervisor_api, store.slug, b"x", name="orders.pdf")
    assert response.status_code == 422
    assert response.json()["error"] == "import_file_unreadable"


def test_supervisors_find_the_page_from_the_admin_index(supervisor):
    client = Client()
    client.force_login(supervisor)
    assert "/admin/integrations/orderimport/" in client.get("/admin/").content.decode()
    listing = client.get("/admin/integrations/orderimport/")
    assert listing.status_code == 200
    assert reverse(UPLOAD) in listing.content.decode()
    page = client.get(reverse(UPLOAD))
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
