"""Orders from a spreadsheet (CSV or Excel): one row per item, rows sharing an `external_id` are
one order, order-level columns read from its first row. Pure: bytes in, payloads out."""

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# Bounds on what a file may unpack to, checked before anything large is built in memory: an
# .xlsx is a zip, and a small one can hold a sheet or a shared string of hundreds of megabytes.
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000
MAX_UNCOMPRESSED_BYTES = 25 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
# The header, MAX_ROWS rows and one more: enough to refuse a file past the bound (table_orders)
# without reading the rest of it.
ROWS_READ = MAX_ROWS + 2
# Column → where it goes in the order payload. Headers are matched case-insensitively, and a
# few Russian headers stores commonly use are accepted too.
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id",),
    "source": ("source",),
    "customer_name": ("customer", "name"),
    "phone": ("customer", "phone"),
    "email": ("customer", "email"),
    "language": ("customer", "language"),
    "locality": ("delivery", "locality"),
    "address_line": ("delivery", "address_line"),
    "street": ("delivery", "street"),
    "house": ("delivery", "house"),
    "apartment": ("delivery", "apartment"),
    "entrance": ("delivery", "entrance"),
    "floor": ("delivery", "floor"),
    "intercom": ("delivery", "intercom"),
    "elevator": ("delivery", "elevator"),
    "delivery_date": ("delivery", "date"),
    "time_wish": ("delivery", "time_wish"),
    "delivery_comment": ("delivery", "comment"),
    "payment_method": ("payment", "method"),
    "comment": ("comment",),
    "currency": ("currency",),
    "sku": ("item", "sku"),
    "item_name": ("item", "name"),
    "quantity": ("item", "quantity"),
    "price": ("item", "price"),
    "category": ("item", "category"),
}
ALIASES = {
    "номер заказа": "external_id", "заказ": "external_id", "имя": "customer_name",
    "клиент": "customer_name", "телефон": "phone", "город": "locality",
    "населенный пункт": "locality", "адрес": "address_line", "артикул": "sku",
    "товар": "item_name", "количество": "quantity", "кол-во": "quantity", "цена": "price",
    "оплата": "payment_method", "комментарий": "comment", "дата доставки": "delivery_date",
}  # fmt: skip
REQUIRED_COLUMNS = ("external_id", "phone", "locality", "sku", "item_name", "quantity", "price")


class TableError(ValueError):
    pass


@dataclass
class OrderRows:
    """One order assembled from its rows (`rows` are spreadsheet row numbers, header = 1)."""

    external_id: str
    rows: list[int] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)


def _header_key(value: Any) -> str:
    text = re.sub(r"\s+", " ", str(value or "").strip().casefold().replace("ё", "е"))
    return ALIASES.get(text, text.replace(" ", "_"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string
        raise TableError(_("The file is not readable text."))
    if "\x00" in text:
        raise TableError(_("The file contains NUL characters: it is not a text table."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in itertools.islice(csv.reader(io.StringIO(text), dialect), ROWS_READ):
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as exc:  # a field past csv's own limit (128 KB), a broken quote
        raise TableError(
            _("Row %(row)d cannot be read: %(reason)s") % {"row": len(rows) + 1, "reason": exc}
        ) from exc
    return rows


def _xlsx_size_check(data: bytes) -> None:
    """What the workbook unpacks to, from the zip's directory, before openpyxl unpacks any of
    it. A member that unpacks to more than it declares is cut off by zipfile at that size and
    fails its checksum, so the declared sizes hold."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNCOMPRESSED_BYTES:
        raise TableError(
            _("The workbook unpacks to more than %(mb)d MB: split it into smaller files.")
            % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    _xlsx_size_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_row=ROWS_READ, max_col=MAX_COLUMNS)
        return [list(row) for row in rows]
    except Exception as exc:  # a sheet damaged past the directory: bad XML, a failed checksum
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    finally:
        workbook.close()


def _cells_check(rows: list[list[Any]]) -> None:
    """A cell longer than any order field is a damaged or hostile file: refused whole, named."""
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise TableError(
                    _("Row %(row)d, column %(column)d: a cell longer than %(limit)d characters.")
                    % {"row": number, "column": index + 1, "limit": MAX_CELL_CHARS}
                )


def table_rows(*, file_name: str, data: bytes) -> list[list[Any]]:
    """The sheet's rows, at most ROWS_READ of MAX_COLUMNS cells each, every cell within
    MAX_CELL_CHARS."""
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    elif file_name.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise TableError(_("Upload a .csv or .xlsx file."))
    _cells_check(rows)
    return rows


def table_orders(rows: list[list[Any]]) -> tuple[list[OrderRows], list[dict[str, Any]]]:
    """Group item rows into orders; problems with the table itself are returned per row."""
    if not rows:
        raise TableError(_("The file is empty."))
    header = [_header_key(h) for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TableError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(_("At most %(count)d rows per file.") % {"count": MAX_ROWS})
    orders: dict[str, OrderRows] = {}
    problems = []
    for number, raw in enumerate(rows[1:], start=2):
        values = {
            key: _cell(raw[i]) for i, key in enumerate(header) if key in COLUMNS and i < len(raw)
        }
        if not any(values.values()):
            continue
        external_id = values.get("external_id", "")
        if not external_id:
            problems.append(
                {"row": number, "column": "external_id", "message": _("this field is required")}
            )
            continue
        order = orders.setdefault(external_id, OrderRows(external_id=external_id))
        _row_merge(order=order, number=number, values=values)
    return list(orders.values()), problems


def _row_merge(*, order: OrderRows, number: int, values: dict[str, str]) -> None:
    first = not order.rows
    order.rows.append(number)
    payload = order.payload
    item: dict[str, Any] = {}
    for column, value in values.items():
        path = COLUMNS[column]
        if path[0] == "item":
            if value:
                item[path[1]] = value
        elif first and value:
            target = payload
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
    payload.setdefault("items", []).append(item)


ITEM_PATH = re.compile(r"^items\[(\d+)\]\.(\w+)")
PATH_COLUMNS = {
    ".".join(path) if path[0] != "item" else f"items.{path[1]}": column
    for column, path in COLUMNS.items()
}


def error_cell(*, order: OrderRows, path: str) -> tuple[int, str]:
    """Which row and column an intake error's field path (`items[1].price`) points at."""
    match = ITEM_PATH.match(path)
    if match:
        index, name = int(match.group(1)), match.group(2)
        row = order.rows[index] if index < len(order.rows) else order.rows[0]
        return row, PATH_COLUMNS.get(f"items.{name}", name)
    return order.rows[0], PATH_COLUMNS.get(path, path)
