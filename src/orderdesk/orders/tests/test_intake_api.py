import copy

import pytest
from django.utils import timezone

from orderdesk.catalog.models import Category
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import (
    Customer,
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    StoreEvent,
)


def _stored_nothing() -> bool:
    return not (Order.objects.exists() or Customer.objects.exists() or OrderItem.objects.exists()
                or StoreEvent.objects.exists())  # fmt: skip


def test_creates_order_in_the_call_queue(store_api, make_payload):
    response = store_api.post("/api/v1/orders", make_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "A-1001"
    assert body["status"] == "awaiting_confirmation"
    assert body["queue_state"] == "queued"
    assert body["customer"]["phone"] == "+77011234567"
    assert body["customer"]["language"] == "kk"
    assert body["delivery"]["locality"] == "Алматы"
    assert body["delivery"]["timezone"] == "Asia/Almaty"
    assert body["delivery"]["requested_date"] == "2026-11-25"
    assert body["delivery"]["elevator"] == "passenger"
    assert body["items"] == [
        {"sku": "HRF-450", "name": "Холодильник", "category": "fridges", "quantity": 1,
         "price": "259990.00", "attributes": {}, "added_by_operator": False}
    ]  # fmt: skip
    assert body["total"] == "259990.00"
    order = Order.objects.get()
    assert list(order.events.values_list("type", flat=True)) == ["created"]
    assert StoreEvent.objects.get().type == StoreEventType.CREATED


def test_replay_returns_the_stored_order_unchanged(store_api, make_payload):
    first = store_api.post("/api/v1/orders", make_payload()).json()
    changed = make_payload(comment="second try")
    again = store_api.post("/api/v1/orders", changed)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["comment"] == ""
    assert Order.objects.count() == 1
    assert StoreEvent.objects.count() == 1


def test_same_external_id_in_two_stores_is_two_orders(store_api, other_store_api, make_payload):
    a = store_api.post("/api/v1/orders", make_payload()).json()
    b = other_store_api.post("/api/v1/orders", make_payload()).json()
    assert a["id"] != b["id"]


@pytest.mark.parametrize(
    ("mutate", "field", "code"),
    [
        (lambda p: p["customer"].pop("phone"), "customer.phone", "missing"),
        (lambda p: p["customer"].update(phone="12-34"), "customer.phone", "invalid_phone"),
        (lambda p: p.update(items=[]), "items", "too_short"),
        (lambda p: p["items"][0].update(quantity=0), "items[0].quantity", "greater_than"),
        (lambda p: p["items"][0].update(quantity=-2), "items[0].quantity", "greater_than"),
        (lambda p: p["items"][0].update(price="-1.00"), "items[0].price", "greater_than_equal"),
        (lambda p: p["payment"].update(method="barter"), "payment.method", "enum"),
        (lambda p: p["delivery"].pop("locality"), "delivery.locality", "missing"),
        (lambda p: p["delivery"].update(locality="  "), "delivery.locality", "string_too_short"),
        (lambda p: p.pop("external_id"), "external_id", "missing"),
        (
            lambda p: p["customer"].update(language="de"),
            "customer.language",
            "string_pattern_mismatch",
        ),
    ],
)
def test_each_invalid_field_is_named_and_nothing_stored(
    store_api, make_payload, mutate, field, code
):
    payload = make_payload()
    mutate(payload)
    response = store_api.post("/api/v1/orders", payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in errors
    ]
    assert _stored_nothing()


def test_every_problem_is_reported_at_once(store, store_api, make_payload):
    Category.objects.create(
        store=store, code="sofas", name="Диваны", required_attributes=["fabric"]
    )
    payload = make_payload()
    payload["customer"]["phone"] = "000"
    payload["items"].append(
        {"sku": "SOFA-1", "name": "Диван", "quantity": 0, "price": "10", "category": "sofas"}
    )
    payload["payment"]["method"] = "barter"
    del payload["delivery"]["locality"]
    response = store_api.post("/api/v1/orders", payload)
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == sorted(["customer.phone", "items[1].quantity", "payment.method",
                             "delivery.locality", "items[1].attributes.fabric"])  # fmt: skip
    assert _stored_nothing()


def test_category_required_attributes_are_per_store(
    store, store_api, other_store_api, make_payload
):
    Category.objects.create(
        store=store, code="tables", name="Столы", required_attributes=["finish"]
    )
    payload = make_payload()
    payload["items"][0].update(category="tables", attributes={"finish": ""})
    refused = store_api.post("/api/v1/orders", payload)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "items[0].attributes.finish"
    assert other_store_api.post("/api/v1/orders", payload).status_code == 201
    payload["items"][0]["attributes"] = {"finish": "дуб"}
    assert store_api.post("/api/v1/orders", payload).status_code == 201


def test_unknown_locality_is_accepted_and_flagged(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["locality"] = "аул Жаңаталап"
    body = store_api.post("/api/v1/orders", payload).json()
    assert body["delivery"]["locality"] == "аул Жаңаталап"
    assert body["delivery"]["locality_matched"] is False
    assert body["delivery"]["needs_address_check"] is True
    assert body["delivery"]["timezone"] == "Asia/Almaty"  # from the Kazakh phone number


def test_unknown_locality_with_ambiguous_phone_takes_store_zone(store, store_api, make_payload):
    store.default_timezone = "Europe/Moscow"
    store.save()
    payload = make_payload()
    payload["customer"]["phone"] = "+7 916 123 45 67"
    payload["delivery"]["locality"] = "деревня Нигдеево"
    body = store_api.post("/api/v1/orders", payload).json()
    assert body["delivery"]["timezone"] == "Europe/Moscow"


def test_locality_matched_by_other_name_gets_its_zone(store_api, make_payload):
    payload = make_payload()
    payload["customer"]["phone"] = "8 (383) 123-45-67"
    payload["delivery"]["locality"] = "новосибирск"
    body = store_api.post("/api/v1/orders", payload).json()
    assert body["delivery"]["locality"] == "Новосибирск"
    assert body["delivery"]["timezone"] == "Asia/Novosibirsk"
    assert body["customer"]["phone"] == "+73831234567"


def test_address_line_is_kept_and_split_when_unambiguous(store_api, make_payload):
    payload = make_payload()
    payload["delivery"] = {
        "locality": "Алматы",
        "address_line": "г. Алматы, ул. Абая, д. 10, кв. 25, подъезд 2, этаж 5",
    }
    delivery = store_api.post("/api/v1/orders", payload).json()["delivery"]
    assert delivery["address_line"] == "г. Алматы, ул. Абая, д. 10, кв. 25, подъезд 2, этаж 5"
    assert (delivery["street"], delivery["house"], delivery["apartment"]) == (
        "ул. Абая",
        "10",
        "25",
    )
    assert (delivery["entrance"], delivery["floor"], delivery["intercom"]) == ("2", "5", "")


def test_ambiguous_address_line_is_kept_unsplit(store_api, make_payload):
    payload = make_payload()
    payload["delivery"] = {"locality": "Алматы", "address_line": "Абая 10 25, возле рынка"}
    delivery = store_api.post("/api/v1/orders", payload).json()["delivery"]
    assert delivery["address_line"] == "Абая 10 25, возле рынка"
    assert delivery["street"] == delivery["house"] == delivery["apartment"] == ""


def test_address_part_longer_than_its_field_is_left_to_the_operator(store_api, make_payload):
    """A marked part too long for its field does not break the batch: the order is stored with
    that field empty and the line kept verbatim, next to the orders sent with it."""
    line = "ул. Абая, д. 10, кв. " + "9" * 60
    long_one = make_payload("LONG-1")
    long_one["delivery"] = {"locality": "Алматы", "address_line": line}
    response = store_api.post("/api/v1/orders/bulk", {"orders": [long_one, make_payload("OK-1")]})
    assert response.status_code == 200
    assert [r["result"] for r in response.json()["results"]] == ["created", "created"]
    delivery = response.json()["results"][0]["order"]["delivery"]
    assert delivery["address_line"] == line
    assert (delivery["street"], delivery["house"], delivery["apartment"]) == ("ул. Абая", "10", "")


def test_bulk_stores_valid_orders_and_names_errors_of_others(store_api, make_payload):
    bad = make_payload("B-2")
    bad["items"][0]["quantity"] = 0
    store_api.post("/api/v1/orders", make_payload("B-3"))
    body = {"orders": [make_payload("B-1"), bad, make_payload("B-3"), make_payload("B-1")]}
    response = store_api.post("/api/v1/orders/bulk", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert [r["result"] for r in data["results"]] == ["created", "failed", "existing", "existing"]
    assert data["results"][1]["errors"][0]["field"] == "items[0].quantity"
    assert data["results"][3]["order"]["id"] == data["results"][0]["order"]["id"]
    assert (data["created"], data["existing"], data["failed"]) == (1, 2, 1)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["B-1", "B-3"]


def test_bulk_refuses_more_than_a_thousand(store_api, make_payload):
    one = make_payload()
    payloads = [dict(copy.deepcopy(one), external_id=f"X-{i}") for i in range(1001)]
    response = store_api.post("/api/v1/orders/bulk", {"orders": payloads})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "orders"
    assert _stored_nothing()


def test_customer_with_two_orders_is_one_customer(store_api, make_payload):
    store_api.post("/api/v1/orders", make_payload("C-1"))
    second = make_payload("C-2")
    second["customer"]["phone"] = "8 701 123 45 67"
    store_api.post("/api/v1/orders", second)
    assert Customer.objects.count() == 1
    assert Order.objects.filter(customer=Customer.objects.get()).count() == 2


def test_body_over_one_megabyte_is_413(store_api, make_payload):
    payload = make_payload()
    payload["comment"] = "x" * (1024 * 1024)
    response = store_api.post("/api/v1/orders", payload)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert _stored_nothing()


def test_invalid_json_is_422(store_api):
    response = store_api.post("/api/v1/orders", raw=b"{not json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize("token", [None, "sk_wrong", "garbage"])
def test_missing_or_wrong_credentials_are_401_json(db, make_payload, token):
    from orderdesk.conftest import ApiClient

    response = ApiClient(token).post("/api/v1/orders", make_payload())
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert _stored_nothing()


def test_operator_token_cannot_create_orders(operator_api, make_payload):
    response = operator_api.post("/api/v1/orders", make_payload())
    assert response.status_code == 403
    assert _stored_nothing()


def test_revoked_store_key_is_401(store, store_api, make_payload):
    from orderdesk.stores.services import store_api_key_revoke

    store_api_key_revoke(api_key=store.api_keys.get())
    assert store_api.post("/api/v1/orders", make_payload()).status_code == 401


def test_another_stores_order_is_404(store_api, other_store_api, make_payload):
    order_id = store_api.post("/api/v1/orders", make_payload()).json()["id"]
    assert store_api.get(f"/api/v1/orders/{order_id}").status_code == 200
    response = other_store_api.get(f"/api/v1/orders/{order_id}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert other_store_api.get("/api/v1/orders").json()["count"] == 0


def test_operator_sees_only_orders_they_hold(store_api, operator_api, operator, make_payload):
    order_id = store_api.post("/api/v1/orders", make_payload()).json()["id"]
    assert operator_api.get(f"/api/v1/orders/{order_id}").status_code == 404
    # Taking the call writes the operator's own event on the order's timeline.
    OrderEvent.objects.create(
        order_id=order_id, type=OrderEventType.QUEUE_CHANGED, actor=operator,
        created_at=timezone.now(),
    )  # fmt: skip
    assert operator_api.get(f"/api/v1/orders/{order_id}").status_code == 200


def test_detail_carries_the_timeline(store_api, make_payload):
    order_id = store_api.post("/api/v1/orders", make_payload()).json()["id"]
    timeline = store_api.get(f"/api/v1/orders/{order_id}").json()["timeline"]
    assert [(e["type"], e["actor"]) for e in timeline] == [("created", "store:mebel")]
    assert timeline[0]["data"] == {
        "source": "website",
        "status": "awaiting_confirmation",
        "locality_matched": True,
    }


def test_list_filters_and_paginates_newest_change_first(store_api, make_payload):
    for i in range(5):
        store_api.post("/api/v1/orders", make_payload(f"L-{i}"))
    page = store_api.get("/api/v1/orders", limit=2).json()
    assert page["count"] == 5
    assert [o["external_id"] for o in page["items"]] == ["L-4", "L-3"]
    assert "offset=2" in page["next"]
    rest = store_api.get(
        page["next"].split("?")[0],
        **dict(p.split("=") for p in page["next"].split("?")[1].split("&")),
    )
    assert [o["external_id"] for o in rest.json()["items"]] == ["L-2", "L-1"]
    assert (
        store_api.get("/api/v1/orders", external_id="L-3").json()["items"][0]["external_id"]
        == "L-3"
    )
    assert store_api.get("/api/v1/orders", status="confirmed").json()["count"] == 0
    assert (
        store_api.get("/api/v1/orders", updated_since="2999-01-01T00:00:00Z").json()["count"] == 0
    )


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/orders" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_path_and_wrong_method_answer_json(store_api):
    missing = store_api.get("/api/v1/nonexistent")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = store_api.put("/api/v1/orders", {})
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")


def test_order_naming_its_carrier_keeps_it(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["carrier"] = "garanta"
    body = store_api.post("/api/v1/orders", payload).json()
    assert body["delivery"]["carrier"] == "garanta"


def test_unknown_carrier_is_named(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["carrier"] = "pigeon-post"
    response = store_api.post("/api/v1/orders", payload)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "delivery.carrier",
            "code": "unknown_carrier",
            "message": "no carrier 'pigeon-post'",
        }
    ]
    assert not Order.objects.exists()


def test_staff_reading_an_order_is_recorded_store_reading_is_not(
    store_api, supervisor, make_payload
):
    from orderdesk.accounts.services import user_api_token_issue
    from orderdesk.conftest import ApiClient
    from orderdesk.orders.models import OrderEvent

    order_id = store_api.post("/api/v1/orders", make_payload()).json()["id"]
    store_api.get(f"/api/v1/orders/{order_id}")
    assert not OrderEvent.objects.filter(type="viewed").exists()
    ApiClient(user_api_token_issue(user=supervisor)).get(f"/api/v1/orders/{order_id}")
    viewed = OrderEvent.objects.get(type="viewed")
    assert (viewed.actor, viewed.data) == (supervisor, {"via": "api"})


def test_staff_reading_the_order_list_is_recorded_for_each_order_shown(
    store_api, supervisor, make_payload
):
    from orderdesk.accounts.services import user_api_token_issue
    from orderdesk.conftest import ApiClient
    from orderdesk.orders.models import OrderEvent

    ids = [store_api.post("/api/v1/orders", make_payload(f"V-{i}")).json()["id"] for i in range(3)]
    store_api.get("/api/v1/orders")
    assert not OrderEvent.objects.filter(type="viewed").exists()
    page = ApiClient(user_api_token_issue(user=supervisor)).get("/api/v1/orders", limit=2).json()
    shown = [o["id"] for o in page["items"]]
    assert shown == [ids[2], ids[1]]
    viewed = OrderEvent.objects.filter(type="viewed").order_by("id")
    assert [(str(e.order_id), e.actor, e.data) for e in viewed] == [
        (order_id, supervisor, {"via": "api"}) for order_id in shown
    ]


def test_requests_django_refuses_itself_answer_json(store_api):
    """A host name the site does not serve is refused before the API sees the request: the
    refusal is JSON too."""
    response = store_api.client.get(
        "/api/v1/orders", headers={**store_api._headers(), "Host": "attacker.example"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "bad_request", "message": "Bad Request"}
