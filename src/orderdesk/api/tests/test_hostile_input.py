"""Hostile input never gets a 500: a NUL byte (PostgreSQL refuses it in text), a lone surrogate
(not encodable as UTF-8), JSON nested a thousand levels deep, numbers past 64 bits and instants
at the edge of the calendar are each answered 4xx, in JSON, naming the field where there is one.

Every JSON body of the API is tried with each of its strings made hostile in turn, every query
parameter with hostile values."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from django.test import Client

from orderdesk.accounts.services import user_create
from orderdesk.conftest import order_payload
from orderdesk.integrations.services import connection_create, webhook_endpoint_create
from orderdesk.orders.models import Customer, Order, OrderItem, StoreEvent

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SURROGATE = "a\ud800b"
DEEP = 1_000
BIG = str(2**64)
CALENDAR_EDGES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00.000001+00:01",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:59:59-00:01",
]
SECRET = "k3y-from-the-platform-settings"


def _json_bytes(value) -> bytes:
    """JSON as a client may send it: non-ASCII escaped, so a lone surrogate travels as \\ud800."""
    return json.dumps(value).encode()


class Caller:
    """A client that reports 500s as status codes (not raised) and sends raw bodies."""

    def __init__(self, token: str):
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, path: str, body: bytes | None = None, query: str = ""):
        url = f"{path}?{query}" if query else path
        call = getattr(self.client, method.lower())
        if body is None:
            return call(url, headers=self.headers)
        return call(url, body, content_type="application/json", headers=self.headers)


@pytest.fixture
def world(store_and_key, operator_and_token, store, settings):
    """Every kind of caller, and an order, endpoint and connection for paths to point at."""
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True  # no name look-ups from tests
    _, store_key = store_and_key
    supervisor, _, supervisor_token = user_create(
        username="sup-hostile", role="supervisor", store_slugs=[store.slug]
    )
    store_caller = Caller(store_key)
    created = store_caller.send("POST", "/api/v1/orders", _json_bytes(order_payload("H-1")))
    assert created.status_code == 201, created.content
    endpoint = webhook_endpoint_create(store=store, url="https://127.0.0.1:9/hook")
    return {
        "store": store_caller,
        "operator": Caller(operator_and_token[1]),
        "supervisor": Caller(supervisor_token),
        "order_id": created.json()["id"],
        "endpoint_id": str(endpoint.pk),
        "supervisor_id": supervisor.pk,
        "self_token": created.json()["self_service_url"].rsplit("/o/", 1)[1],
    }


def _bodies(world) -> list[tuple[str, str, str, dict]]:
    """(caller, method, path, a valid-looking body) for every endpoint that takes JSON."""
    order_id, endpoint_id, lease_id = world["order_id"], world["endpoint_id"], uuid.uuid4()
    return [
        ("store", "POST", "/api/v1/orders", order_payload("H-2")),
        ("store", "POST", "/api/v1/orders/bulk", {"orders": [order_payload("H-3")]}),
        (
            "operator",
            "POST",
            f"/api/v1/calls/{lease_id}/outcome",
            {
                "result": "confirmed",
                "notes": "called",
                "reason": "none",
                "callback_at": "2026-11-24T11:59:00+05:00",
                "orders": [
                    {
                        "id": order_id,
                        "decision": "confirm",
                        "reason": "ok",
                        "delivery_date": "2026-11-25",
                    }
                ],
            },
        ),
        ("operator", "POST", "/api/v1/calls/state", {"state": "paused", "pause_code": "lunch"}),
        (
            "supervisor",
            "POST",
            f"/api/v1/calls/orders/{order_id}/requeue",
            {"operator_id": world["supervisor_id"], "next_call_at": "2026-11-24T11:59:00+05:00"},
        ),
        (
            "supervisor",
            "POST",
            f"/api/v1/orders/{order_id}/address-check",
            {"deliverable": True, "note": "the carrier goes there"},
        ),
        (
            "store",
            "POST",
            "/api/v1/webhooks",
            {"url": "https://127.0.0.1:9/h2", "events": ["order.created"], "description": "d"},
        ),
        (
            "store",
            "PATCH",
            f"/api/v1/webhooks/{endpoint_id}",
            {"url": "https://127.0.0.1:9/h3", "events": ["order.created"], "description": "d"},
        ),
        (
            "store",
            "POST",
            f"/api/v1/webhooks/{endpoint_id}/replay",
            {"event_id": str(uuid.uuid4()), "since": "2026-11-24T11:59:00+05:00"},
        ),
        (
            "store",
            "POST",
            "/api/v1/connections",
            {"platform": "json", "secret": SECRET, "name": "shop", "api_key_name": "key"},
        ),
        ("store", "POST", "/api/v1/customers/erase", {"phone": "+7 701 000 00 00"}),
        (
            "store",
            "POST",
            f"/api/v1/self/{world['self_token']}/confirm",
            {
                "delivery_date": "2026-11-25",
                "address": {"street": "Абая", "entrance": "2", "intercom": "25К"},
                "time_wish": "after 18:00",
            },
        ),
        ("store", "POST", f"/api/v1/self/{world['self_token']}/cancel", {"reason": "duplicate"}),
        (
            "store",
            "POST",
            "/api/v1/messages/receipts/sms",
            {"id": str(uuid.uuid4()), "status": "delivered", "error": "none"},
        ),
        ("store", "PUT", "/api/v1/products/SOFA-1", PRODUCT),
        ("store", "POST", "/api/v1/products/bulk", {"products": [{**PRODUCT, "sku": "SOFA-2"}]}),
        (
            "store",
            "PATCH",
            f"/api/v1/orders/{order_id}",
            {
                "recipient": {"name": "Ерлан", "phone": "+7 702 555 11 22"},
                "customer": {"additional_phones": ["+7 705 000 11 22"]},
                "delivery": {
                    "street": "Сатпаева",
                    "house": "5",
                    "apartment": "1",
                    "entrance": "1",
                    "floor": "2",
                    "intercom": "1К",
                    "elevator": "none",
                    "date": "2026-12-01",
                    "time_wish": "после 18",
                    "comment": "звонить",
                },
                "items": [
                    {
                        "sku": "A",
                        "name": "Б",
                        "quantity": 1,
                        "price": "1.00",
                        "category": "c",
                        "attributes": {"цвет": "синий"},
                    }
                ],
                "comment": "c",
            },
        ),
        ("store", "POST", f"/api/v1/orders/{order_id}/cancel", {"reason": "Передумал"}),
        (
            "store",
            "POST",
            "/api/v1/dispatches",
            {"carrier": "garanta", "date": "2026-11-26", "store": "mebel"},
        ),
        (
            "store",
            "POST",
            f"/api/v1/orders/{order_id}/shipment",
            {"carrier": "garanta", "tracking_number": "GA-H"},
        ),
        (
            "store",
            "POST",
            "/api/v1/tracking/events",
            {
                "tracking_number": "GA-H",
                "status": "in_transit",
                "at": "2026-11-24T11:59:00+05:00",
                "reason": "other",
                "raw": {"code": "X"},
            },
        ),
        ("store", "POST", "/api/v1/feedback/{token}", {"rating": 5, "comment": "c"}),
        ("operator", "POST", f"/api/v1/orders/{order_id}/feedback", {"rating": 4, "comment": "c"}),
        (
            "store",
            "POST",
            "/api/v1/messages/inbound/sms",
            {"id": "sms-1", "from": "+7 701 000 00 00", "text": "ok"},
        ),
        (
            "store",
            "POST",
            "/api/v1/messages/inbound/email",
            {
                "message_id": "<a@b>",
                "from": "a@example.kz",
                "subject": "Re",
                "text": "ok",
                "in_reply_to": "<c@d>",
            },
        ),
        (
            "store",
            "POST",
            "/api/v1/messages/inbound/telegram",
            {"update_id": 1, "message": {"message_id": 2, "chat": {"id": 3}, "text": "hi"}},
        ),
        (
            "store",
            "POST",
            "/api/v1/messages/inbound/whatsapp",
            {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": []}]},
        ),
    ]


PRODUCT = {"name": "Диван", "category": "sofas", "price": "150000.00",
           "attributes": {"fabric": "велюр"}, "stock": {"almaty": 2}}  # fmt: skip


def test_every_endpoint_taking_json_is_tried(world):
    """An endpoint added later joins _bodies, or this fails: the list is the test's coverage."""
    from orderdesk.api.api import api

    declared = {
        (method.upper(), path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    tried = {(method, _template(path)) for _, method, path, _ in _bodies(world)}
    assert declared <= tried, declared - tried


def _template(path: str) -> str:
    """/api/v1/webhooks/<uuid>/replay → /api/v1/webhooks/{endpoint_id}/replay, as OpenAPI has it."""
    names = {"webhooks": "endpoint_id", "calls": "lease_id", "orders": "order_id"}
    parts = path.split("/")
    for index, part in enumerate(parts):
        if parts[index - 1] == "self":  # the customer's private token
            parts[index] = "{token}"
        if parts[index - 1] == "products" and part != "bulk":
            parts[index] = "{sku}"
        elif len(part) == 36 and part.count("-") == 4:
            parts[index] = "{" + names[parts[index - 1]] + "}"
    return "/".join(parts)


def _string_paths(value, path=()):
    """Every path to a string leaf of a JSON document, and the path as the API names it."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _string_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _string_paths(child, (*path, index))
    elif isinstance(value, str):
        yield path


def _named(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _replaced(document, path, value):
    copy = json.loads(json.dumps(document))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def _error_fields(response) -> set[str]:
    body = response.json()
    fields = {e.get("field") for e in body.get("errors", [])}
    for result in body.get("results", []):
        fields |= {e.get("field") for e in result.get("errors", [])}
    return fields


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_every_string_of_every_body_refuses_bad_text_by_its_path(world, bad):
    """A bulk request answers 200 with the one order failed; everything else is a 422."""
    failures = []
    for who, method, path, body in _bodies(world):
        for leaf in _string_paths(body):
            response = world[who].send(method, path, _json_bytes(_replaced(body, leaf, bad)))
            named = _named(leaf[2:] if path.endswith("/bulk") else leaf)
            expected = 200 if path.endswith("/bulk") else 422
            if response.status_code != expected or named not in _error_fields(response):
                failures.append((method, path, named, response.status_code, response.content[:200]))
    assert failures == []


def test_every_date_of_every_body_refuses_the_calendar_edges_by_its_path(world):
    failures = []
    for who, method, path, body in _bodies(world):
        dates = [leaf for leaf in _string_paths(body) if _looks_like_date(body, leaf)]
        for leaf in dates:
            for edge in [*CALENDAR_EDGES, "9999-12-31", "0001-01-01"]:
                response = world[who].send(method, path, _json_bytes(_replaced(body, leaf, edge)))
                named = _named(leaf[2:] if path.endswith("/bulk") else leaf)
                expected = 200 if path.endswith("/bulk") else 422
                if response.status_code != expected or named not in _error_fields(response):
                    failures.append((path, named, edge, response.status_code))
    assert failures == []


# Instants well inside the calendar at offsets Python takes (under 24 h) and PostgreSQL does not
# (past ±15:59): read as the same instant in UTC, never sent to the database as written.
ODD_OFFSETS = [
    "0593-10-04T01:04:12+23:02",
    "2026-11-24T11:59:00-23:59",
    "2026-11-24T11:59:00+16:00",
]


def test_every_date_of_every_body_takes_instants_at_odd_offsets(world):
    failures = []
    for who, method, path, body in _bodies(world):
        dates = [leaf for leaf in _string_paths(body) if _looks_like_date(body, leaf)]
        for leaf in dates:
            for instant in ODD_OFFSETS:
                response = world[who].send(
                    method, path, _json_bytes(_replaced(body, leaf, instant))
                )
                if response.status_code >= 500:
                    failures.append((path, _named(leaf), instant, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    ("who", "path", "param"),
    [("store", "/api/v1/orders", "updated_since"), ("operator", "/api/v1/delivery/dates", "at")],
)
def test_date_query_parameters_take_instants_at_odd_offsets(world, who, path, param):
    base = "locality=%D0%90%D0%BB%D0%BC%D0%B0%D1%82%D1%8B&" if "delivery" in path else ""
    for instant in ODD_OFFSETS:
        quoted = instant.replace("+", "%2B")
        response = world[who].send("GET", path, query=f"{base}{param}={quoted}")
        assert response.status_code == 200, (instant, response.content)


def _looks_like_date(document, leaf) -> bool:
    value = document
    for part in leaf:
        value = value[part]
    return value[:4].isdigit() and value[4:5] == "-"


def test_bad_text_in_keys_is_refused(world):
    body = order_payload("H-4")
    body["items"][0]["attributes"] = {NUL: "x", "colour": {SURROGATE: 1}}
    response = world["store"].send("POST", "/api/v1/orders", _json_bytes(body))
    assert response.status_code == 422
    assert _error_fields(response) == {"items[0].attributes", "items[0].attributes.colour"}


@pytest.mark.parametrize("raw", [b'"\\ud800"', b'"\xed\xa0\x80"'], ids=["escaped", "utf8-bytes"])
def test_surrogate_written_either_way_is_refused(world, raw):
    body = _json_bytes(order_payload("H-5", comment="§")).replace(b'"\\u00a7"', raw)
    response = world["store"].send("POST", "/api/v1/orders", body)
    assert response.status_code == 422, response.content
    assert _error_fields(response) == {"comment"}


def test_deep_json_is_refused_on_every_body(world):
    deep = b"[" * DEEP * 10 + b"]" * DEEP * 10
    failures = []
    for who, method, path, body in _bodies(world):
        nested = json.loads(_json_bytes(body))
        leaf = next(iter(_string_paths(nested)))
        inner = _json_bytes(_replaced(nested, leaf, "§")).replace(
            b'"\\u00a7"', b"[" * DEEP + b"]" * DEEP
        )
        for raw in (deep, inner):
            response = world[who].send(method, path, raw)
            if not 400 <= response.status_code < 500 or "error" not in response.json():
                failures.append((method, path, len(raw), response.status_code))
    assert failures == []


def test_deep_attributes_are_refused_by_path(world):
    body = _json_bytes(order_payload("H-6")).replace(
        b'"attributes": {}', b'"attributes": {"a": ' + b"[" * 100 + b"]" * 100 + b"}"
    )
    response = world["store"].send("POST", "/api/v1/orders", body)
    assert response.status_code == 422, response.content
    (field,) = _error_fields(response)
    assert field.startswith("items[0].attributes.a[0][0]")


QUERIES = [
    ("store", "/api/v1/orders", "external_id", ["%00", "a%00b"]),
    ("store", "/api/v1/orders", "status", ["%00"]),
    ("store", "/api/v1/orders", "limit", [BIG, "-" + BIG, "1" * 5000]),
    ("store", "/api/v1/orders", "offset", [BIG, "-" + BIG, str(2**63), str(2**63 - 1), "1" * 5000]),
    ("store", "/api/v1/orders", "updated_since", [*CALENDAR_EDGES, "%00"]),
    ("store", "/api/v1/customers/export", "phone", ["%00", "a%00b", "1" * 5000]),
    ("store", "/api/v1/webhooks/{endpoint_id}/log", "limit", [BIG]),
    ("store", "/api/v1/webhooks/{endpoint_id}/log", "offset", [BIG, str(2**63)]),
    ("operator", "/api/v1/delivery/dates", "locality", ["%00", "a%00"]),
    ("operator", "/api/v1/delivery/dates", "carrier", ["%00"]),
    ("operator", "/api/v1/delivery/dates", "country", ["%00"]),
    ("operator", "/api/v1/delivery/dates", "at", [*CALENDAR_EDGES, "%00"]),
]


@pytest.mark.parametrize(("who", "path", "param", "values"), QUERIES)
def test_hostile_query_parameters_are_refused_by_name(world, who, path, param, values):
    path = path.format(endpoint_id=world["endpoint_id"])
    base = "locality=%D0%90%D0%BB%D0%BC%D0%B0%D1%82%D1%8B&" if "delivery" in path else ""
    for value in values:
        quoted = value.replace("+", "%2B")
        response = world[who].send("GET", path, query=f"{base}{param}={quoted}")
        assert response.status_code == 422, (param, value, response.content)
        assert param in _error_fields(response), (param, value, response.content)


def test_bulk_stores_the_valid_orders_beside_hostile_ones(world):
    hostile_name = order_payload("B-2")
    hostile_name["customer"]["name"] = NUL
    hostile_comment = order_payload("B-3", comment=SURROGATE)
    body = {"orders": [order_payload("B-1"), hostile_name, hostile_comment, order_payload("B-4")]}
    response = world["store"].send("POST", "/api/v1/orders/bulk", _json_bytes(body))
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "failed", "failed", "created"]
    assert [e["field"] for e in results[1]["errors"]] == ["customer.name"]
    assert [e["field"] for e in results[2]["errors"]] == ["comment"]
    stored = set(Order.objects.values_list("external_id", flat=True))
    assert stored == {"H-1", "B-1", "B-4"}


def _signed(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize(
    "raw",
    [
        _json_bytes(order_payload("P-1", comment=NUL)),
        _json_bytes(order_payload("P-1", comment=SURROGATE)),
        b'{"a": ' + b"[" * DEEP * 10 + b"]" * DEEP * 10 + b"}",
    ],
    ids=["nul", "surrogate", "deep"],
)
def test_inbound_platform_posts_get_a_final_4xx(world, store, raw):
    _, token = connection_create(store=store, platform="json", secret=SECRET)
    before = (Order.objects.count(), Customer.objects.count(), OrderItem.objects.count())
    response = Client(raise_request_exception=False).post(
        f"/api/v1/inbound/{token}",
        raw,
        content_type="application/json",
        headers={"X-Orderdesk-Hmac-Sha256": _signed(raw)},
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"] in {"validation_failed", "inbound_body_invalid"}
    assert (Order.objects.count(), Customer.objects.count(), OrderItem.objects.count()) == before
    assert StoreEvent.objects.count() == 1


def test_form_posts_with_nul_are_refused_outside_the_api(world, operator):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    for path in ("/desk/state/", "/desk/outcome/", "/language/"):
        response = client.post(path, {"state": "paused", "pause_code": NUL, "notes": NUL})
        assert response.status_code == 400, (path, response.status_code)
        assert "содержит символы, которые невозможно сохранить" in response.content.decode()
    assert client.get("/admin/orders/order/", {"q": NUL}).status_code == 400
    assert Client(raise_request_exception=False).post(
        "/login/", {"username": NUL, "password": NUL}
    ).status_code in (200, 400)
