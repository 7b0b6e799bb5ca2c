"""Replies from customers: an SMS through the provider's webhook, an e-mail through the inbound
endpoint; each joins the order's conversation; STOP opts out."""

from django.test import override_settings

from orderdesk.messaging.models import Direction, Message, OptOut
from orderdesk.messaging.services.sending import messages_send_due
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import OrderEvent, OrderEventType

from .conftest import NOW, SMS_TOKEN

INBOUND_TOKEN = "mail-system-token"


def _post(client, path, body, token):
    return client.post(
        f"/api/v1/messages/inbound/{path}", body, content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def test_an_sms_reply_joins_the_conversation_of_the_order_it_answers(
    clock, channels, make_customer_order, client
):
    order = make_customer_order(phone="+77025550022")
    customer_notify(order=order, event="order_received", at=NOW)
    answer = _post(
        client,
        "sms",
        {"id": "in-1", "from": "8 702 555 00 22", "text": "Можно после 18:00?"},
        SMS_TOKEN,
    )
    assert answer.status_code == 200
    assert answer.json()["order_id"] == str(order.pk)
    reply = Message.objects.get(order=order, direction=Direction.IN)
    assert (reply.channel, reply.body, reply.to) == ("sms", "Можно после 18:00?", "+77025550022")
    assert (
        OrderEvent.objects.filter(
            order=order, type=OrderEventType.MESSAGE, data__direction="in"
        ).count()
        == 1
    )
    # The provider repeats its webhook: nothing more.
    _post(
        client,
        "sms",
        {"id": "in-1", "from": "+77025550022", "text": "Можно после 18:00?"},
        SMS_TOKEN,
    )
    assert Message.objects.filter(order=order, direction=Direction.IN).count() == 1
    assert answer.json()["opted_out"] is False


def test_a_stop_reply_opts_the_customer_out(clock, channels, make_customer_order, client):
    order = make_customer_order(phone="+77025550023")
    answer = _post(
        client, "sms", {"id": "in-2", "from": "+77025550023", "text": " Stop "}, SMS_TOKEN
    )
    assert answer.json()["opted_out"] is True
    assert OptOut.objects.get(customer=order.customer).via == "reply"
    assert not customer_notify(order=order, event="order_received", at=NOW)


def test_an_unknown_sender_or_a_bad_token(db, clock, channels, client):
    answer = _post(client, "sms", {"id": "in-3", "from": "+77029999999", "text": "?"}, SMS_TOKEN)
    assert answer.json() == {"id": None, "order_id": None, "opted_out": False}
    assert _post(client, "sms", {"from": "+77029999999", "text": "?"}, "wrong").status_code == 401
    assert (
        _post(client, "sms", {"from": "not a phone", "text": "?"}, SMS_TOKEN).json()["id"] is None
    )


def test_an_email_reply_finds_its_order_by_in_reply_to(
    clock, channels, store, make_customer_order, client
):
    from orderdesk.messaging.models import StoreMessaging

    StoreMessaging.objects.create(store=store, channels="email")
    first = make_customer_order(email="same@example.kz", phone="+77025550031")
    second = make_customer_order(email="same@example.kz", phone="+77025550031")
    customer_notify(order=first, event="order_received", at=NOW)
    customer_notify(order=second, event="order_received", at=NOW)
    messages_send_due()
    sent_to_first = Message.objects.get(order=first)
    with override_settings(ORDERDESK_INBOUND_EMAIL_TOKEN=INBOUND_TOKEN):
        answer = _post(client, "email", {
            "message_id": "<r1@mail.example.kz>", "from": "SAME@example.kz", "subject": "Re: заказ",
            "text": "Подъезд 3", "in_reply_to": f"<{sent_to_first.pk.hex}@example.kz>",
        }, INBOUND_TOKEN)  # fmt: skip
        assert answer.json()["order_id"] == str(first.pk)
        assert _post(client, "email", {"from": "a@b.kz", "text": "x"}, "").status_code == 401
