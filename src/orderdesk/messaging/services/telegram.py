"""The Telegram bot's updates (its webhook): `/start <token>` from the deep link links the chat
to the customer; any other text is a reply in the customer's conversation (STOP opts out)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orderdesk.orders.models import Customer

from ..links import telegram_start_token_read
from ..models import Channel, Message, TelegramLink
from .inbound import reply_receive


@transaction.atomic
def telegram_update_receive(
    *, update: dict, at: datetime | None = None
) -> Message | TelegramLink | None:
    at = at or timezone.now()
    message = update.get("message") if isinstance(update, dict) else None
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    chat_id, text = chat.get("id"), message.get("text")
    if not isinstance(chat_id, int) or not isinstance(text, str):
        return None
    if text.startswith("/start"):
        customer_id = telegram_start_token_read(text.removeprefix("/start").strip())
        customer = (
            Customer.objects.filter(pk=customer_id, erased_at__isnull=True).first()
            if customer_id
            else None
        )
        if customer is None:
            return None
        link, _created = TelegramLink.objects.update_or_create(
            customer=customer, defaults={"chat_id": chat_id, "created_at": at}
        )
        return link
    return reply_receive(
        channel=Channel.TELEGRAM,
        sender=str(chat_id),
        text=text,
        provider_id=f"{chat_id}:{message.get('message_id', update.get('update_id', ''))}",
        at=at,
    )
