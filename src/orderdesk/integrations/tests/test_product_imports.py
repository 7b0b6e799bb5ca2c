"""A store's catalogue from Excel or CSV by staff: the preview names each bad row and writes
nothing; the import writes the valid rows through the one product writer."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from orderdesk.catalog.models import Product, ProductStock
from orderdesk.integrations.models import ImportStatus, ProductImport

pytestmark = pytest.mark.django_db
UPLOAD = "admin:integrations_productimport_upload"
HEADER = ["Артикул", "Наименование", "Категория", "Цена", "stock:Алматы", "stock:Астана",
          "attr:Обивка", "active"]  # fmt: skip


@pytest.fixture
def supervisor_client(supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    return client


def _post(client: Client, path: str, data: dict):
    page = client.get(reverse(UPLOAD))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    return client.post(path, {**data, "csrfmiddlewaretoken": token.decode()})


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "catalogue.xlsx"
    return out


def test_preview_then_import(supervisor_client, store):
    Product.objects.create(store=store, sku="DV-2", name="Старое имя", price="1.00")
    workbook = _xlsx([
        ["DV-1", "Диван Осло", "sofas", 189990, 3, 2, "велюр", 1],
        ["DV-2", "Диван Лунд", "sofas", "149990.50", 0, None, None, "0"],
        ["DV-3", "", "sofas", -5, "много", None, None, "может"],
        ["DV-1", "Диван Осло ещё раз", "sofas", 1, 1, 1, None, 1],
    ])  # fmt: skip
    response = _post(supervisor_client, reverse(UPLOAD), {"store": store.pk, "file": workbook})
    assert response.status_code == 302
    product_import = ProductImport.objects.get()
    assert [(r["row"], r["sku"], sorted(e["column"] for e in r["errors"]), r["exists"])
            for r in product_import.rows] == [
        (2, "DV-1", [], False),
        (3, "DV-2", [], True),
        (4, "DV-3", ["active", "name", "price", "stock.Алматы"], False),
        (5, "DV-1", ["sku"], False),
    ]  # fmt: skip
    assert Product.objects.count() == 1  # nothing written by the preview
    page = supervisor_client.get(response["Location"]).content.decode()
    assert page.count('<ul class="errorlist">') == 2
    assert "<bdi>DV-3</bdi>" in page

    run = reverse("admin:integrations_productimport_run", args=[product_import.pk])
    assert _post(supervisor_client, run, {}).status_code == 302
    product_import.refresh_from_db()
    assert (product_import.status, product_import.created_count, product_import.updated_count) == (
        ImportStatus.IMPORTED, 1, 1)  # fmt: skip
    oslo = Product.objects.get(store=store, sku="DV-1")
    assert (oslo.name, oslo.price, oslo.stock_quantity, oslo.attributes, oslo.is_active) == (
        "Диван Осло", Decimal("189990.00"), 5, {"Обивка": "велюр"}, True)  # fmt: skip
    assert sorted(ProductStock.objects.filter(product=oslo).values_list("warehouse", "quantity")) == [
        ("Алматы", 3), ("Астана", 2)]  # fmt: skip
    lund = Product.objects.get(store=store, sku="DV-2")
    assert (lund.name, lund.price, lund.is_active) == ("Диван Лунд", Decimal("149990.50"), False)
    assert not Product.objects.filter(sku="DV-3").exists()


def test_a_file_without_required_columns_is_refused(supervisor_client, store):
    file = io.BytesIO(b"sku;name\nA;B\n")
    file.name = "x.csv"
    response = _post(supervisor_client, reverse(UPLOAD), {"store": store.pk, "file": file})
    assert response.status_code == 200
    assert not ProductImport.objects.exists()
