"""Webhook delivery against a real HTTP receiver on 127.0.0.1: signatures, retries, rollback,
a worker dying between send and record, per-order ordering, giving up, disabling."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orderdesk.integrations.models import (
    AttemptOutcome,
    DeliveryStatus,
    LogKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookLogEntry,
)
from orderdesk.integrations.services import delivery as delivery_module
from orderdesk.integrations.services import (
    webhook_endpoint_create,
    webhook_secret_rotate,
    webhooks_dispatch,
)
from orderdesk.integrations.services.delivery import DISABLED_MESSAGE, LEASE
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import OrderStatus, StoreEvent
from orderdesk.orders.services import order_status_change

pytestmark = pytest.mark.django_db


def drain(now=None, **kwargs) -> int:
    """Run dispatch passes until nothing more is due at `now` (a worker's loop)."""
    total = 0
    while sent := webhooks_dispatch(now=now, **kwargs):
        total += sent
    return total


def test_delivers_signed_event_that_the_reference_verifier_accepts(endpoint, receiver, make_order):
    order = make_order()
    assert drain() == 1
    (request,) = receiver.requests
    event = StoreEvent.objects.get(order=order, type=StoreEventType.CREATED)
    assert request.path == "/hooks/orderdesk"
    assert request.headers["webhook-id"] == str(event.pk)
    assert request.headers["content-type"] == "application/json"
    document = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert document["type"] == "order.created"
    assert document["timestamp"] == event.created_at.isoformat()
    assert document["data"]["id"] == str(order.pk)
    assert document["data"]["customer"]["phone"] == "+77011234567"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event=event)
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (
        DeliveryStatus.SUCCEEDED, 1, 200,
    )  # fmt: skip


def test_tampered_body_or_other_secret_fails_verification(endpoint, receiver, make_order):
    make_order()
    drain()
    (request,) = receiver.requests
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"A-1001", b"A-1002"), request.headers)
    other = webhook_endpoint_create(store=endpoint.store, url=receiver.url)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, request.headers)


def test_retries_after_500_with_the_same_webhook_id(endpoint, receiver, make_order):
    receiver.answer(500)
    make_order()
    now = timezone.now()
    assert drain(now=now) == 1
    assert drain(now=now + timedelta(seconds=4)) == 0  # first retry waits 5 s
    assert drain(now=now + timedelta(seconds=6)) == 1
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    Webhook(endpoint.secret).verify(second.body, second.headers)
    log = list(WebhookLogEntry.objects.filter(endpoint=endpoint).order_by("created_at", "id"))
    assert [(e.attempt, e.response_status, e.outcome) for e in log] == [
        (1, 500, AttemptOutcome.RETRY),
        (2, 200, AttemptOutcome.SUCCEEDED),
    ]
    assert log[0].next_attempt_at == now + timedelta(seconds=5)
    assert log[0].response_body == "receiver says no"
    assert log[0].request_headers["webhook-id"] == first.headers["webhook-id"]
    assert "webhook-signature" not in log[0].request_headers
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_retries_on_retryable_statuses(endpoint, receiver, make_order, status):
    receiver.answer(status)
    make_order()
    drain()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at is not None


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_no_retry_on_other_4xx(endpoint, receiver, make_order, status):
    receiver.answer(status)
    make_order()
    now = timezone.now()
    drain(now=now)
    assert drain(now=now + timedelta(days=4)) == 0
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED, 1, None,
    )  # fmt: skip
    assert WebhookLogEntry.objects.get().outcome == AttemptOutcome.FAILED


def test_nothing_is_sent_for_a_rolled_back_change(endpoint, receiver, make_order, confirm):
    order = make_order()
    drain()
    with pytest.raises(RuntimeError), transaction.atomic():
        confirm(order)
        raise RuntimeError("the change fails after the status was written")
    assert drain() == 0
    assert receiver.types == ["order.created"]
    assert not StoreEvent.objects.filter(type="order.confirmed").exists()
    confirm(order)
    drain()
    assert receiver.types == ["order.created", "order.confirmed"]


def test_worker_dying_between_send_and_record_resends_with_the_same_id(
    endpoint, receiver, make_order, monkeypatch
):
    make_order()
    now = timezone.now()

    def crash(**kwargs):
        raise SystemExit("killed after the receiver answered, before the commit")

    with monkeypatch.context() as patched:
        patched.setattr(delivery_module, "_attempt_log", crash)
        with pytest.raises(SystemExit):
            webhooks_dispatch(now=now)
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert not WebhookLogEntry.objects.exists()
    # Another worker started meanwhile leaves the held delivery alone until the lease runs out.
    assert drain(now=now + timedelta(seconds=1)) == 0
    assert drain(now=now + LEASE + timedelta(seconds=1)) == 1
    first, second = receiver.requests
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    Webhook(endpoint.secret).verify(second.body, second.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 1)


def test_events_of_one_order_arrive_in_order_while_other_orders_proceed(
    endpoint, receiver, make_order, confirm
):
    first = make_order("A-1")
    confirm(first)
    order_status_change(order=first, to=OrderStatus.CANCELLED, reason="changed mind")
    other = make_order("B-1", customer={"name": "Б", "phone": "+7 702 000 11 22"})
    receiver.answer(503)  # the first order's order.created fails once
    now = timezone.now()
    drain(now=now, workers=1)  # one at a time, so the scripted 503 meets the first order
    by_order = [(r.document["data"]["external_id"], r.document["type"]) for r in receiver.requests]
    assert by_order == [("A-1", "order.created"), ("B-1", "order.created")]
    drain(now=now + timedelta(seconds=6))
    by_order = [(r.document["data"]["external_id"], r.document["type"]) for r in receiver.requests]
    assert by_order[2:] == [
        ("A-1", "order.created"),
        ("A-1", "order.confirmed"),
        ("A-1", "order.cancelled"),
    ]
    assert other.pk != first.pk


