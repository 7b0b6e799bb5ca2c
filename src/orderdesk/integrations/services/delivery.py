"""Webhook delivery: the outbox (StoreEvent rows written with each change) fanned out to one
delivery row per subscribed endpoint, then sent by `orderdesk worker`.

At least once, never for a change that rolled back: a StoreEvent exists only if its change
committed, and a delivery is marked done only after the receiver answered 2xx. A worker that
dies after sending but before recording leaves its lease to expire; the next worker sends the
same event again with the same `webhook-id`, which receivers use to drop repeats.

Sending happens outside any transaction (a receiver may take 15 s; no lock is held for that):
a short conditional update claims a delivery (a lease), a second short transaction records the
answer. Events of one order reach an endpoint in order: a delivery waits while an earlier event
of the same order is still owed to that endpoint."""

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from orderdesk.orders.models import StoreEvent

from ..models import (
    AttemptOutcome,
    DeliveryStatus,
    LogKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookLogEntry,
)
from ..net import AddressRefused, SendResult, post, target_check
from ..schedule import (
    RETRY_DELAYS,
    endpoint_should_disable,
    retry_at,
    status_is_retryable,
)

logger = logging.getLogger(__name__)

# A transaction may commit this long after it stamped its StoreEvent's created_at; the fan-out
# looks back this far so such late commits are still picked up (the unique constraint dedupes).
FANOUT_MARGIN = timedelta(minutes=10)
# A claimed delivery is held this long: longer than the total send time limit.
LEASE = timedelta(seconds=60)
USER_AGENT = "orderdesk-webhooks/1"
DISABLED_MESSAGE = "disabled after failing deliveries for 3 days; re-enable it to resume"
# How long the delivery log and finished deliveries are kept.
HISTORY_KEPT = timedelta(days=30)


def webhook_deliveries_fan_out(*, now: datetime | None = None) -> int:
    """A delivery row for every new subscribed store event of every active endpoint."""
    now = now or timezone.now()
    created = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).only(
        "id", "store_id", "events", "created_at", "fanned_out_at"
    ):
        created += _endpoint_fan_out(endpoint=endpoint, now=now)
    return created


def _endpoint_fan_out(*, endpoint: WebhookEndpoint, now: datetime) -> int:
    since = max(
        (endpoint.fanned_out_at or endpoint.created_at) - FANOUT_MARGIN, endpoint.created_at
    )
    already = WebhookDelivery.objects.filter(endpoint_id=endpoint.pk, event_id=OuterRef("pk"))
    events = (
        StoreEvent.objects.filter(
            store_id=endpoint.store_id, created_at__gte=since, type__in=endpoint.events
        )
        .filter(~Exists(already))
        .order_by("created_at", "id")
        .values_list("id", "order_id", "created_at")
    )
    rows = [
        WebhookDelivery(
            endpoint_id=endpoint.pk,
            event_id=pk,
            order_id=order_id,
            event_created_at=created_at,
            next_attempt_at=now,
        )
        for pk, order_id, created_at in events
    ]
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(fanned_out_at=now)
    return len(rows)


def _earlier_owed() -> Exists:
    earlier = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        order_id=OuterRef("order_id"),
        status=DeliveryStatus.PENDING,
    ).filter(
        Q(event_created_at__lt=OuterRef("event_created_at"))
        | Q(event_created_at=OuterRef("event_created_at"), event_id__lt=OuterRef("event_id"))
    )
    return Exists(earlier)


