"""Platform intake: each platform's own order format, verified, mapped to the one intake path.

The payloads follow the shapes the platforms document (WooCommerce REST v3 order webhooks,
Shopify `orders/create`, Tilda form webhooks); names, numbers and addresses are invented."""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from orderdesk.integrations.models import Connection
from orderdesk.integrations.platforms import SIGNATURE_INVALID, SIGNATURE_MISSING
from orderdesk.integrations.services import (
    CONNECTION_PLATFORM_INVALID,
    CONNECTION_SECRET_MISSING,
    CONNECTION_SECRET_TOO_LONG,
)
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import Order, StoreEvent

pytestmark = pytest.mark.django_db
SECRET = "k3y-from-the-platform-settings"

WOO_ORDER = {
    "id": 4821,
    "parent_id": 0,
    "number": "4821",
    "order_key": "wc_order_Xq2LrT9bP0aZ1",
    "created_via": "checkout",
    "version": "9.4.2",
    "status": "processing",
    "currency": "KZT",
    "date_created": "2026-11-23T10:15:02",
    "discount_total": "0.00",
    "shipping_total": "0.00",
    "total": "31980.00",
    "customer_id": 0,
    "customer_note": "Позвоните за час до доставки",
    "billing": {
        "first_name": "Айгуль",
        "last_name": "Тестова",
        "company": "",
        "address_1": "ул. Абая, 10",
        "address_2": "",
        "city": "Алматы",
        "state": "ALA",
        "postcode": "050000",
        "country": "KZ",
        "email": "aigul@example.kz",
        "phone": "8 (701) 123-45-67",
    },
    "shipping": {
        "first_name": "Айгуль",
        "last_name": "Тестова",
        "company": "",
        "address_1": "мкр. Самал-2, д. 58",
        "address_2": "кв. 14, подъезд 3, этаж 5",
        "city": "Алматы",
        "state": "ALA",
        "postcode": "050059",
        "country": "KZ",
        "phone": "",
    },
    "payment_method": "cod",
    "payment_method_title": "Оплата при доставке",
    "transaction_id": "",
    "date_paid": None,
    "line_items": [
        {
            "id": 311,
            "name": "Чайник электрический 1,7 л",
            "product_id": 93,
            "variation_id": 0,
            "quantity": 2,
            "tax_class": "",
            "subtotal": "31980.00",
            "total": "31980.00",
            "sku": "KET-170",
            "price": 15990,
        }
    ],
    "shipping_lines": [],
    "meta_data": [],
}

SHOPIFY_ORDER = {
    "id": 5678901234567,
    "admin_graphql_api_id": "gid://shopify/Order/5678901234567",
    "name": "#1042",
    "order_number": 1042,
    "email": "daniyar@example.kz",
    "phone": None,
    "created_at": "2026-11-23T15:20:11+05:00",
    "currency": "KZT",
    "financial_status": "pending",
    "fulfillment_status": None,
    "gateway": "Cash on Delivery (COD)",
    "payment_gateway_names": ["Cash on Delivery (COD)"],
    "total_price": "17980.00",
    "subtotal_price": "17980.00",
    "note": "Домофон не работает",
    "customer": {
        "id": 7012345678901,
        "email": "daniyar@example.kz",
        "first_name": "Данияр",
        "last_name": "Примеров",
        "phone": "+77021234567",
    },
    "shipping_address": {
        "first_name": "Данияр",
        "last_name": "Примеров",
        "name": "Данияр Примеров",
        "address1": "пр. Достык, 5",
        "address2": "офис 12",
        "city": "Астана",
        "province": "Astana",
        "zip": "010000",
        "country": "Kazakhstan",
        "country_code": "KZ",
        "phone": "+7 702 123 4567",
        "company": None,
    },
    "line_items": [
        {
            "id": 13579246801,
            "variant_id": 44556677889,
            "product_id": 99887766554,
            "title": "Фен",
            "name": "Фен - Чёрный",
            "variant_title": "Чёрный",
            "sku": "HD-900-BLK",
            "quantity": 2,
            "price": "8990.00",
            "vendor": "Demo",
            "requires_shipping": True,
        }
    ],
}

TILDA_PAYMENT = {
    "orderid": "1987654321",
    "amount": "25980",
    "products": [
        {"name": "Плед шерстяной", "quantity": 2, "amount": 25980, "price": "12990", "sku": "PL-77"}
    ],
}


def signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def connect(store_api, platform: str, **extra) -> str:
    response = store_api.post(
        "/api/v1/connections", {"platform": platform, "secret": SECRET, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()["inbound_url"]


def post(url: str, body: bytes, content_type: str = "application/json", **headers):
    return Client().post(url, body, content_type=content_type, headers=headers)


def woo_headers(body: bytes, **overrides) -> dict:
    headers = {
        "X-WC-Webhook-Source": "https://shop.example/",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "created",
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": "a1b2c3d4e5f6",
        "X-WC-Webhook-Signature": signature(body),
    }
    return {**headers, **overrides}


def shopify_headers(body: bytes, **overrides) -> dict:
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "demo-shop.myshopify.com",
        "X-Shopify-API-Version": "2025-07",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Hmac-Sha256": signature(body),
    }
    return {**headers, **overrides}


def tilda_body(**overrides) -> bytes:
    form = {
        "Name": "Сауле Пример",
        "Phone": "+7 (705) 555-44-33",
        "Email": "saule@example.kz",
        "City": "Караганда",
        "Address": "ул. Ерубаева, 33, кв. 7",
        "payment": json.dumps(TILDA_PAYMENT, ensure_ascii=False),
        "formid": "form512345678",
        "formname": "Cart",
        "tranid": "6543210:9876543",
        "api_key": SECRET,
        **overrides,
    }
    return urlencode({k: v for k, v in form.items() if v is not None}).encode()


# WooCommerce ------------------------------------------------------------------------------------


def test_woocommerce_order_is_taken_in_once(store, store_api):
    url = connect(store_api, "woocommerce")
    body = json.dumps(WOO_ORDER, ensure_ascii=False).encode()
    response = post(url, body, **woo_headers(body))
    assert response.status_code == 201, response.content
    order = Order.objects.get(store=store)
    assert response.json()["id"] == str(order.pk)
    assert order.external_id == "4821"
    assert order.customer.phone == "+77011234567"
    assert order.recipient_name == "Айгуль Тестова"
    assert order.locality_name == "Алматы"
    assert order.address_line == "мкр. Самал-2, д. 58, кв. 14, подъезд 3, этаж 5"
    assert order.payment_method == "cash_on_delivery"
    assert order.delivery_comment == "Позвоните за час до доставки"
    item = order.items.get()
    assert (item.sku, item.quantity, str(item.price)) == ("KET-170", 2, "15990.00")
    again = post(url, body, **woo_headers(body))
    assert again.status_code == 200
    assert again.json()["id"] == str(order.pk)
    assert Order.objects.count() == 1
    assert StoreEvent.objects.filter(type=StoreEventType.CREATED).count() == 1


def test_woocommerce_tampered_body_is_refused(store_api):
    url = connect(store_api, "woocommerce")
    body = json.dumps(WOO_ORDER).encode()
    tampered = body.replace(b"15990", b"1")
    response = post(url, tampered, **woo_headers(body))
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_INVALID
    assert not Order.objects.exists()


def test_woocommerce_missing_signature_is_refused(store_api):
    url = connect(store_api, "woocommerce")
    body = json.dumps(WOO_ORDER).encode()
    headers = woo_headers(body)
    del headers["X-WC-Webhook-Signature"]
    response = post(url, body, **headers)
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_MISSING
    assert not Order.objects.exists()


def test_woocommerce_signature_with_another_secret_is_refused(store_api):
    url = connect(store_api, "woocommerce")
    body = json.dumps(WOO_ORDER).encode()
    response = post(
        url, body, **woo_headers(body, **{"X-WC-Webhook-Signature": signature(body, "other")})
    )
    assert response.status_code == 401
    assert not Order.objects.exists()


def test_woocommerce_ping_is_acknowledged_without_an_order(store_api):
    url = connect(store_api, "woocommerce")
    response = post(url, b"webhook_id=12", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 202
    assert not Order.objects.exists()


def test_woocommerce_invalid_order_names_the_field(store_api):
    url = connect(store_api, "woocommerce")
    broken = {**WOO_ORDER, "billing": {**WOO_ORDER["billing"], "phone": ""}}
    body = json.dumps(broken).encode()
    response = post(url, body, **woo_headers(body))
    assert response.status_code == 422
    assert "customer.phone" in [e["field"] for e in response.json()["errors"]]
    assert not Order.objects.exists()


# Shopify ----------------------------------------------------------------------------------------


def test_shopify_order_is_taken_in_once(store_api):
    url = connect(store_api, "shopify")
    body = json.dumps(SHOPIFY_ORDER, ensure_ascii=False).encode()
    response = post(url, body, **shopify_headers(body))
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.external_id == "5678901234567"
    assert order.customer.phone == "+77021234567"
    assert order.recipient_name == "Данияр Примеров"
    assert order.locality_name == "Астана"
    assert order.address_line == "пр. Достык, 5, офис 12"
    assert order.payment_method == "cash_on_delivery"
    assert order.comment == "Домофон не работает"
    item = order.items.get()
    assert (item.sku, item.name, item.quantity, str(item.price)) == (
        "HD-900-BLK", "Фен - Чёрный", 2, "8990.00",
    )  # fmt: skip
    assert post(url, body, **shopify_headers(body)).status_code == 200
    assert Order.objects.count() == 1


def test_shopify_tampered_body_is_refused(store_api):
    url = connect(store_api, "shopify")
    body = json.dumps(SHOPIFY_ORDER).encode()
    response = post(url, body.replace(b"8990.00", b"1.00"), **shopify_headers(body))
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_INVALID
    assert not Order.objects.exists()


def test_shopify_missing_signature_is_refused(store_api):
    url = connect(store_api, "shopify")
    body = json.dumps(SHOPIFY_ORDER).encode()
    headers = shopify_headers(body)
    del headers["X-Shopify-Hmac-Sha256"]
    response = post(url, body, **headers)
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_MISSING
    assert not Order.objects.exists()


def test_shopify_other_topics_are_acknowledged_and_ignored(store_api):
    url = connect(store_api, "shopify")
    body = json.dumps(SHOPIFY_ORDER).encode()
    response = post(url, body, **shopify_headers(body, **{"X-Shopify-Topic": "orders/paid"}))
    assert response.status_code == 202
    assert not Order.objects.exists()


def test_shopify_paid_order_is_prepaid(store_api):
    url = connect(store_api, "shopify")
    body = json.dumps({**SHOPIFY_ORDER, "financial_status": "paid"}).encode()
    assert post(url, body, **shopify_headers(body)).status_code == 201
    assert Order.objects.get().payment_method == "prepaid"


# Tilda ------------------------------------------------------------------------------------------


def test_tilda_cart_submission_is_taken_in_once(store_api):
    url = connect(store_api, "tilda")
    body = tilda_body()
    response = post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.external_id == "1987654321"
    assert order.customer.phone == "+77055554433"
    assert order.customer.email == "saule@example.kz"
    assert order.locality_name == "Караганда"
    assert order.address_line == "ул. Ерубаева, 33, кв. 7"
    item = order.items.get()
    assert (item.sku, item.quantity, str(item.price)) == ("PL-77", 2, "12990.00")
    again = post(url, body, content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200
    assert Order.objects.count() == 1


def test_tilda_wrong_api_key_is_refused(store_api):
    url = connect(store_api, "tilda")
    response = post(
        url, tilda_body(api_key="guessed"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_INVALID
    assert not Order.objects.exists()


def test_tilda_missing_api_key_is_refused(store_api):
    url = connect(store_api, "tilda")
    response = post(url, tilda_body(api_key=None), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401
    assert response.json()["error"] == SIGNATURE_MISSING
    assert not Order.objects.exists()


def test_tilda_api_key_in_a_header_under_the_stores_name(store_api):
    url = connect(store_api, "tilda", api_key_name="X-Shop-Key")
    body = tilda_body(api_key=None)
    response = post(
        url, body, content_type="application/x-www-form-urlencoded", **{"X-Shop-Key": SECRET}
    )
    assert response.status_code == 201, response.content


def test_tilda_connection_check_is_acknowledged(store_api):
    url = connect(store_api, "tilda")
    response = post(url, b"test=test", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 202
    assert not Order.objects.exists()


# Generic JSON -----------------------------------------------------------------------------------


def test_generic_json_order_is_taken_in_once(store_api, make_payload):
    url = connect(store_api, "json")
    body = json.dumps(
        make_payload("J-7", delivery={"locality": "Алматы", "address_line": "Абая 10-25"})
    ).encode()
    response = post(url, body, **{"X-Orderdesk-Hmac-Sha256": signature(body)})
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert (order.external_id, order.address_line) == ("J-7", "Абая 10-25")
    assert post(url, body, **{"X-Orderdesk-Hmac-Sha256": signature(body)}).status_code == 200


def test_generic_json_tampered_and_missing_signatures_are_refused(store_api, make_payload):
    url = connect(store_api, "json")
    body = json.dumps(make_payload("J-8")).encode()
    tampered = post(
        url, body.replace(b"J-8", b"J-9"), **{"X-Orderdesk-Hmac-Sha256": signature(body)}
    )
    missing = post(url, body)
    assert (tampered.status_code, tampered.json()["error"]) == (401, SIGNATURE_INVALID)
    assert (missing.status_code, missing.json()["error"]) == (401, SIGNATURE_MISSING)
    assert not Order.objects.exists()


# Connections ------------------------------------------------------------------------------------


def test_unknown_or_deleted_connection_is_not_found(store_api, make_payload):
    body = json.dumps(make_payload()).encode()
    assert post("/api/v1/inbound/in_unknown", body).status_code == 404
    url = connect(store_api, "json")
    connection = Connection.objects.get()
    assert store_api.delete(f"/api/v1/connections/{connection.pk}").status_code == 204
    response = post(url, body, **{"X-Orderdesk-Hmac-Sha256": signature(body)})
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_connection_token_is_stored_as_a_digest_and_shown_once(store_api):
    url = connect(store_api, "shopify")
    token = url.rsplit("/", 1)[1]
    connection = Connection.objects.get()
    assert token not in (connection.token_digest, connection.secret)
    assert connection.token_digest == hashlib.sha256(token.encode()).hexdigest()
    listed = store_api.get("/api/v1/connections").json()
    assert [c["id"] for c in listed] == [str(connection.pk)]
    assert "inbound_url" not in listed[0]


def test_connection_needs_a_known_platform_and_a_secret(store_api):
    unknown = store_api.post("/api/v1/connections", {"platform": "magento", "secret": SECRET})
    assert (unknown.status_code, unknown.json()["error"]) == (422, CONNECTION_PLATFORM_INVALID)
    short = store_api.post("/api/v1/connections", {"platform": "shopify", "secret": "x"})
    assert (short.status_code, short.json()["error"]) == (422, CONNECTION_SECRET_MISSING)
    assert not Connection.objects.exists()


def test_connection_secret_longer_than_can_be_kept_is_named(store_api):
    response = store_api.post("/api/v1/connections", {"platform": "shopify", "secret": "s" * 201})
    assert response.status_code == 422
    assert response.json() == {
        "error": CONNECTION_SECRET_TOO_LONG,
        "message": "secret: at most 200 characters",
        "field": "secret",
    }
    assert not Connection.objects.exists()


def test_another_store_cannot_delete_a_connection(store_api, other_store_api):
    connect(store_api, "shopify")
    connection = Connection.objects.get()
    assert other_store_api.delete(f"/api/v1/connections/{connection.pk}").status_code == 404
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_tilda_products_written_as_text_lines(store_api):
    url = connect(store_api, "tilda")
    payment = {"orderid": "1987654322", "amount": "25980",
               "products": ["Плед шерстяной - 2x12990 = 25980"]}  # fmt: skip
    body = tilda_body(payment=json.dumps(payment, ensure_ascii=False))
    response = post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content
    item = Order.objects.get().items.get()
    assert (item.name, item.quantity, str(item.price)) == ("Плед шерстяной", 2, "12990.00")


def test_tilda_lead_form_with_a_product_field(store_api):
    url = connect(store_api, "tilda")
    body = tilda_body(payment=None, Product="Кондиционер AC-12", Price="189990")
    response = post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.external_id == "6543210:9876543"
    item = order.items.get()
    assert (item.name, item.quantity, str(item.price)) == ("Кондиционер AC-12", 1, "189990.00")


def test_tilda_json_body(store_api):
    url = connect(store_api, "tilda")
    form = {"Name": "Сауле", "Phone": "+7 705 555 44 33", "City": "Алматы", "tranid": "1:2",
            "payment": TILDA_PAYMENT, "api_key": SECRET}  # fmt: skip
    response = post(url, json.dumps(form, ensure_ascii=False).encode())
    assert response.status_code == 201, response.content
    assert Order.objects.get().external_id == "1987654321"
