"""The dispatch's documents: the pick list (PDF and Excel), the carrier's manifest (Excel) and
the waybills (PDF, a page per order with the order number as a Code 128 barcode and a QR code).

The PDFs are Django templates rendered by WeasyPrint with DejaVu Sans shipped in the package
(`fonts/`, with its licence) and embedded in each file, so Russian and Kazakh read the same on
any machine. Customer text is escaped by the templates and neutralised in the spreadsheets
(core.exports)."""

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from orderdesk.core.exports import XLSX_CONTENT_TYPE, xlsx_bytes
from orderdesk.orders.address import order_address_text
from orderdesk.orders.models import Elevator, Order

from .models import Dispatch
from .selectors import PickLine, cash_to_collect, dispatch_orders, pick_lines

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
DOCUMENT_LANGUAGES = ("ru", "kk", "en")


def _attributes_text(attributes: dict[str, Any]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(attributes.items()))


def _phones(order: Order) -> str:
    phones = [order.recipient_phone or order.customer.phone]
    phones += [p for p in (order.customer.phone, *order.customer.additional_phones) if p]
    return ", ".join(dict.fromkeys(p for p in phones if p))


def _full_address(order: Order) -> str:
    address = order_address_text(order)
    if order.elevator != Elevator.NONE:
        address += f", {order.get_elevator_display()}"
    return address


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on use: it loads pango, which only documents need

    html = render_to_string(template, {**context, "font_dir": FONTS_DIR.as_uri()})
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/").write_pdf()


def _barcode_uri(value: str) -> str:
    """Code 128 as an SVG data URI (python-barcode draws it; the number is printed beside)."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    svg = io.BytesIO()
    Code128(value, writer=SVGWriter()).write(
        svg, options={"write_text": False, "module_height": 12.0, "quiet_zone": 2.0}
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def _qr_uri(value: str) -> str:
    import segno

    return segno.make(value, error="m").svg_data_uri(scale=4)


def _context(dispatch: Dispatch, orders: Sequence[Order]) -> dict[str, Any]:
    return {"dispatch": dispatch, "orders": orders, "store": dispatch.store}


def pick_list_pdf(dispatch: Dispatch, *, language: str = "ru") -> bytes:
    orders = dispatch_orders(dispatch=dispatch)
    with translation.override(language):
        lines = [
            {"line": line, "attributes": _attributes_text(line.attributes)}
            for line in pick_lines(orders)
        ]
        return _pdf("fulfilment/pick_list.html", {**_context(dispatch, orders), "lines": lines})


def _pick_rows(lines: Sequence[PickLine]) -> list[list[Any]]:
    header = [_("SKU"), _("Name"), _("Attributes"), _("Quantity"), _("Orders")]
    rows: list[list[Any]] = [header]
    for line in lines:
        rows.append(
            [
                line.sku,
                line.name,
                _attributes_text(line.attributes),
                line.quantity,
                ", ".join(line.orders),
            ]
        )
    return rows


def pick_list_xlsx(dispatch: Dispatch, *, language: str = "ru") -> bytes:
    orders = dispatch_orders(dispatch=dispatch)
    with translation.override(language):
        return xlsx_bytes(_pick_rows(pick_lines(orders)), title=_("Pick list"))


def manifest_rows(orders: Sequence[Order]) -> list[list[Any]]:
    header = [
        _("Order"), _("Recipient"), _("Phones"), _("Address"), _("Delivery date"),
        _("Interval"), _("Cash to collect"), _("Currency"), _("Comment for the courier"),
    ]  # fmt: skip
    rows: list[list[Any]] = [header]
    for order in orders:
        rows.append(
            [
                order.external_id,
                order.recipient_name or order.customer.name,
                _phones(order),
                _full_address(order),
                order.delivery_on,
                order.time_wish,
                cash_to_collect(order),
                order.currency,
                order.delivery_comment,
            ]
        )
    return rows


def manifest_xlsx(dispatch: Dispatch, *, language: str = "ru") -> bytes:
    """One row per order after the header row."""
    orders = dispatch_orders(dispatch=dispatch)
    with translation.override(language):
        return xlsx_bytes(manifest_rows(orders), title=_("Manifest"))


def waybills_pdf(dispatch: Dispatch, *, language: str = "ru") -> bytes:
    orders = dispatch_orders(dispatch=dispatch)
    with translation.override(language):
        pages = [
            {
                "order": order,
                "recipient": order.recipient_name or order.customer.name,
                "phones": _phones(order),
                "address": _full_address(order),
                "cash": cash_to_collect(order),
                "barcode": _barcode_uri(order.external_id),
                "qr": _qr_uri(order.external_id),
            }
            for order in orders
        ]
        return _pdf("fulfilment/waybills.html", {**_context(dispatch, orders), "pages": pages})


# The documents of a dispatch by the name of their URL, with their file name and media type.
PDF = "application/pdf"
XLSX = XLSX_CONTENT_TYPE
DOCUMENTS = {
    "pick_list_pdf": (pick_list_pdf, "pick-list.pdf", PDF),
    "pick_list_xlsx": (pick_list_xlsx, "pick-list.xlsx", XLSX),
    "manifest_xlsx": (manifest_xlsx, "manifest.xlsx", XLSX),
    "waybills_pdf": (waybills_pdf, "waybills.pdf", PDF),
}


def document_response(dispatch: Dispatch, document: str, language: str) -> HttpResponse:
    """The document as a download (the API and the supervisor's screen), named after the
    dispatch's carrier and date."""
    build, filename, content_type = DOCUMENTS[document]
    response = HttpResponse(build(dispatch, language=language), content_type=content_type)
    name = f"{dispatch.carrier.code}-{dispatch.delivery_on:%Y-%m-%d}-{filename}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