def webhook_deliveries_claim(*, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Claim due deliveries whose order has no earlier event owed to the same endpoint.

    The claim is a conditional UPDATE whose row count decides the winner, so any number of
    workers may run at once."""
    now = now or timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    candidates = list(
        WebhookDelivery.objects.filter(
            free,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .filter(~_earlier_owed())
        .order_by("next_attempt_at", "event_created_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    claimed = []
    for pk in candidates:
        won = WebhookDelivery.objects.filter(free, pk=pk, status=DeliveryStatus.PENDING).update(
            locked_until=now + LEASE
        )
        if won:
            claimed.append(pk)
    return claimed


def webhook_body(event: StoreEvent) -> bytes:
    """The same bytes on every attempt: the event as it was when it happened."""
    document = {
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_signature(*, endpoint: WebhookEndpoint, msg_id: str, at: datetime, body: bytes) -> str:
    """`v1,<sig>`; during a rotation also the old secret's, space-separated (Standard Webhooks)."""
    text = body.decode()
    signatures = [Webhook(endpoint.secret).sign(msg_id, at, text)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > timezone.now():
        signatures.append(Webhook(endpoint.previous_secret).sign(msg_id, at, text))
    return " ".join(signatures)


@dataclass
class DeliveryRequest:
    """Everything one attempt needs, read from the database before any network traffic."""

    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class DeliveryOutcome:
    delivery_id: int
    result: SendResult
    request_headers: dict[str, str]
    request_url: str
    request_body_bytes: int


Sender = Callable[..., SendResult]


def webhook_delivery_prepare(*, delivery_id: int) -> DeliveryRequest | None:
    """The signed request for one claimed delivery (None if its endpoint was deleted)."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return None
    endpoint, event = delivery.endpoint, delivery.event
    body = webhook_body(event)
    at = datetime.now(UTC).replace(microsecond=0)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": str(event.pk),
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": webhook_signature(
            endpoint=endpoint, msg_id=str(event.pk), at=at, body=body
        ),
    }
    return DeliveryRequest(delivery_id=delivery_id, url=endpoint.url, body=body, headers=headers)


def webhook_delivery_send(*, request: DeliveryRequest, sender: Sender = post) -> DeliveryOutcome:
    """One attempt, network only (no database): the address is checked again after DNS
    resolution, and the connection goes to the address that passed the check."""
    try:
        target = target_check(request.url)
    except AddressRefused as exc:
        result = SendResult(error=f"refused: {exc.message}")
    else:
        result = sender(target, body=request.body, headers=request.headers)
    return DeliveryOutcome(
        delivery_id=request.delivery_id,
        result=result,
        request_headers={k: v for k, v in request.headers.items() if k != "webhook-signature"},
        request_url=request.url,
        request_body_bytes=len(request.body),
    )


@transaction.atomic
def webhook_delivery_record(
    *, outcome: DeliveryOutcome, now: datetime | None = None, delays: Sequence = RETRY_DELAYS
) -> WebhookDelivery | None:
    """Write the attempt's result and what happens next, in one transaction: done, retry at a
    later time, or failed for good; an endpoint failing for 3 days is disabled and says so."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event")
        .filter(pk=outcome.delivery_id)
        .first()
    )
    if delivery is None:  # the endpoint was deleted meanwhile
        return None
    result = outcome.result
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.last_response_status = now, result.status
    delivery.locked_until = None
    if result.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.SUCCEEDED, now, None,
        )  # fmt: skip
        attempt_outcome = AttemptOutcome.SUCCEEDED
    else:
        again = (
            retry_at(attempts=delivery.attempts, now=now, delays=delays)
            if status_is_retryable(result.status)
            else None
        )
        delivery.next_attempt_at = again
        delivery.status = DeliveryStatus.PENDING if again else DeliveryStatus.FAILED
        attempt_outcome = AttemptOutcome.RETRY if again else AttemptOutcome.FAILED
    delivery.save(
        update_fields=[
            "attempts", "last_attempt_at", "last_response_status", "locked_until", "status",
            "delivered_at", "next_attempt_at",
        ]
    )  # fmt: skip
    _attempt_log(delivery=delivery, outcome=outcome, attempt_outcome=attempt_outcome, now=now)
    _endpoint_health_record(endpoint=delivery.endpoint, succeeded=result.succeeded, now=now)
    return delivery


def _attempt_log(
    *, delivery: WebhookDelivery, outcome: DeliveryOutcome, attempt_outcome: str, now: datetime
) -> None:
    result = outcome.result
    WebhookLogEntry.objects.create(
        endpoint_id=delivery.endpoint_id,
        delivery=delivery,
        kind=LogKind.ATTEMPT,
        event_id=delivery.event_id,
        event_type=delivery.event.type,
        attempt=delivery.attempts,
        request_url=outcome.request_url,
        request_headers=outcome.request_headers,
        request_body_bytes=outcome.request_body_bytes,
        response_status=result.status,
        response_body=result.body,
        error=result.error[:300],
        duration_ms=result.duration_ms,
        outcome=attempt_outcome,
        next_attempt_at=delivery.next_attempt_at if attempt_outcome == "retry" else None,
        created_at=now,
    )


def _endpoint_health_record(*, endpoint: WebhookEndpoint, succeeded: bool, now: datetime) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if succeeded:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return
    endpoints.update(failing_since=Coalesce(F("failing_since"), now))
    endpoint.refresh_from_db(fields=["failing_since", "is_active"])
    if endpoint.is_active and endpoint_should_disable(
        failing_since=endpoint.failing_since, now=now
    ):
        disabled = endpoints.filter(is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=DISABLED_MESSAGE
        )
        if disabled:
            WebhookLogEntry.objects.create(
                endpoint=endpoint, kind=LogKind.DISABLED, message=DISABLED_MESSAGE, created_at=now
            )
            logger.warning("webhook endpoint %s disabled after 3 days of failures", endpoint.pk)


def webhooks_dispatch(
    *,
    now: datetime | None = None,
    limit: int = 16,
    sender: Sender = post,
    delays: Sequence[timedelta] = RETRY_DELAYS,
    workers: int = 8,
) -> int:
    """One pass of the worker: fan out new events, claim what is due, send the requests side
    by side (a slow receiver does not hold up the others), record each answer. Returns the
    number of attempts made."""
    webhook_deliveries_fan_out(now=now)
    requests = [
        request
        for delivery_id in webhook_deliveries_claim(now=now, limit=limit)
        if (request := webhook_delivery_prepare(delivery_id=delivery_id)) is not None
    ]
    if not requests:
        return 0
    with ThreadPoolExecutor(max_workers=min(workers, len(requests))) as pool:
        outcomes = list(
            pool.map(lambda r: webhook_delivery_send(request=r, sender=sender), requests)
        )
    for outcome in outcomes:
        webhook_delivery_record(outcome=outcome, now=now, delays=delays)
    return len(outcomes)


@transaction.atomic
def webhook_history_purge(*, now: datetime | None = None, kept: timedelta = HISTORY_KEPT) -> int:
    """Forget log entries and finished deliveries older than `kept`; owed deliveries stay. The
    fan-out never looks that far back, so a purged delivery is not created again."""
    cutoff = (now or timezone.now()) - kept
    log, _ = WebhookLogEntry.objects.filter(created_at__lt=cutoff).delete()
    finished, _ = WebhookDelivery.objects.filter(
        status__in=(DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED), event_created_at__lt=cutoff
    ).delete()
    return log + finished
