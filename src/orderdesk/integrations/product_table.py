"""A store's catalogue from a spreadsheet (CSV or Excel): one row per product. Pure: rows in,
product payloads (catalog.schemas.ProductBulkItemIn) out, each problem by row and column.

Columns: sku, name, category, price, stock (the one warehouse), `stock:<warehouse>` (one per
warehouse), `attr:<name>` (one per attribute), active (1/0, yes/no). A few Russian headers are
accepted too (артикул, наименование, категория, цена, остаток)."""

import re
from typing import Any

from django.utils.translation import gettext as _

from orderdesk.catalog.schemas import DEFAULT_WAREHOUSE, ProductBulkItemIn
from orderdesk.catalog.services import product_payload_errors

from .tabular import MAX_ROWS, TableError, _cell

PRODUCT_COLUMNS = ("sku", "name", "category", "price", "stock", "active")
REQUIRED_PRODUCT_COLUMNS = ("sku", "name", "price")
ALIASES = {
    "артикул": "sku", "наименование": "name", "название": "name", "товар": "name",
    "категория": "category", "цена": "price", "остаток": "stock", "количество": "stock",
    "активен": "active",
}  # fmt: skip
STOCK_PREFIXES = ("stock:", "остаток:", "склад:")
ATTRIBUTE_PREFIXES = ("attr:", "атрибут:", "свойство:")
YES, NO = {"1", "yes", "true", "да"}, {"0", "no", "false", "нет"}


def _header(value: Any) -> tuple[str, str]:
    """(kind, name): ("sku", ""), ("stock", "<warehouse>"), ("attr", "<name>") or ("", raw)."""
    raw = re.sub(r"\s+", " ", str(value or "").strip())
    key = raw.casefold().replace("ё", "е")
    for prefixes, kind in ((STOCK_PREFIXES, "stock"), (ATTRIBUTE_PREFIXES, "attr")):
        for prefix in prefixes:
            if key.startswith(prefix) and raw[len(prefix) :].strip():
                return kind, raw[len(prefix) :].strip()
    key = ALIASES.get(key, key)
    return (key, "") if key in PRODUCT_COLUMNS else ("", raw)


def table_products(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Every product row checked: {"row", "sku", "payload" (None if bad), "errors"}; a SKU
    seen twice fails on its second row."""
    if not rows:
        raise TableError(_("The file is empty."))
    header = [_header(h) for h in rows[0]]
    missing = [c for c in REQUIRED_PRODUCT_COLUMNS if (c, "") not in header]
    if missing:
        raise TableError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(_("At most %(count)d rows per file.") % {"count": MAX_ROWS})
    checked, seen = [], set()
    for number, raw in enumerate(rows[1:], start=2):
        cells = [
            (kind, name, _cell(raw[i]) if i < len(raw) else "")
            for i, (kind, name) in enumerate(header)
        ]
        if not any(value for _k, _n, value in cells):
            continue
        result = _row_checked(number, cells)
        if result["payload"] and result["sku"] in seen:
            result["payload"] = None
            result["errors"] = [{"column": "sku", "message": _("this SKU is already in the file")}]
        seen.add(result["sku"])
        checked.append(result)
    return checked


def _row_checked(number: int, cells: list[tuple[str, str, str]]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    stock: dict[str, str] = {}
    errors = []
    for kind, name, value in cells:
        if not kind or not value:
            continue
        if kind == "attr":
            attributes[name] = value
        elif kind == "stock":
            stock[name or DEFAULT_WAREHOUSE] = value
        elif kind == "active":
            if value.casefold() not in YES | NO:
                errors.append({"column": "active", "message": _("write 1 or 0")})
            payload["active"] = value.casefold() in YES
        else:
            payload[kind] = value
    payload.update(attributes=attributes, stock=stock)
    data, problems = product_payload_errors(payload, ProductBulkItemIn)
    errors += [{"column": p["field"], "message": p["message"]} for p in problems or []]
    return {
        "row": number,
        "sku": str(payload.get("sku", "")),
        "payload": data.model_dump(mode="json") if data and not errors else None,
        "errors": errors,
    }
