"""Notices: queued with the change, rendered once, on the timeline; the rules (quiet hours,
opt-out, rate limit, idempotency); sending from the worker's job, receipts and fallback."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from orderdesk.calling.models import CallingPolicy, CallResult
from orderdesk.calling.services import call_next_claim, call_outcome_record
from orderdesk.messaging.models import (
    Channel,
    Message,
    MessageStatus,
    MessageTemplate,
    OptOut,
    StoreMessaging,
)
from orderdesk.messaging.services.notices import notices_queue
from orderdesk.messaging.services.opt_out import customer_opt_out
from orderdesk.messaging.services.sending import (
    message_receipt_record,
    messages_claim,
    messages_send_due,
)
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import OrderEvent, OrderEventType, OrderStatus
from orderdesk.orders.services import order_status_change

from .conftest import NOW, PUBLIC_URL, SMS_TOKEN


def _messages(order) -> list[Message]:
    """Oldest first; a fallback queued at the same instant after the one it replaces."""
    rows = Message.objects.filter(order=order)
    return sorted(rows, key=lambda m: (m.created_at, m.status != MessageStatus.FAILED))


def test_intake_queues_order_received_with_the_private_link(
    clock, channels, store_api, make_payload
):
    answer = store_api.post("/api/v1/orders", make_payload())
    assert answer.status_code == 201
    order = answer.json()
    assert order["self_service_url"].startswith(f"{PUBLIC_URL}/o/")
    (message,) = Message.objects.filter(order_id=order["id"])
    assert (message.event, message.channel, message.to, message.status) == (
        "order_received", Channel.SMS, "+77011234567", MessageStatus.QUEUED
    )  # fmt: skip
    assert message.language == "kk"
    assert order["self_service_url"] in message.body
    assert "{" not in message.body
    assert message.not_before == NOW
    event = OrderEvent.objects.get(order_id=order["id"], type=OrderEventType.MESSAGE)
    assert event.data["message"] == str(message.pk)
    listed = store_api.get(f"/api/v1/orders/{order['id']}/messages").json()["items"]
    assert [(m["channel"], m["template"], m["status"]) for m in listed] == [
        ("sms", "order_received", "queued")
    ]


def test_the_job_sends_due_messages_and_records_them(clock, channels, make_customer_order):
    _smtp, sms = channels
    order = make_customer_order()
    assert customer_notify(order=order, event="order_received", at=NOW)
    assert messages_send_due() == 1
    (message,) = _messages(order)
    assert (message.status, message.sent_at, message.provider_id) == (
        MessageStatus.SENT,
        NOW,
        "prov-1",
    )
    assert [r["json"]["id"] for r in sms.requests] == [str(message.pk)]
    statuses = [
        e.data["status"]
        for e in OrderEvent.objects.filter(order=order, type=OrderEventType.MESSAGE).order_by("id")
    ]
    assert statuses == ["queued", "sent"]
    assert messages_send_due() == 0


def test_one_event_is_one_message_however_often_it_is_announced(
    clock, channels, make_customer_order
):
    order = make_customer_order()
    assert customer_notify(order=order, event="order_received", at=NOW)
    assert customer_notify(order=order, event="order_received", at=NOW + timedelta(minutes=1))
    assert len(_messages(order)) == 1
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.MESSAGE).count() == 1


def test_a_worker_that_dies_mid_send_leaves_the_message_to_the_next_one(
    clock, channels, make_customer_order
):
    _smtp, sms = channels
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    (claimed,) = messages_claim(now=NOW)  # the worker took it, then died before sending
    assert messages_send_due(now=NOW + timedelta(seconds=30)) == 0  # still its claim
    assert messages_send_due(now=NOW + timedelta(seconds=61)) == 1
    message = Message.objects.get(pk=claimed.pk)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert [r["json"]["id"] for r in sms.requests] == [str(message.pk)]
    assert len(_messages(order)) == 1


def test_a_late_answer_of_a_dead_claim_is_not_recorded_twice(clock, channels, make_customer_order):
    _smtp, sms = channels
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    (first,) = messages_claim(now=NOW)
    assert messages_send_due(now=NOW + timedelta(seconds=61)) == 1
    from orderdesk.messaging.services.sending import message_send

    message_send(first)  # the first worker wakes up and sends: same id to the provider
    assert [r["json"]["id"] for r in sms.requests] == [str(first.pk)] * 2
    assert OrderEvent.objects.filter(order=order, data__status="sent").count() == 1


def test_quiet_hours_hold_a_message_until_the_calling_window_opens(
    clock, channels, make_customer_order
):
    order = make_customer_order()
    night = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 22:30 in Almaty
    customer_notify(order=order, event="order_received", at=night)
    (message,) = _messages(order)
    assert message.not_before == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 10:00 local
    assert messages_send_due(now=night + timedelta(hours=1)) == 0
    assert messages_send_due(now=message.not_before) == 1


def test_quiet_hours_follow_the_store_calling_window(clock, channels, store, make_customer_order):
    CallingPolicy.objects.create(
        store=store, windows={str(d): ["08:00", "21:00"] for d in range(1, 8)}
    )
    order = make_customer_order()
    customer_notify(
        order=order, event="order_received", at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    )
    assert _messages(order)[0].not_before == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 08:00


def test_an_opted_out_customer_gets_only_legally_required_messages(
    clock, channels, make_customer_order
):
    order = make_customer_order()
    customer_opt_out(customer=order.customer, via="reply", at=NOW)
    assert not customer_notify(order=order, event="order_received", at=NOW)
    assert _messages(order) == []
    skipped = OrderEvent.objects.get(
        order=order, type=OrderEventType.MESSAGE, data__event="order_received"
    )
    assert skipped.data == {"event": "order_received", "status": "not_sent", "reason": "opted_out"}
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")
    (confirmed,) = _messages(order)
    assert (confirmed.event, confirmed.is_legally_required) == ("confirmed", True)


def test_the_rate_limit_spreads_a_customer_s_messages_over_24_hours(
    clock, channels, store, make_customer_order
):
    StoreMessaging.objects.create(
        store=store, rate_limit_per_day=2, quiet_hours_follow_calling_window=False
    )
    order = make_customer_order()
    for minutes, event in enumerate(["order_received", "delivered", "shipped"]):
        customer_notify(order=order, event=event, at=NOW + timedelta(minutes=minutes))
    times = {m.event: m.not_before for m in _messages(order)}
    assert times == {
        "order_received": NOW,
        "delivered": NOW + timedelta(minutes=1),
        "shipped": NOW
        + timedelta(hours=24),  # the third within 24 hours waits for the first to age out
    }


def test_a_missing_value_drops_its_line_never_an_unfilled_placeholder(
    clock, channels, make_customer_order
):
    order = make_customer_order()
    customer_notify(order=order, event="shipped", at=NOW)
    (message,) = _messages(order)
    assert message.body.splitlines() == [
        f"{order.store.name}: заказ {order.external_id} отправлен."
    ]


def test_without_a_value_for_its_only_line_nothing_is_sent(clock, channels, make_customer_order):
    order = make_customer_order()
    assert not customer_notify(order=order, event="feedback_request", at=NOW)
    assert _messages(order) == []


def test_a_store_template_wins_and_the_customer_language_is_used(
    clock, channels, store, make_customer_order
):
    MessageTemplate.objects.create(
        store=store,
        event="order_received",
        language="kk",
        body="Сәлем, {customer_name}! {order_number}",
    )
    order = make_customer_order(language="kk")
    customer_notify(order=order, event="order_received", at=NOW)
    assert _messages(order)[0].body == f"Сәлем, Айгуль Тестова! {order.external_id}"


def test_email_when_the_customer_has_no_phone_channel_and_it_carries_the_unsubscribe_link(
    clock, channels, store, make_customer_order
):
    smtp, _sms = channels
    StoreMessaging.objects.create(store=store, channels="email,sms")
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    (message,) = _messages(order)
    assert message.channel == Channel.EMAIL
    assert f"{PUBLIC_URL}/m/unsubscribe/" in message.body.splitlines()[-1]
    messages_send_due()
    (mail,) = smtp.mails
    assert mail["Subject"] == f"Заказ {order.external_id} принят"
    assert mail["List-Unsubscribe"].strip().startswith(f"<{PUBLIC_URL}/m/unsubscribe/")


def test_a_refused_sms_falls_back_to_email(clock, channels, make_customer_order):
    smtp, sms = channels
    sms.status = 400
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    first, second = _messages(order)
    assert (first.channel, first.status, first.error) == (
        "sms",
        "failed",
        "SMS provider answered 400",
    )
    assert (second.channel, second.status) == ("email", "queued")
    messages_send_due()
    assert Message.objects.get(pk=second.pk).status == MessageStatus.SENT
    assert len(smtp.mails) == 1


def test_a_provider_away_is_retried_later_then_fails_over(clock, channels, make_customer_order):
    _smtp, sms = channels
    sms.status = 503
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    now = NOW
    for _attempt in range(4):
        assert messages_send_due(now=now) == 1
        now += timedelta(minutes=11)
    first, second = _messages(order)
    assert (first.status, first.attempts) == (MessageStatus.FAILED, 4)
    assert second.channel == Channel.EMAIL


def test_receipts_land_on_the_message_and_a_failed_one_falls_back(
    clock, channels, make_customer_order, client
):
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    (message,) = _messages(order)
    headers = {"Authorization": f"Bearer {SMS_TOKEN}"}
    url = "/api/v1/messages/receipts/sms"
    answer = client.post(
        url,
        {"id": str(message.pk), "status": "delivered"},
        content_type="application/json",
        headers=headers,
    )
    assert (answer.status_code, answer.json()) == (
        200,
        {"id": str(message.pk), "status": "delivered"},
    )
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (MessageStatus.DELIVERED, NOW)
    # A late "sent" does not move it back.
    client.post(
        url,
        {"id": str(message.pk), "status": "sent"},
        content_type="application/json",
        headers=headers,
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert (
        client.post(
            url, {"id": str(message.pk), "status": "failed"}, content_type="application/json"
        ).status_code
        == 401
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_a_failed_receipt_sends_the_event_on_the_next_channel(clock, channels, make_customer_order):
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    (sms_message,) = _messages(order)
    message_receipt_record(message_id=sms_message.pk, status="failed", error="unknown subscriber")
    first, second = _messages(order)
    assert (first.status, first.error, second.channel) == ("failed", "unknown subscriber", "email")


def test_a_receipt_for_an_unknown_message_is_404(db, channels, client):
    answer = client.post(
        "/api/v1/messages/receipts/sms",
        {"id": "not-a-uuid", "status": "delivered"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {SMS_TOKEN}"},
    )
    assert answer.status_code == 404


def test_confirmation_sends_confirmed_with_date_and_total(clock, channels, make_customer_order):
    from datetime import date

    order = make_customer_order(total="259990.00")
    order_status_change(
        order=order,
        to=OrderStatus.CONFIRMED,
        actor_label="test",
        extra_fields={"delivery_on": date(2026, 11, 26)},
    )
    (message,) = _messages(order)
    assert message.body.splitlines()[1:] == ["Дата доставки: 26.11.2026", "Сумма: 259 990.00 KZT"]


def test_unreachable_after_the_store_number_of_failed_calls(
    clock, channels, store, make_customer_order, operator
):
    StoreMessaging.objects.create(store=store, unreachable_after_attempts=2)
    order = make_customer_order()
    for attempt in range(3):
        lease = call_next_claim(operator=operator, at=NOW + timedelta(hours=3 * attempt)).lease
        call_outcome_record(
            lease_id=lease.pk,
            operator=operator,
            result=CallResult.NO_ANSWER,
            at=NOW + timedelta(hours=3 * attempt, minutes=1),
        )
        events = [m.event for m in _messages(order)]
        assert (attempt, events) == (attempt, [] if attempt == 0 else ["unreachable"])
    assert "/o/" in _messages(order)[0].body


def test_messaging_off_for_a_store_sends_nothing(clock, channels, store, make_customer_order):
    StoreMessaging.objects.create(store=store, is_enabled=False)
    order = make_customer_order()
    assert not customer_notify(order=order, event="order_received", at=NOW)


def test_no_channel_configured_queues_nothing(clock, make_customer_order):
    with override_settings(EMAIL_HOST="", ORDERDESK_SMS_URL=""):
        order = make_customer_order()
        assert not customer_notify(order=order, event="order_received", at=NOW)


def test_unknown_event_is_a_programming_error(clock, channels, make_customer_order):
    with pytest.raises(ValueError, match="not a customer notice event"):
        customer_notify(order=make_customer_order(), event="birthday", at=NOW)


def test_opt_out_is_idempotent(clock, make_customer_order):
    order = make_customer_order()
    customer_opt_out(customer=order.customer, via="link")
    customer_opt_out(customer=order.customer, via="reply")
    assert OptOut.objects.get(customer=order.customer).via == "link"
    assert notices_queue(orders=[order], event="order_received", at=NOW) == []
