"""The Telegram bot against a local stand-in of the Bot API: the deep link links the chat,
messages go to it, replies come back through the bot's webhook."""

import pytest
from django.test import Client, override_settings

from orderdesk.messaging.links import telegram_deep_link, telegram_start_token
from orderdesk.messaging.models import (
    Channel,
    Direction,
    Message,
    OptOut,
    StoreMessaging,
    TelegramLink,
)
from orderdesk.messaging.services.sending import messages_send_due
from orderdesk.orders.extensions import customer_notify

from .conftest import NOW
from .peers import BotApiPeer

BOT_TOKEN = "123456:test-bot-token"
SECRET = "hook-secret"


@pytest.fixture
def bot(channels, store):
    peer = BotApiPeer(BOT_TOKEN)
    StoreMessaging.objects.create(store=store, channels="telegram,sms,email")
    with override_settings(
        ORDERDESK_TELEGRAM_BOT_TOKEN=BOT_TOKEN, ORDERDESK_TELEGRAM_API_URL=peer.url,
        ORDERDESK_TELEGRAM_BOT_NAME="mebel_bot", ORDERDESK_TELEGRAM_WEBHOOK_SECRET=SECRET,
    ):  # fmt: skip
        yield peer
    peer.close()


def _update(text: str, chat_id: int = 777, message_id: int = 1, secret: str = SECRET):
    return Client().post(
        "/api/v1/messages/inbound/telegram",
        {
            "update_id": message_id,
            "message": {
                "message_id": message_id,
                "chat": {"id": chat_id, "type": "private"},
                "text": text,
            },
        },
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
    )


def test_the_deep_link_links_the_chat_and_messages_go_there(clock, bot, make_customer_order):
    order = make_customer_order()
    link = telegram_deep_link(customer_id=order.customer_id)
    assert (
        link
        == f"https://t.me/mebel_bot?start={telegram_start_token(customer_id=order.customer_id)}"
    )
    assert len(link.split("start=")[1]) <= 64
    assert _update(f"/start {link.split('start=')[1]}").status_code == 200
    assert TelegramLink.objects.get(customer=order.customer).chat_id == 777
    customer_notify(order=order, event="order_received", at=NOW)
    message = Message.objects.get(order=order)
    assert (message.channel, message.to) == (Channel.TELEGRAM, "777")
    messages_send_due()
    assert bot.sent == [{"chat_id": 777, "text": message.body}]
    assert Message.objects.get(pk=message.pk).provider_id == "tg:1"


def test_without_a_linked_chat_the_next_channel_is_used(clock, bot, make_customer_order):
    order = make_customer_order()
    assert _update("/start c999-forged").json()["id"] is None
    customer_notify(order=order, event="order_received", at=NOW)
    assert Message.objects.get(order=order).channel == Channel.SMS


def test_a_blocked_bot_falls_back_to_sms(clock, bot, make_customer_order):
    order = make_customer_order()
    _update(f"/start {telegram_start_token(customer_id=order.customer_id)}")
    bot.blocked = True
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    rows = {m.channel: m for m in Message.objects.filter(order=order)}
    assert (rows[Channel.TELEGRAM].status, rows[Channel.TELEGRAM].error) == (
        "failed",
        "Telegram answered 403",
    )
    assert rows[Channel.SMS].status == "queued"


def test_a_reply_in_the_chat_joins_the_conversation_and_stop_opts_out(
    clock, bot, make_customer_order
):
    order = make_customer_order()
    _update(f"/start {telegram_start_token(customer_id=order.customer_id)}")
    answer = _update("Можно завтра?", message_id=2)
    assert answer.json()["order_id"] == str(order.pk)
    reply = Message.objects.get(order=order, direction=Direction.IN)
    assert (reply.channel, reply.body) == (Channel.TELEGRAM, "Можно завтра?")
    _update("стоп", message_id=3)
    assert OptOut.objects.get(customer=order.customer).via == "reply"


def test_updates_without_the_secret_are_refused(clock, bot, make_customer_order):
    order = make_customer_order()
    answer = _update(
        f"/start {telegram_start_token(customer_id=order.customer_id)}", secret="wrong"
    )
    assert answer.status_code == 401
    assert not TelegramLink.objects.exists()
