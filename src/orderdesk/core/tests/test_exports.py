"""Exports neutralise formula-looking cells (OWASP CSV injection); numbers stay numbers."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from orderdesk.core.exports import csv_bytes, spreadsheet_safe, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://example.com","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "-",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_looking_text_gets_a_leading_apostrophe(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Айгуль", "ул. Абая, 10", "", "-1500.00", "+77011234567", "42", "a=b", "'=kept", " =1"],
)
def test_plain_text_and_plain_numbers_are_kept(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize(
    "value", [-1500, Decimal("-259990.00"), -0.5, 0, None, True, date(2026, 1, 2)]
)
def test_values_that_are_not_text_are_kept(value):
    assert spreadsheet_safe(value) is value


def test_csv_export_neutralises_every_hostile_cell():
    rows = [["name", "amount"], *[[value, Decimal("-10.50")] for value in HOSTILE]]
    content = csv_bytes(rows)
    assert content.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert read[0] == ["name", "amount"]
    assert [row[0] for row in read[1:]] == ["'" + value for value in HOSTILE]
    assert {row[1] for row in read[1:]} == {"-10.50"}


def test_xlsx_export_neutralises_every_hostile_cell_and_keeps_numbers_numeric():
    rows = [["name", "amount", "count"], *[[value, Decimal("-10.50"), -3] for value in HOSTILE]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows, title="Orders"))).active
    cells = list(sheet.iter_rows(min_row=2))
    # XML reads a carriage return back as a line feed; the apostrophe is what matters.
    expected = ["'" + value.replace("\r", "\n") for value in HOSTILE]
    assert [row[0].value for row in cells] == expected
    assert {row[0].data_type for row in cells} == {"s"}  # text, never a formula
    assert {(row[1].data_type, row[1].value, row[2].value) for row in cells} == {("n", -10.5, -3)}


def test_every_export_of_the_product_is_written_through_core_exports():
    """A new CSV or Excel writer elsewhere would skip the neutralising: it goes through here."""
    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.writer|DictWriter|Workbook\(|text/csv|spreadsheetml")
    found = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        if writers.search(path.read_text(encoding="utf-8"))
    )
    assert found == ["core/exports.py"]
