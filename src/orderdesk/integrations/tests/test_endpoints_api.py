"""The store's webhook API: register, list, edit, delete, rotate, log, replay."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from orderdesk.integrations.models import (
    DeliveryStatus,
    LogKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookLogEntry,
)
from orderdesk.integrations.services import (
    WEBHOOK_EVENT_NOT_FOUND,
    WEBHOOK_EVENTS_INVALID,
    WEBHOOK_REPLAY_TARGET_MISSING,
    webhooks_dispatch,
)
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import StoreEvent

pytestmark = pytest.mark.django_db


def drain(**kwargs):
    while webhooks_dispatch(**kwargs):
        pass


def test_register_returns_a_standard_webhooks_secret(store_api, receiver):
    response = store_api.post(
        "/api/v1/webhooks", {"url": receiver.url, "events": ["order.confirmed", "order.created"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32
    assert body["events"] == ["order.created", "order.confirmed"]
    assert body["is_active"] is True
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert (endpoint.url, endpoint.secret) == (receiver.url, body["secret"])
    Webhook(body["secret"])  # the reference implementation accepts it


def test_events_default_to_all_and_unknown_ones_are_refused(store_api, receiver):
    response = store_api.post("/api/v1/webhooks", {"url": receiver.url})
    assert response.json()["events"] == StoreEventType.values
    refused = store_api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["order.eaten"]})
    assert refused.status_code == 422
    assert refused.json()["error"] == WEBHOOK_EVENTS_INVALID
    assert WebhookEndpoint.objects.count() == 1


def test_list_and_detail_never_show_the_secret(store_api, receiver):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    listed = store_api.get("/api/v1/webhooks").json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    detail = store_api.get(f"/api/v1/webhooks/{created['id']}").json()
    assert detail["url"] == receiver.url
    assert "secret" not in detail


def test_another_store_sees_not_found(store_api, other_store_api, receiver):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    path = f"/api/v1/webhooks/{created['id']}"
    assert other_store_api.get(path).status_code == 404
    assert other_store_api.patch(path, {"url": receiver.url + "x"}).status_code == 404
    assert other_store_api.delete(path).status_code == 404
    assert other_store_api.post(path + "/rotate-secret").status_code == 404
    assert other_store_api.get(path + "/log").status_code == 404
    assert other_store_api.get("/api/v1/webhooks").json() == []
    assert WebhookEndpoint.objects.get().url == receiver.url


def test_staff_tokens_cannot_manage_webhooks(operator_api, receiver):
    response = operator_api.post("/api/v1/webhooks", {"url": receiver.url})
    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_update_and_delete(store_api, receiver):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    path = f"/api/v1/webhooks/{created['id']}"
    updated = store_api.patch(path, {"events": ["order.cancelled"], "description": "ERP"})
    assert updated.status_code == 200
    assert (updated.json()["events"], updated.json()["description"]) == (["order.cancelled"], "ERP")
    assert store_api.delete(path).status_code == 204
    assert store_api.get(path).status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_disabling_by_the_store_stops_deliveries_and_is_logged(store_api, receiver, make_order):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    path = f"/api/v1/webhooks/{created['id']}"
    assert store_api.patch(path, {"is_active": False}).json()["is_active"] is False
    make_order()
    drain()
    assert receiver.requests == []
    assert WebhookLogEntry.objects.get().kind == LogKind.DISABLED


def test_rotate_secret_keeps_the_old_one_for_a_day(store_api, receiver):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    response = store_api.post(f"/api/v1/webhooks/{created['id']}/rotate-secret")
    assert response.status_code == 200
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.previous_secret == created["secret"]
    left = endpoint.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=23) < left <= timedelta(hours=24)


def test_log_shows_request_response_duration_and_attempt(store_api, receiver, make_order):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    receiver.answer(500)
    make_order()
    now = timezone.now()
    drain(now=now)
    drain(now=now + timedelta(seconds=6))
    log = store_api.get(f"/api/v1/webhooks/{created['id']}/log").json()
    assert log["count"] == 2
    newest, oldest = log["items"]
    event = StoreEvent.objects.get()
    assert (oldest["attempt"], oldest["response_status"], oldest["outcome"]) == (1, 500, "retry")
    assert (newest["attempt"], newest["response_status"], newest["outcome"]) == (
        2, 200, "succeeded",
    )  # fmt: skip
    assert oldest["event_id"] == str(event.pk)
    assert oldest["event_type"] == "order.created"
    assert oldest["request"]["url"] == receiver.url
    assert oldest["request"]["headers"]["webhook-id"] == str(event.pk)
    assert oldest["request"]["body_bytes"] == len(receiver.requests[0].body)
    assert oldest["request"]["body"] == receiver.requests[0].document
    assert isinstance(oldest["duration_ms"], int)
    page = store_api.get(f"/api/v1/webhooks/{created['id']}/log", limit=1, offset=1).json()
    assert [i["attempt"] for i in page["items"]] == [1]


def test_replay_one_event_resends_it_with_the_same_id(store_api, receiver, make_order):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    make_order()
    drain()
    event = StoreEvent.objects.get()
    response = store_api.post(
        f"/api/v1/webhooks/{created['id']}/replay", {"event_id": str(event.pk)}
    )
    assert response.status_code == 202
    assert response.json() == {"scheduled": 1}
    drain()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(event.pk)
    assert first.body == second.body
    assert WebhookLogEntry.objects.filter(kind=LogKind.REPLAY).count() == 1


def test_replay_since_sends_older_events_including_those_before_registration(
    store, store_api, receiver, make_order, confirm
):
    early = make_order("E-1")  # before the endpoint existed: not sent on its own
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    confirm(early)
    drain()
    assert receiver.types == ["order.confirmed"]
    since = StoreEvent.objects.get(type=StoreEventType.CREATED).created_at - timedelta(seconds=1)
    response = store_api.post(
        f"/api/v1/webhooks/{created['id']}/replay", {"since": since.isoformat()}
    )
    assert response.json() == {"scheduled": 2}
    drain()
    assert receiver.types == ["order.confirmed", "order.created", "order.confirmed"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.SUCCEEDED
    }


def test_replay_refuses_other_stores_events_and_empty_requests(
    store_api, other_store_api, receiver, make_payload
):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    other_store_api.post("/api/v1/orders", make_payload())
    foreign = StoreEvent.objects.get()
    path = f"/api/v1/webhooks/{created['id']}/replay"
    response = store_api.post(path, {"event_id": str(foreign.pk)})
    assert response.status_code == 404
    assert response.json()["error"] == WEBHOOK_EVENT_NOT_FOUND
    empty = store_api.post(path, {})
    assert empty.status_code == 422
    assert empty.json()["error"] == WEBHOOK_REPLAY_TARGET_MISSING
    assert not WebhookDelivery.objects.exists()


def test_staff_read_the_delivery_log_in_the_admin(store, receiver, make_order):
    from django.test import Client

    from orderdesk.accounts.services import user_create
    from orderdesk.integrations.services import webhook_endpoint_create

    endpoint = webhook_endpoint_create(store=store, url=receiver.url)
    receiver.answer(503)
    make_order()
    drain()
    admin_user, _, _ = user_create(username="boss", role="admin")
    client = Client()
    client.force_login(admin_user)
    endpoints = client.get("/admin/integrations/webhookendpoint/")
    assert f"?endpoint__id__exact={endpoint.pk}" in endpoints.content.decode()
    log = client.get(f"/admin/integrations/webhooklogentry/?endpoint__id__exact={endpoint.pk}")
    assert log.status_code == 200
    assert "503" in log.content.decode()
    entry = WebhookLogEntry.objects.get()
    detail = client.get(f"/admin/integrations/webhooklogentry/{entry.pk}/change/")
    assert detail.status_code == 200
    assert str(entry.event_id) in detail.content.decode()


def test_staff_re_enable_an_endpoint_from_the_admin(store, receiver):
    from django.test import Client

    from orderdesk.accounts.services import user_create
    from orderdesk.integrations.services import webhook_endpoint_create, webhook_endpoint_update

    endpoint = webhook_endpoint_create(store=store, url=receiver.url)
    webhook_endpoint_update(endpoint=endpoint, changes={"is_active": False})
    admin_user, _, _ = user_create(username="boss", role="admin")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/webhookendpoint/",
        {"action": "enable", "_selected_action": [str(endpoint.pk)]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active
    messages = list(WebhookLogEntry.objects.order_by("id").values_list("kind", "message"))
    assert messages == [
        ("disabled", "disabled by the store"),
        ("enabled", "enabled by staff (boss)"),
    ]
