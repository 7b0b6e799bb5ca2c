"""Every file a user downloads and opens in a spreadsheet (CSV, Excel) is written here, so that
a cell a customer or a store typed can never run as a formula (OWASP: CSV injection).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, `-2+3+cmd|' /C calc'!A0`): it gets a
leading apostrophe and stays text. Numbers stay numbers: a negative amount passed as a number is
a numeric cell, and text that is just a number (`-1500.00`, a phone `+77011234567`) is no formula.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

# What a response carrying an export says it is.
CSV_MEDIA_TYPE = "text/csv"
CSV_CONTENT_TYPE = f"{CSV_MEDIA_TYPE}; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")

Cell = str | int | float | Decimal | date | datetime | bool | None


def spreadsheet_safe(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would run as a formula becomes text
    with a leading apostrophe; numbers, dates and empty cells are kept as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_rows_write(handle: TextIO, rows: Iterable[Sequence[Cell]]) -> None:
    """Rows into an open text file (opened with newline=""), every cell made safe."""
    writer = csv.writer(handle)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte order mark: Excel reads Cyrillic text right only with it."""
    buffer = io.StringIO(newline="")
    csv_rows_write(buffer, rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, title: str = "Sheet") -> bytes:
    """One sheet; text cells made safe (openpyxl itself stores any text starting with `=` as a
    formula), numbers as numeric cells."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([spreadsheet_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
