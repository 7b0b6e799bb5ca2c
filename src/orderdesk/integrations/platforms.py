"""What each platform sends, verified and mapped to the intake's order shape (architecture: Interfaces).

Pure: raw request parts in, an order payload (a plain dict for `orders_intake`) out. Address
lines a platform sends unstructured go into `delivery.address_line` verbatim; the intake splits
them only where that is unambiguous and the operator completes the rest during the call."""

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

SIGNATURE_MISSING = "inbound_signature_missing"
SIGNATURE_INVALID = "inbound_signature_invalid"
BODY_INVALID = "inbound_body_invalid"

SIGNATURE_HEADERS = {
    "woocommerce": "X-WC-Webhook-Signature",
    "shopify": "X-Shopify-Hmac-Sha256",
    "json": "X-Orderdesk-Hmac-Sha256",
}
TILDA_KEY_NAME = "api_key"


class InboundRefused(Exception):
    def __init__(self, code: str, message: str, status_code: int):
        super().__init__(message)
        self.code, self.message, self.status_code = code, message, status_code


@dataclass
class Inbound:
    """A verified request: an order to take in, or a platform's own check call to acknowledge."""

    payload: dict[str, Any] | None = None
    ignored: str = ""


def hmac_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _signature_check(*, header: str, headers: Mapping[str, str], secret: str, body: bytes) -> None:
    given = (headers.get(header) or "").strip()
    if not given:
        raise InboundRefused(SIGNATURE_MISSING, f"the {header} header is missing", 401)
    if not hmac.compare_digest(given.encode(), hmac_base64(secret, body).encode()):
        raise InboundRefused(SIGNATURE_INVALID, f"the {header} signature does not match", 401)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nested deeper than Python's parser goes (core.untrusted.json_parse)
        raise InboundRefused(BODY_INVALID, f"body: not JSON ({exc})", 422) from exc
    if not isinstance(data, dict):
        raise InboundRefused(BODY_INVALID, "body: a JSON object is expected", 422)
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _join(*parts: Any) -> str:
    return ", ".join(p for p in (_text(x) for x in parts) if p)


def _money(value: Any) -> str:
    try:
        return str(Decimal(_text(value) or "0").quantize(Decimal("0.01")))
    except InvalidOperation:
        return _text(value)


# WooCommerce ------------------------------------------------------------------------------------

WOO_PAYMENT_METHODS = {
    "cod": "cash_on_delivery",
    "bacs": "bank_transfer",
    "cheque": "bank_transfer",
}
WOO_TOPICS = ("order.created", "order.updated")


def woocommerce_inbound(*, headers: Mapping[str, str], body: bytes, secret: str) -> Inbound:
    """A WooCommerce order webhook; the first call after setup is a ping (`webhook_id=…`)."""
    topic = headers.get("X-WC-Webhook-Topic") or ""
    if not topic and body.startswith(b"webhook_id="):
        return Inbound(ignored="ping")
    _signature_check(
        header=SIGNATURE_HEADERS["woocommerce"], headers=headers, secret=secret, body=body
    )
    if topic not in WOO_TOPICS:
        return Inbound(ignored=f"topic {topic or 'missing'}")
    return Inbound(payload=woocommerce_order(_json(body)))


def woocommerce_order(order: dict[str, Any]) -> dict[str, Any]:
    billing = order.get("billing") or {}
    shipping = order.get("shipping") or {}
    address = shipping if _text(shipping.get("city") or shipping.get("address_1")) else billing
    name = _join(billing.get("first_name"), billing.get("last_name")).replace(", ", " ")
    paid = bool(order.get("date_paid")) or order.get("status") in ("processing", "completed")
    method = WOO_PAYMENT_METHODS.get(_text(order.get("payment_method")))
    return {
        "external_id": _text(order.get("id")),
        "source": "website",
        "customer": {
            "name": name,
            "phone": _text(billing.get("phone") or shipping.get("phone")),
            "email": _text(billing.get("email")),
        },
        "items": [
            {
                "sku": _text(item.get("sku")) or _text(item.get("product_id")),
                "name": _text(item.get("name")),
                "quantity": item.get("quantity"),
                "price": _money(item.get("price")),
            }
            for item in order.get("line_items") or []
        ],
        "delivery": {
            "locality": _text(address.get("city")),
            "address_line": _join(address.get("address_1"), address.get("address_2")),
            "comment": _text(order.get("customer_note")),
        },
        "payment": {"method": method or ("prepaid" if paid else "cash_on_delivery")},
        "currency": _text(order.get("currency")) or "KZT",
    }


# Shopify ----------------------------------------------------------------------------------------

SHOPIFY_TOPICS = ("orders/create",)
# Paid or authorised online; anything else (pending: cash on delivery, manual) is paid on delivery.
SHOPIFY_PAID = ("paid", "authorized", "partially_paid")


def shopify_inbound(*, headers: Mapping[str, str], body: bytes, secret: str) -> Inbound:
    _signature_check(header=SIGNATURE_HEADERS["shopify"], headers=headers, secret=secret, body=body)
    topic = headers.get("X-Shopify-Topic") or ""
    if topic not in SHOPIFY_TOPICS:
        return Inbound(ignored=f"topic {topic or 'missing'}")
    return Inbound(payload=shopify_order(_json(body)))


