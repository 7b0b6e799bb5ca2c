"""WhatsApp template messages against a local stand-in of Meta's Graph API (base URL
configurable), and WhatsApp's webhook: signed statuses and replies, the subscription
handshake."""

import hashlib
import hmac
import json

import pytest
from django.test import Client, override_settings

from orderdesk.messaging.channels import SendResult, SendStatus
from orderdesk.messaging.models import (
    Channel,
    Direction,
    Message,
    MessageStatus,
    MessageTemplate,
    OptOut,
    StoreMessaging,
)
from orderdesk.messaging.services.sending import (
    message_receipt_record,
    message_result_record,
    messages_claim,
    messages_send_due,
)
from orderdesk.orders.extensions import customer_notify

from .conftest import NOW, PUBLIC_URL
from .peers import GraphApiPeer

TOKEN = "EAAG-test-token"
VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "app-secret"
VERIFY_TOKEN = "verify-me"
BODY = "Заказ {order_number} принят, {customer_name}.\nВаша страница: {self_service_url}"


@pytest.fixture
def graph(channels, store):
    peer = GraphApiPeer(token=TOKEN, version=VERSION, phone_number_id=PHONE_NUMBER_ID)
    StoreMessaging.objects.create(store=store, channels="whatsapp,sms,email")
    MessageTemplate.objects.create(
        store=store, event="order_received", language="ru", body=BODY,
        whatsapp_name="order_received_v2", whatsapp_language="ru",
    )  # fmt: skip
    with override_settings(
        ORDERDESK_WHATSAPP_URL=peer.url, ORDERDESK_WHATSAPP_API_VERSION=VERSION,
        ORDERDESK_WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, ORDERDESK_WHATSAPP_TOKEN=TOKEN,
        ORDERDESK_WHATSAPP_APP_SECRET=APP_SECRET, ORDERDESK_WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
    ):  # fmt: skip
        yield peer
    peer.close()


def _webhook(value: dict, *, secret: str = APP_SECRET):
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return Client().post(
        "/api/v1/messages/inbound/whatsapp",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": f"sha256={signature}"},
    )


def _status(wamid: str, status: str, **extra) -> dict:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "statuses": [
            {"id": wamid, "status": status, "timestamp": "1764990000", **extra},
        ],
    }


def _sent(order) -> Message:
    customer_notify(order=order, event="order_received", at=NOW)
    assert messages_send_due() == 1
    return Message.objects.get(order=order, channel=Channel.WHATSAPP)


def test_a_notice_goes_out_as_the_approved_template_with_its_parameters(
    clock, graph, make_customer_order
):
    order = make_customer_order(phone="+77025550071")
    message = _sent(order)
    (request,) = graph.requests
    url = request["template"]["components"][0]["parameters"][2]["text"]
    assert url.startswith(f"{PUBLIC_URL}/o/")
    assert request == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "77025550071",
        "type": "template",
        "template": {
            "name": "order_received_v2",
            "language": {"code": "ru"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": order.external_id},
                        {"type": "text", "text": "Айгуль Тестова"},
                        {"type": "text", "text": url},
                    ],
                }
            ],
        },
        "biz_opaque_callback_data": str(message.pk),
    }
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "wa:wamid.TEST1")
    assert (
        message.body == f"Заказ {order.external_id} принят, Айгуль Тестова.\nВаша страница: {url}"
    )


def test_a_template_without_a_whatsapp_name_goes_on_the_next_channel(
    clock, graph, make_customer_order, store
):
    MessageTemplate.objects.filter(store=store).update(whatsapp_name="")
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    assert Message.objects.get(order=order).channel == Channel.SMS


def test_a_refusal_from_the_api_fails_the_message_and_falls_back(clock, graph, make_customer_order):
    graph.refusal = (400, {"error": {"code": 132001, "message": "Template name does not exist"}})
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    rows = {m.channel: m for m in Message.objects.filter(order=order)}
    assert (rows[Channel.WHATSAPP].status, rows[Channel.WHATSAPP].error) == (
        MessageStatus.FAILED,
        "WhatsApp answered 400 (code 132001)",
    )
    assert rows[Channel.SMS].status == MessageStatus.QUEUED