def test_endpoint_gets_only_subscribed_events(store, receiver, make_order, confirm):
    webhook_endpoint_create(store=store, url=receiver.url, events=[StoreEventType.CONFIRMED])
    confirm(make_order())
    drain()
    assert receiver.types == ["order.confirmed"]


def test_other_stores_events_are_not_sent(endpoint, receiver, other_store_api, make_payload):
    response = other_store_api.post("/api/v1/orders", make_payload())
    assert response.status_code == 201
    assert drain() == 0
    assert receiver.requests == []


def test_gives_up_when_the_schedule_is_spent(endpoint, receiver, make_order):
    receiver.default = 500
    make_order()
    now = timezone.now()
    delays = [timedelta(minutes=1), timedelta(minutes=2)]
    for minutes in (0, 1, 3, 10):
        drain(now=now + timedelta(minutes=minutes), delays=delays)
    assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)


def test_endpoint_failing_for_three_days_is_disabled_and_the_log_says_so(
    endpoint, receiver, make_order, store_api
):
    receiver.default = 500
    make_order()
    now = timezone.now()
    delays = [timedelta(days=1)] * 5
    for day in (0, 1, 2):
        drain(now=now + timedelta(days=day), delays=delays)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    drain(now=now + timedelta(days=3), delays=delays)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == DISABLED_MESSAGE
    assert len(receiver.requests) == 4
    assert drain(now=now + timedelta(days=4), delays=delays) == 0  # disabled: nothing is sent
    notice = WebhookLogEntry.objects.get(kind=LogKind.DISABLED)
    assert notice.message == DISABLED_MESSAGE
    log = store_api.get(f"/api/v1/webhooks/{endpoint.pk}/log").json()
    assert log["items"][0]["kind"] == "disabled"
    assert log["items"][0]["message"] == DISABLED_MESSAGE
    # Re-enabled by the store, the owed delivery goes out again at once.
    receiver.default = 200
    response = store_api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"is_active": True})
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert drain(now=now + timedelta(days=4), delays=delays) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_success_clears_the_failure_run(endpoint, receiver, make_order):
    receiver.answer(500)
    make_order()
    now = timezone.now()
    drain(now=now)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == now
    drain(now=now + timedelta(seconds=6))
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_during_rotation_both_secrets_sign(endpoint, receiver, make_order):
    old_secret = endpoint.secret
    rotated = webhook_secret_rotate(endpoint=endpoint)
    assert rotated.secret != old_secret
    make_order()
    drain()
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(request.body, request.headers)
    Webhook(rotated.secret).verify(request.body, request.headers)


def test_after_the_overlap_only_the_new_secret_signs(endpoint, receiver, make_order):
    old_secret = endpoint.secret
    rotated = webhook_secret_rotate(endpoint=endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    make_order()
    drain()
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated.secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)


def test_a_receiver_slower_than_the_total_limit_times_out_and_is_retried(
    endpoint, receiver, make_order, settings
):
    settings.ORDERDESK_WEBHOOKS_TOTAL_TIMEOUT = 0.2
    receiver.delay = 2
    make_order()
    drain()
    entry = WebhookLogEntry.objects.get()
    assert entry.error.startswith("timeout")
    assert (entry.response_status, entry.outcome) == (None, AttemptOutcome.RETRY)


def test_connection_refused_is_a_retryable_network_error(store, allow_local, make_order):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    webhook_endpoint_create(store=store, url=f"http://127.0.0.1:{port}/")
    make_order()
    drain()
    entry = WebhookLogEntry.objects.get()
    assert entry.error.startswith("ConnectionRefusedError")
    assert entry.outcome == AttemptOutcome.RETRY


def test_the_worker_job_sends_what_is_due(endpoint, receiver, make_order):
    from orderdesk.core.periodic import periodic_jobs_discover
    from orderdesk.integrations.jobs import webhooks_send_due

    assert webhooks_send_due in [job.func for job in periodic_jobs_discover()]
    order = make_order()
    webhooks_send_due()
    assert [r.document["data"]["id"] for r in receiver.requests] == [str(order.pk)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_event_once(store, receiver, make_order):
    import threading

    from django.db import connection

    webhook_endpoint_create(store=store, url=receiver.url)
    for n in range(12):
        make_order(f"C-{n}", customer={"name": "К", "phone": f"+7 701 000 00 {n:02d}"})
    start = threading.Barrier(3)

    def worker():
        start.wait()
        try:
            drain()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert sorted(ids) == sorted(set(ids))
    assert len(ids) == 12
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 12


def test_old_history_is_purged_but_owed_deliveries_stay(endpoint, receiver, make_order, confirm):
    from orderdesk.integrations.services import webhook_history_purge

    order = make_order()
    drain()
    confirm(order)
    receiver.default = 500
    later = timezone.now() + timedelta(days=31)
    assert drain(now=later) == 1  # a month on, order.confirmed fails: owed
    assert webhook_history_purge(now=later) == 2  # the old log entry and the delivered event
    owed = WebhookDelivery.objects.get()
    assert (owed.status, owed.event.type) == (DeliveryStatus.PENDING, StoreEventType.CONFIRMED)
    assert list(WebhookLogEntry.objects.values_list("attempt", flat=True)) == [1]
    assert drain(now=later + timedelta(seconds=6)) == 1  # still sent, nothing fanned out again
    assert receiver.types == ["order.created", "order.confirmed", "order.confirmed"]
