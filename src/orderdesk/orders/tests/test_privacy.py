"""A customer's export and erasure (API and admin) and retention: what is cleared, what stays
for reports, the outbox not yet sent, the erasure's own record and the scope of each caller."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.accounts.services import user_api_token_issue
from orderdesk.calling.models import CallAttempt, CallResult, CallTask
from orderdesk.conftest import ApiClient
from orderdesk.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from orderdesk.orders.models import Customer, Order, OrderEvent, OrderEventType, StoreEvent
from orderdesk.orders.services import order_status_change, orders_intake
from orderdesk.orders.services.privacy import retention_erase_batch
from orderdesk.stores.models import Store

pytestmark = pytest.mark.django_db

PERSONAL = ("Айгуль Тестова", "+77011234567", "a@example.kz", "Абая", "позвонить после 18")


@pytest.fixture
def make_order(store, make_payload):
    def make(external_id: str = "A-1001", **overrides):
        (result,) = orders_intake(
            store=store, payloads=[make_payload(external_id, **overrides)], actor_label="test"
        )
        assert not result.errors, result.errors
        return result.order

    return make


@pytest.fixture
def order(make_order, operator):
    order = make_order(comment="позвонить после 18")
    attempt = CallAttempt.objects.create(
        operator=operator,
        store=order.store,
        customer=order.customer,
        started_at=timezone.now(),
        ended_at=timezone.now(),
        result=CallResult.NO_ANSWER,
        notes="Айгуль просила перезвонить на +77011234567",
    )
    attempt.orders.add(order)
    return order


def contains_personal(value) -> bool:
    return any(p in str(value) for p in PERSONAL)


def test_export_answers_everything_held_and_records_the_view(order, supervisor, store_api):
    response = store_api.get("/api/v1/customers/export", phone="8 (701) 123-45-67")
    assert response.status_code == 200, response.json()
    [customer] = response.json()["customers"]
    assert customer["customer"]["name"] == "Айгуль Тестова"
    assert customer["customer"]["phone"] == "+77011234567"
    [exported] = customer["orders"]
    assert exported["id"] == str(order.pk)
    assert exported["items"][0]["sku"] == "HRF-450"
    assert exported["timeline"][0]["type"] == "created"
    assert customer["call_attempts"][0]["notes"].startswith("Айгуль просила")
    assert customer["call_tasks"], "the confirmation task is listed"
    # A store key is not a person: nothing recorded. A supervisor's export is.
    assert not OrderEvent.objects.filter(type=OrderEventType.VIEWED).exists()
    supervisor_api = ApiClient(user_api_token_issue(user=supervisor))
    assert supervisor_api.get("/api/v1/customers/export", phone="+77011234567").status_code == 200
    viewed = OrderEvent.objects.get(type=OrderEventType.VIEWED)
    assert (viewed.actor, viewed.data) == (supervisor, {"via": "export"})


def test_export_is_scoped_to_the_callers_store(order, other_store_api, operator_api):
    response = other_store_api.get("/api/v1/customers/export", phone="+77011234567")
    assert response.status_code == 404
    assert operator_api.get("/api/v1/customers/export", phone="+77011234567").status_code == 403
    assert other_store_api.post("/api/v1/customers/erase", {"phone": "+77011234567"}).json() == {
        "customers": 0,
        "orders": 0,
    }
    assert Customer.objects.get().erased_at is None


def test_export_refuses_a_phone_it_cannot_read(store_api):
    assert store_api.get("/api/v1/customers/export", phone="12").status_code == 422


def test_erasure_of_an_open_order_cancels_its_calls(order, store_api):
    assert CallTask.objects.get().state == "queued"
    assert store_api.post("/api/v1/customers/erase", {"phone": "+77011234567"}).status_code == 200
    assert CallTask.objects.get().state == "cancelled"


def test_erasure_clears_every_place_and_keeps_the_figures(order, store_api):
    order_status_change(order=order, to="confirmed", actor_label="test")
    before = Order.objects.get()
    response = store_api.post("/api/v1/customers/erase", {"phone": "+7 701 123 45 67"})
    assert response.status_code == 200, response.json()
    assert response.json() == {"customers": 1, "orders": 1}

    customer = Customer.objects.get()
    assert (customer.name, customer.email, customer.additional_phones) == ("", "", [])
    assert customer.phone.startswith("erased:") and customer.erased_at is not None
    after = Order.objects.get()
    for field in ("recipient_name", "recipient_phone", "comment", "street", "house", "apartment"):
        assert getattr(after, field) == ""
    assert after.erased_at is not None
    # The figures reports need stay.
    assert (after.status, after.total, after.locality_name, after.created_at) == (
        before.status,
        before.total,
        before.locality_name,
        before.created_at,
    )
    assert after.total == Decimal("259990.00")
    assert after.items.get().name == "Холодильник"
    assert not contains_personal([e.data for e in OrderEvent.objects.all()])
    assert CallAttempt.objects.get().notes == ""
    assert CallAttempt.objects.get().result == CallResult.NO_ANSWER
    assert not contains_personal([t.reason for t in CallTask.objects.all()])
    # The erasure is itself recorded: who and how, no personal data.
    erased = OrderEvent.objects.get(type=OrderEventType.ERASED)
    assert (erased.actor_label, erased.data) == ("store:mebel", {"reason": "api"})
    # Erasing again is harmless.
    again = store_api.post("/api/v1/customers/erase", {"phone": "+77011234567"})
    assert again.status_code == 200 and again.json() == {"customers": 0, "orders": 0}
    assert store_api.get("/api/v1/customers/export", phone="+77011234567").status_code == 404


def test_erasure_scrubs_the_outbox_not_yet_sent_and_keeps_what_was_delivered(
    order, store, store_api
):
    order_status_change(order=order, to="confirmed", actor_label="test")
    created, confirmed = StoreEvent.objects.order_by("created_at", "id")
    endpoint = WebhookEndpoint.objects.create(
        store=store, url="https://hooks.example.kz/x", events=["order.created"], secret="s"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=created,
        order_id=order.pk,
        event_created_at=created.created_at,
        status=DeliveryStatus.SUCCEEDED,
    )
    # `confirmed` has no delivery yet (not fanned out): not sent.
    assert contains_personal(created.payload) and contains_personal(confirmed.payload)
    assert store_api.post("/api/v1/customers/erase", {"phone": "+77011234567"}).status_code == 200
    created.refresh_from_db()
    confirmed.refresh_from_db()
    assert contains_personal(created.payload), "delivered: kept as the history the store holds"
    assert not contains_personal(confirmed.payload)
    assert confirmed.payload["status"] == "confirmed"
    assert confirmed.payload["items"][0]["name"] == "Холодильник"


def test_pending_delivery_is_scrubbed(order, store, store_api):
    [created] = StoreEvent.objects.all()
    endpoint = WebhookEndpoint.objects.create(
        store=store, url="https://hooks.example.kz/x", events=["order.created"], secret="s"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=created,
        order_id=order.pk,
        event_created_at=created.created_at,
        status=DeliveryStatus.PENDING,
    )
    store_api.post("/api/v1/customers/erase", {"phone": "+77011234567"})
    created.refresh_from_db()
    assert not contains_personal(created.payload)


def test_admin_erases_and_exports(order, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "r@example.kz", "pw")
    client.force_login(admin_user)
    customer = Customer.objects.get()
    url = "/admin/orders/customer/"
    exported = client.post(url, {"action": "export", "_selected_action": [customer.pk]})
    assert exported.status_code == 200
    assert "Айгуль Тестова" in exported.content.decode()
    assert OrderEvent.objects.filter(type=OrderEventType.VIEWED, actor=admin_user).exists()
    client.post(url, {"action": "erase", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.name == ""
    erased = OrderEvent.objects.get(type=OrderEventType.ERASED)
    assert (erased.actor, erased.data) == (admin_user, {"reason": "admin"})


def test_retention_erases_only_what_is_old_enough(make_order, store):
    old = make_order("OLD-1")
    recent = make_order("NEW-1")
    open_order = make_order("OPEN-1", customer={"name": "Ерлан", "phone": "+77019998877"})
    for o in (old, recent):
        order_status_change(order=o, to="cancelled", actor_label="test", reason="no_answer")
    now = timezone.now()
    Order.objects.filter(pk=old.pk).update(status_changed_at=now - timedelta(days=37 * 31))
    Order.objects.filter(pk=recent.pk).update(status_changed_at=now - timedelta(days=30))
    Order.objects.filter(pk=open_order.pk).update(status_changed_at=now - timedelta(days=40 * 31))

    assert retention_erase_batch() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    open_order.refresh_from_db()
    assert old.erased_at is not None and old.street == "" and old.status == "cancelled"
    assert recent.erased_at is None and recent.street == "Абая"
    assert open_order.erased_at is None
    # The customer still has an order whose data is kept: not erased yet.
    assert Customer.objects.get(pk=old.customer_id).erased_at is None
    assert OrderEvent.objects.get(type=OrderEventType.ERASED).data == {"reason": "retention"}
    assert retention_erase_batch() == 0  # done once

    # A store keeping data one month: the recent order goes too, and with it the customer.
    Store.objects.filter(pk=store.pk).update(retention_months=1)
    assert retention_erase_batch() == 1
    customer = Customer.objects.get(pk=old.customer_id)
    assert customer.erased_at is not None and customer.name == ""
