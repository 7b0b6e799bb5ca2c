"""Messaging's part in erasing a customer's personal data (orders.extensions.
on_personal_data_erased): the addresses and texts of the erased orders' messages are replaced;
a message not yet sent is failed (no one is left to write to); the opt-out and the linked
Telegram chat go with the customer's data. Channels, events, statuses and times stay for reports."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q

from ..models import Message, MessageStatus, OptOut, TelegramLink

ERASED = "erased"


def messages_personal_data_erase(orders: Sequence, values: Sequence[str], at: datetime) -> None:
    order_ids = [o.pk for o in orders]
    Message.objects.filter(
        order_id__in=order_ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
    ).update(status=MessageStatus.FAILED, failed_at=at, error="personal data erased")
    Message.objects.filter(order_id__in=order_ids).filter(~Q(to=ERASED) | ~Q(body="")).update(
        to=ERASED, subject="", body=""
    )
    customer_ids = {o.customer_id for o in orders}
    OptOut.objects.filter(customer_id__in=customer_ids).delete()
    TelegramLink.objects.filter(customer_id__in=customer_ids).delete()
