"""SMS through Mobizon, against a local stand-in of its HTTP API (base URL configurable)."""

from datetime import timedelta

import pytest
from django.test import override_settings

from orderdesk.messaging.models import Channel, Message, MessageStatus
from orderdesk.messaging.services.sending import messages_send_due, mobizon_statuses_poll
from orderdesk.orders.extensions import customer_notify

from .conftest import NOW
from .peers import MobizonPeer

API_KEY = "kz-test-key"


@pytest.fixture
def mobizon(smtp_peer):
    peer = MobizonPeer(API_KEY)
    with override_settings(
        ORDERDESK_SMS_PROVIDER="mobizon", ORDERDESK_MOBIZON_URL=peer.url,
        ORDERDESK_MOBIZON_API_KEY=API_KEY, ORDERDESK_SMS_SENDER="MEBEL",
        ORDERDESK_SMS_URL="", EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp_peer.port,
    ):  # fmt: skip
        yield peer
    peer.close()


def test_an_sms_goes_through_mobizon_and_its_delivery_is_read_back(
    clock, mobizon, make_customer_order
):
    order = make_customer_order(phone="+77025550041")
    customer_notify(order=order, event="order_received", at=NOW)
    assert messages_send_due() == 1
    (request,) = mobizon.requests
    assert request["path"] == "/service/message/sendsmsmessage"
    assert request["query"]["output"] == ["json"] and request["query"]["api"] == ["v1"]
    message = Message.objects.get(order=order)
    assert request["form"]["recipient"] == ["77025550041"]
    assert request["form"]["text"] == [message.body]
    assert request["form"]["from"] == ["MEBEL"]
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "mobizon:5001")
    assert mobizon_statuses_poll(now=NOW + timedelta(minutes=1)) == 0  # still ACCEPTD
    mobizon.states["5001"] = "DELIVRD"
    assert mobizon_statuses_poll(now=NOW + timedelta(minutes=2)) == 1
    assert Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED


def test_a_message_mobizon_cannot_deliver_falls_back_to_email(clock, mobizon, make_customer_order):
    order = make_customer_order(phone="+77025550042")
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    mobizon.states["5001"] = "UNDELIV"
    mobizon_statuses_poll(now=NOW)
    rows = {m.channel: m for m in Message.objects.filter(order=order)}
    assert (rows[Channel.SMS].status, rows[Channel.SMS].error) == ("failed", "Mobizon UNDELIV")
    assert rows[Channel.EMAIL].status == MessageStatus.QUEUED


def test_a_refusal_by_code_fails_the_sms(clock, mobizon, make_customer_order):
    mobizon.code = 1  # Mobizon's validation error
    order = make_customer_order(phone="+77025550043")
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    rows = {m.channel: m for m in Message.objects.filter(order=order)}
    assert (rows[Channel.SMS].status, rows[Channel.SMS].error) == ("failed", "Mobizon code 1")


def test_a_wrong_key_is_a_refusal_not_a_crash(clock, mobizon, make_customer_order):
    with override_settings(ORDERDESK_MOBIZON_API_KEY="wrong"):
        order = make_customer_order(phone="+77025550044")
        customer_notify(order=order, event="order_received", at=NOW)
        messages_send_due()
        sms = Message.objects.get(order=order, channel=Channel.SMS)
        assert (sms.status, sms.error) == ("failed", "Mobizon code 8")