def test_a_badly_signed_webhook_is_refused_and_changes_nothing(clock, graph, make_customer_order):
    message = _sent(make_customer_order())
    answer = _webhook(_status("wamid.TEST1", "delivered"), secret="not-the-secret")
    assert answer.status_code == 401
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT
    unsigned = Client().post(
        "/api/v1/messages/inbound/whatsapp", {"entry": []}, content_type="application/json"
    )
    assert unsigned.status_code == 401


def test_a_delivered_status_lands_on_the_message(clock, graph, make_customer_order):
    message = _sent(make_customer_order())
    answer = _webhook(_status("wamid.TEST1", "delivered"))
    assert answer.status_code == 200
    assert answer.json() == {"statuses": 1, "messages": 0}
    stored = Message.objects.get(pk=message.pk)
    assert (stored.status, stored.delivered_at is not None) == (MessageStatus.DELIVERED, True)
    assert _webhook(_status("wamid.TEST1", "read")).status_code == 200
    assert Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED


def test_a_status_that_outruns_the_api_answer_keeps_the_message_id(
    clock, graph, make_customer_order
):
    order = make_customer_order()
    customer_notify(order=order, event="order_received", at=NOW)
    (claimed,) = messages_claim(now=NOW)
    message_receipt_record(message_id=claimed.pk, status=MessageStatus.DELIVERED, at=NOW)
    result = SendResult(SendStatus.SENT, provider_id="wa:wamid.EARLY")
    message_result_record(message=claimed, result=result, at=NOW)
    stored = Message.objects.get(pk=claimed.pk)
    assert (stored.status, stored.provider_id) == (MessageStatus.DELIVERED, "wa:wamid.EARLY")


def test_a_failed_status_falls_back_to_the_next_channel(clock, graph, make_customer_order):
    order = make_customer_order()
    message = _sent(order)
    failed = _status(
        "wamid.TEST1", "failed", errors=[{"code": 131026, "title": "Message undeliverable"}]
    )
    failed["statuses"][0]["biz_opaque_callback_data"] = str(message.pk)
    assert _webhook(failed).json()["statuses"] == 1
    rows = {m.channel: m for m in Message.objects.filter(order=order)}
    assert (rows[Channel.WHATSAPP].status, rows[Channel.WHATSAPP].error) == (
        MessageStatus.FAILED,
        "WhatsApp failed (code 131026)",
    )
    assert rows[Channel.SMS].status == MessageStatus.QUEUED


def test_a_customer_message_joins_the_conversation_and_stop_opts_out(
    clock, graph, make_customer_order
):
    order = make_customer_order(phone="+77025550072")

    def text(wamid: str, body: str) -> dict:
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"profile": {"name": "Айгуль"}, "wa_id": "77025550072"}],
            "messages": [
                {"from": "77025550072", "id": wamid, "timestamp": "1764990000",
                 "type": "text", "text": {"body": body}}
            ],
        }  # fmt: skip

    assert _webhook(text("wamid.IN1", "Можно в субботу?")).json() == {
        "statuses": 0,
        "messages": 1,
    }
    _webhook(text("wamid.IN1", "Можно в субботу?"))  # Meta repeats a delivery
    reply = Message.objects.get(order=order, direction=Direction.IN)
    assert (reply.channel, reply.body, reply.to) == (
        Channel.WHATSAPP,
        "Можно в субботу?",
        "+77025550072",
    )
    _webhook(text("wamid.IN2", "STOP"))
    assert OptOut.objects.get(customer=order.customer).via == "reply"


def test_the_handshake_answers_the_challenge_only_with_the_right_token(graph):
    url = "/api/v1/messages/inbound/whatsapp"
    right = Client().get(
        url,
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert (right.status_code, right.content, right["Content-Type"]) == (
        200,
        b"1158201444",
        "text/plain",
    )
    wrong = Client().get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )
    assert wrong.status_code == 403
    assert b"1158201444" not in wrong.content
    with override_settings(ORDERDESK_WHATSAPP_VERIFY_TOKEN=""):
        assert (
            Client().get(url, {"hub.mode": "subscribe", "hub.verify_token": ""}).status_code == 403
        )
