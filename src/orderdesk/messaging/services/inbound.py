"""Replies from customers (architecture: Messages and self-service): an SMS the provider
forwards, an e-mail the mail system forwards, a Telegram or WhatsApp message. Each lands as an incoming message in the
conversation of the order it answers (the message it replies to, else the customer's latest
message or order), on the order's timeline; a reply that says STOP opts the customer out.
The text is the customer's, untrusted: stored as written, escaped and isolated where shown,
never logged. A repeat of the same provider id changes nothing."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.orders.models import Customer, Order, OrderEvent, OrderEventType

from ..models import Channel, Direction, Message, MessageStatus, OptOutVia
from .notices import message_event_data
from .opt_out import customer_opt_out, reply_is_stop

REPLY_EVENT = "reply"
BODY_KEPT = 4000


def _order_answered(*, customers: list[Customer], reply_to: Message | None) -> Order | None:
    if reply_to is not None:
        return reply_to.order
    latest = (
        Message.objects.filter(customer__in=customers, direction=Direction.OUT)
        .select_related("order")
        .order_by("-created_at")
        .first()
    )
    if latest is not None:
        return latest.order
    return Order.objects.filter(customer__in=customers).order_by("-created_at").first()


@transaction.atomic
def reply_receive(
    *,
    channel: str,
    sender: str,
    text: str,
    provider_id: str,
    subject: str = "",
    reply_to_id=None,
    at: datetime | None = None,
) -> Message | None:
    """The incoming message, or None when the sender is no customer of ours."""
    at = at or timezone.now()
    key = f"in:{channel}:{provider_id}" if provider_id else None
    if key:
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing
    reply_to = (
        Message.objects.filter(pk=reply_to_id).select_related("order").first()
        if reply_to_id
        else None
    )
    if channel in (Channel.SMS, Channel.WHATSAPP):
        try:
            sender = phone_normalize(sender)
        except PhoneError:
            return None
        customers = list(Customer.objects.filter(phone=sender, erased_at__isnull=True))
    elif channel == Channel.TELEGRAM:
        customers = list(
            Customer.objects.filter(telegram_link__chat_id=int(sender), erased_at__isnull=True)
        )
    else:
        customers = list(Customer.objects.filter(email__iexact=sender, erased_at__isnull=True))
    if reply_to is not None:
        customers = [reply_to.customer] + [c for c in customers if c.pk != reply_to.customer_id]
    order = _order_answered(customers=customers, reply_to=reply_to)
    if order is None:
        return None
    message = Message.objects.create(
        store_id=order.store_id,
        order=order,
        customer_id=order.customer_id,
        direction=Direction.IN,
        event=REPLY_EVENT,
        channel=channel,
        language=order.customer.language,
        to=sender,
        subject=subject[:200],
        body=text[:BODY_KEPT],
        status=MessageStatus.DELIVERED,
        key=key,
        not_before=at,
        created_at=at,
        delivered_at=at,
    )
    OrderEvent.objects.create(
        order=order,
        type=OrderEventType.MESSAGE,
        actor_label="customer",
        created_at=at,
        data={**message_event_data(message), "direction": Direction.IN},
    )
    if reply_is_stop(text):
        for customer in customers or [order.customer]:
            customer_opt_out(customer=customer, via=OptOutVia.REPLY, at=at)
    return message