def shopify_order(order: dict[str, Any]) -> dict[str, Any]:
    customer = order.get("customer") or {}
    address = order.get("shipping_address") or order.get("billing_address") or {}
    paid = order.get("financial_status") in SHOPIFY_PAID
    name = _text(address.get("name")) or " ".join(
        p for p in (_text(customer.get("first_name")), _text(customer.get("last_name"))) if p
    )
    return {
        "external_id": _text(order.get("id")),
        "source": "website",
        "customer": {
            "name": name,
            "phone": _text(order.get("phone") or address.get("phone") or customer.get("phone")),
            "email": _text(order.get("email") or customer.get("email")),
        },
        "items": [
            {
                "sku": _text(item.get("sku")) or _text(item.get("variant_id") or item.get("id")),
                "name": _text(item.get("name") or item.get("title")),
                "quantity": item.get("quantity"),
                "price": _money(item.get("price")),
            }
            for item in order.get("line_items") or []
        ],
        "delivery": {
            "locality": _text(address.get("city")),
            "address_line": _join(address.get("address1"), address.get("address2")),
        },
        "payment": {"method": "prepaid" if paid else "cash_on_delivery"},
        "comment": _text(order.get("note")),
        "currency": _text(order.get("currency")) or "KZT",
    }


# Tilda ------------------------------------------------------------------------------------------

TILDA_FIELDS = {
    "name": ("name", "имя", "fio", "фио"),
    "phone": ("phone", "телефон", "tel"),
    "email": ("email", "e-mail", "почта"),
    "locality": ("city", "город", "locality", "населенный пункт", "населённый пункт"),
    "address_line": ("address", "адрес", "адрес доставки", "delivery_address"),
    "comment": ("comment", "комментарий", "comments"),
    # a lead form without a cart names its product in a field of its own
    "product": ("product", "товар", "tovar"),
    "price": ("price", "цена"),
    "quantity": ("quantity", "количество"),
}
# Without the "products as an array" option Tilda writes each product as one line of text.
TILDA_PRODUCT_LINE = re.compile(
    r"^(?P<name>.+?)\s*-\s*(?P<quantity>\d+)\s*x\s*(?P<price>\d+(?:[.,]\d+)?)", re.I
)


def _tilda_form(body: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return _json(body)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise InboundRefused(BODY_INVALID, "body: not UTF-8 form data", 422) from exc


def tilda_inbound(
    *, headers: Mapping[str, str], body: bytes, secret: str, key_name: str = ""
) -> Inbound:
    """A Tilda form submission (form-encoded or JSON). Tilda has no signature: it sends the API
    key the store set up, under a name of the store's choice, as a header or a form field."""
    form = _tilda_form(body, headers.get("Content-Type") or "")
    if form.get("test") == "test" and len(form) <= 2:
        return Inbound(ignored="test")  # Tilda's check call when the webhook is connected
    name = key_name or TILDA_KEY_NAME
    given = _text(headers.get(name) or form.get(name))
    if not given:
        raise InboundRefused(SIGNATURE_MISSING, f"the API key {name!r} is missing", 401)
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise InboundRefused(SIGNATURE_INVALID, f"the API key {name!r} does not match", 401)
    return Inbound(payload=tilda_order(form))


def _tilda_value(form: dict[str, Any], field: str) -> str:
    folded = {str(k).strip().casefold(): v for k, v in form.items()}
    for name in TILDA_FIELDS[field]:
        if _text(folded.get(name)):
            return _text(folded[name])
    return ""


def _tilda_payment(form: dict[str, Any]) -> dict[str, Any]:
    payment = form.get("payment")
    if isinstance(payment, str) and payment.strip().startswith("{"):
        try:
            payment = json.loads(payment)
        except (ValueError, RecursionError):
            payment = None
    return payment if isinstance(payment, dict) else {}


def _tilda_items(form: dict[str, Any], payment: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for product in payment.get("products") or []:
        if isinstance(product, dict):
            items.append(
                {
                    "sku": _text(product.get("sku") or product.get("externalid"))
                    or _text(product.get("name")),
                    "name": _text(product.get("name")),
                    "quantity": product.get("quantity") or 1,
                    "price": _money(product.get("price")),
                }
            )
        elif match := TILDA_PRODUCT_LINE.match(_text(product)):
            name = match.group("name").strip()
            price = _money(match.group("price").replace(",", "."))
            items.append(
                {"sku": name, "name": name, "quantity": match.group("quantity"), "price": price}
            )
    if not items and _tilda_value(form, "product"):
        name = _tilda_value(form, "product")
        items.append(
            {
                "sku": name,
                "name": name,
                "quantity": _tilda_value(form, "quantity") or 1,
                "price": _money(_tilda_value(form, "price") or "0"),
            }
        )
    return items


def tilda_order(form: dict[str, Any]) -> dict[str, Any]:
    """The cart's order id when the form is a cart checkout, else the submission's `tranid`."""
    payment = _tilda_payment(form)
    return {
        "external_id": _text(payment.get("orderid")) or _text(form.get("tranid")),
        "source": "website",
        "customer": {
            "name": _tilda_value(form, "name"),
            "phone": _tilda_value(form, "phone"),
            "email": _tilda_value(form, "email"),
        },
        "items": _tilda_items(form, payment),
        "delivery": {
            "locality": _tilda_value(form, "locality"),
            "address_line": _tilda_value(form, "address_line"),
        },
        "payment": {"method": "cash_on_delivery"},
        "comment": _tilda_value(form, "comment"),
    }


# Generic JSON -----------------------------------------------------------------------------------


def json_inbound(*, headers: Mapping[str, str], body: bytes, secret: str) -> Inbound:
    """The order in orderdesk's own shape (architecture: Interfaces), signed like WooCommerce and Shopify do."""
    _signature_check(header=SIGNATURE_HEADERS["json"], headers=headers, secret=secret, body=body)
    return Inbound(payload=_json(body))
