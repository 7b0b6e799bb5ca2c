"""Sending queued messages, from `orderdesk worker` (architecture: Messages and self-service).

Like the store webhooks, sending happens outside any transaction: a short transaction claims
due messages (`SKIP LOCKED`, then a lease: `sending` until `claimed_until`), the channel talks
to its peer, a second short transaction records the answer if the claim is still ours. A worker
that dies mid-way leaves its claim to expire; the next run sends the same message again under
the same id (the SMS provider's `id`, the e-mail's Message-ID), so the peer can drop a repeat
and the customer gets one message per event.

A peer that is away is retried (growing delays, a few times); a refusal, or a delivery receipt
saying `failed`, fails the message and queues the same event on the customer's next channel."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from orderdesk.orders.models import Order, OrderEvent, OrderEventType

from ..channels import MOBIZON, MOBIZON_STATES, MobizonSms, SendResult, SendStatus, adapter_for
from ..links import unsubscribe_url
from ..models import Channel, Direction, Message, MessageStatus
from .notices import OPERATOR_EVENT, message_event_data, notices_queue

logger = logging.getLogger(__name__)

CLAIM = timedelta(seconds=60)  # longer than a channel's time limit
MAX_ATTEMPTS = 4
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
BATCH = 20


def messages_claim(*, now: datetime, limit: int = BATCH) -> list[Message]:
    """Due messages (queued and due, or claimed by a worker whose claim ran out), claimed."""
    with transaction.atomic():
        due = Q(status=MessageStatus.QUEUED, not_before__lte=now) | Q(
            status=MessageStatus.SENDING, claimed_until__lt=now
        )
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(due, direction=Direction.OUT)
            .order_by("not_before")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            status=MessageStatus.SENDING,
            claimed_until=now + CLAIM,
            attempts=F("attempts") + 1,
        )
        return list(Message.objects.filter(pk__in=ids).order_by("not_before"))


def messages_send_due(*, now: datetime | None = None) -> int:
    """One batch: claim, send, record. Answers how many were claimed."""
    claimed = messages_claim(now=now or timezone.now())
    for message in claimed:
        message_send(message)
    return len(claimed)


def message_send(message: Message) -> None:
    adapter = adapter_for(message.channel)
    if not adapter.is_configured():
        result = SendResult(SendStatus.FAILED, error=f"{message.channel} is not configured")
    else:
        link = unsubscribe_url(customer_id=message.customer_id)
        result = adapter.send(
            message, unsubscribe_url=link if message.channel == Channel.EMAIL else ""
        )
    if result.status != SendStatus.SENT:
        logger.warning("message %s on %s: %s", message.pk, message.channel, result.error)
    message_result_record(message=message, result=result, at=timezone.now())


@transaction.atomic
def message_result_record(*, message: Message, result: SendResult, at: datetime) -> None:
    """Record what the peer answered, if the claim is still this worker's (a claim that ran
    out and was taken again belongs to the other worker now)."""
    locked = (
        Message.objects.select_for_update()
        .filter(pk=message.pk, status=MessageStatus.SENDING, claimed_until=message.claimed_until)
        .first()
    )
    if locked is None:
        if result.status == SendStatus.SENT and result.provider_id:
            # A receipt outran the answer (WhatsApp's webhook names our id): keep the peer's id.
            Message.objects.filter(
                pk=message.pk,
                provider_id="",
                status__in=[MessageStatus.SENT, MessageStatus.DELIVERED],
            ).update(provider_id=result.provider_id)
        return
    if result.status == SendStatus.SENT:
        locked.status, locked.sent_at = MessageStatus.SENT, at
        locked.provider_id, locked.error = result.provider_id, ""
        locked.save(update_fields=["status", "sent_at", "provider_id", "error"])
        _timeline(locked, at=at)
        return
    if result.status == SendStatus.RETRY and locked.attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[min(locked.attempts, len(RETRY_DELAYS)) - 1]
        locked.status, locked.not_before, locked.error = (
            MessageStatus.QUEUED,
            at + delay,
            result.error,
        )
        locked.save(update_fields=["status", "not_before", "error"])
        return
    message_fail(message=locked, error=result.error, at=at)


def message_fail(*, message: Message, error: str, at: datetime) -> None:
    """Failed for good: on the timeline, and the same event queued on the next channel the
    customer has (an operator's free text is not re-sent elsewhere)."""
    message.status, message.failed_at, message.error = MessageStatus.FAILED, at, error[:300]
    message.save(update_fields=["status", "failed_at", "error"])
    _timeline(message, at=at, error=message.error)
    if message.event == OPERATOR_EVENT:
        return
    tried = Message.objects.filter(order_id=message.order_id, event=message.event).values_list(
        "channel", flat=True
    )
    order = Order.objects.select_related("store", "customer", "carrier").get(pk=message.order_id)
    notices_queue(orders=[order], event=message.event, at=at, skip_channels=list(tried))


RECEIPT_STATUSES = {
    MessageStatus.SENT: (MessageStatus.QUEUED, MessageStatus.SENDING),
    MessageStatus.DELIVERED: (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT),
    MessageStatus.FAILED: (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT),
}


@transaction.atomic
def message_receipt_record(
    *, message_id, status: str, error: str = "", at: datetime | None = None
) -> Message | None:
    """A provider's delivery receipt (sent, delivered, failed) lands on the message; a repeat
    or a late receipt that would move it backwards changes nothing. None: no such message."""
    at = at or timezone.now()
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        return None
    if message.status not in RECEIPT_STATUSES[status]:
        return message
    if status == MessageStatus.FAILED:
        message_fail(message=message, error=error or "the provider reports it undelivered", at=at)
        return message
    message.status = status
    if status == MessageStatus.DELIVERED:
        message.delivered_at = at
    message.sent_at = message.sent_at or at
    message.save(update_fields=["status", "delivered_at", "sent_at"])
    _timeline(message, at=at)
    return message


def _timeline(message: Message, *, at: datetime, **extra) -> None:
    data = message_event_data(message, **extra)
    data.pop("not_before", None)
    OrderEvent.objects.create(
        order_id=message.order_id,
        type=OrderEventType.MESSAGE,
        actor_label="system",
        created_at=at,
        data=data,
    )


STATUS_POLL_WINDOW = timedelta(days=3)
STATUS_POLL_BATCH = 100


def mobizon_statuses_poll(*, now: datetime | None = None) -> int:
    """Mobizon reports delivery when asked (`getsmsstatus`): the SMS sent through it in the last
    days and not yet delivered are asked about, a hundred at a time; answers land as receipts.
    Answers how many changed."""
    now = now or timezone.now()
    if not MOBIZON.is_configured():
        return 0
    waiting = {
        m.provider_id.removeprefix(MobizonSms.PREFIX): m.pk
        for m in Message.objects.filter(
            channel=Channel.SMS,
            status=MessageStatus.SENT,
            provider_id__startswith=MobizonSms.PREFIX,
            sent_at__gte=now - STATUS_POLL_WINDOW,
        ).order_by("sent_at")[:STATUS_POLL_BATCH]
    }
    waiting.pop("", None)
    if not waiting:
        return 0
    failure, data = MOBIZON.call("getsmsstatus", [("ids[]", pid) for pid in waiting])
    if failure is not None or not isinstance(data, list):
        return 0
    changed = 0
    for row in data:
        status = MOBIZON_STATES.get(str(row.get("status"))) if isinstance(row, dict) else None
        message_id = waiting.get(str(row.get("id"))) if status else None
        if message_id is not None:
            message_receipt_record(
                message_id=message_id, status=status, error=f"Mobizon {row.get('status')}", at=now
            )
            changed += 1
    return changed
