"""Imported files are bounded before they are unpacked or read in full: what an .xlsx unpacks
to, the number of rows, the length of one cell, the file's size. A file past a bound is refused
whole with a message saying which, and nothing is stored."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from orderdesk.accounts.services import user_create
from orderdesk.conftest import ApiClient
from orderdesk.integrations.models import OrderImport
from orderdesk.integrations.tabular import (
    MAX_CELL_CHARS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
)
from orderdesk.orders.models import Order

pytestmark = pytest.mark.django_db
HEADER = ["external_id", "phone", "customer_name", "locality", "sku", "item_name", "quantity",
          "price", "payment_method"]  # fmt: skip
ROW = ["B-1", "+7 701 111 22 33", "MARKER", "Алматы", "S-1", "Стул", 1, 100, "cash_on_delivery"]


@pytest.fixture
def api(store):
    _, _, token = user_create(username="sup-bounds", role="supervisor", store_slugs=[store.slug])
    return ApiClient(token)


def preview(api, store, content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    headers = {**api._headers(), "Accept-Language": "en"}
    return api.client.post("/api/v1/imports", {"store": store.slug, "file": file}, headers=headers)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_with_cell(text: str) -> bytes:
    """A small workbook whose one cell is replaced, in the zip, by `text`: how a file of a few
    kilobytes comes to hold a cell of many megabytes."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([ROW])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            data = data.replace(b"MARKER", text.encode())
            target.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def refused(response, words: str) -> None:
    assert response.status_code == 422, response.content
    assert words in response.json()["message"], response.json()
    assert not OrderImport.objects.exists()
    assert not Order.objects.exists()


def test_a_small_workbook_that_unpacks_past_the_bound_is_refused_unopened(api, store):
    bomb = xlsx_with_cell("A" * (MAX_UNCOMPRESSED_BYTES + 1))
    assert len(bomb) < 200_000
    refused(preview(api, store, bomb, "orders.xlsx"), "unpacks to more than 25 MB")


def test_a_workbook_cell_longer_than_the_bound_is_refused_by_row_and_column(api, store):
    content = xlsx_with_cell("Б" * (MAX_CELL_CHARS + 1))
    refused(preview(api, store, content, "orders.xlsx"), "Row 2, column 3")


def test_a_csv_cell_longer_than_the_bound_is_refused(api, store):
    lines = [",".join(HEADER), ",".join(map(str, ROW)).replace("MARKER", "x" * 20_000)]
    refused(preview(api, store, "\n".join(lines).encode(), "orders.csv"), "Row 2, column 3")


def test_a_csv_field_past_the_csv_readers_own_limit_is_refused(api, store):
    quoted = '"' + "y" * 200_000 + '"'
    lines = [",".join(HEADER), ",".join(map(str, ROW)).replace("MARKER", quoted)]
    refused(preview(api, store, "\n".join(lines).encode(), "orders.csv"), "Row 2 cannot be read")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_one_row_past_the_bound_is_refused(api, store, kind):
    rows = [[f"R-{n}", *ROW[1:]] for n in range(MAX_ROWS + 1)]
    if kind == "csv":
        content = "\n".join(",".join(map(str, r)) for r in [HEADER, *rows]).encode()
    else:
        content = xlsx(rows)
    refused(preview(api, store, content, f"orders.{kind}"), f"At most {MAX_ROWS} rows")


def test_a_csv_with_nul_characters_is_refused(api, store):
    content = f"{','.join(HEADER)}\n{','.join(map(str, ROW))}".replace("MARKER", "a\x00b")
    refused(preview(api, store, content.encode(), "orders.csv"), "NUL")


def test_a_file_over_five_megabytes_is_refused_before_it_is_read(api, store):
    refused(preview(api, store, b"x" * (5 * 1024 * 1024 + 1), "orders.csv"), "larger than 5 MB")


def test_the_bounds_leave_an_ordinary_file_alone(api, store):
    response = preview(api, store, xlsx([ROW]), "orders.xlsx")
    assert response.status_code == 201, response.content
    assert response.json()["orders"][0]["errors"] == []
