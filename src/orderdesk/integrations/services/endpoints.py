"""Webhook endpoints: register (address checked), edit, delete, rotate the secret, replay."""

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from orderdesk.core.errors import ApplicationError, NotFoundError
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import StoreEvent
from orderdesk.stores.models import Store

from ..models import (
    DeliveryStatus,
    LogKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookLogEntry,
)
from ..net import URL_INVALID, AddressRefused, Resolver, target_check

WEBHOOK_EVENTS_INVALID = "webhook_events_invalid"
WEBHOOK_EVENT_NOT_FOUND = "webhook_event_not_found"
WEBHOOK_REPLAY_TARGET_MISSING = "webhook_replay_target_missing"
# How long the secret replaced by a rotation keeps signing next to the new one.
SECRET_OVERLAP = timedelta(hours=24)
REPLAY_MAX_EVENTS = 10_000
URL_MAX_LENGTH = WebhookEndpoint._meta.get_field("url").max_length


def webhook_secret_generate() -> str:
    """`whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _url_checked(url: str, resolver: Resolver | None) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ApplicationError(
            URL_INVALID, f"url: at most {URL_MAX_LENGTH} characters", status_code=422, field="url"
        )
    try:
        target_check(url, resolver=resolver)
    except AddressRefused as exc:
        raise ApplicationError(exc.code, exc.message, status_code=422, field="url") from exc
    return url


def _events_checked(events: list[str] | None) -> list[str]:
    """Stored in the enum's order, whatever order they came in; none given means all."""
    known = StoreEventType.values
    if events is None:
        return known
    unknown = sorted(set(events) - set(known))
    if unknown or not events:
        raise ApplicationError(
            WEBHOOK_EVENTS_INVALID,
            f"events: choose from {', '.join(known)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            status_code=422,
            field="events",
        )
    return [e for e in known if e in set(events)]


@transaction.atomic
def webhook_endpoint_create(
    *,
    store: Store,
    url: str,
    events: list[str] | None = None,
    description: str = "",
    resolver: Resolver | None = None,
) -> WebhookEndpoint:
    """New endpoints hear about events from now on; older ones reach them only by a replay."""
    now = timezone.now()
    return WebhookEndpoint.objects.create(
        store=store,
        url=_url_checked(url, resolver),
        events=_events_checked(events),
        description=description.strip()[:200],
        secret=webhook_secret_generate(),
        fanned_out_at=now,
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    changes: dict[str, Any],
    by: str = "the store",
    resolver: Resolver | None = None,
) -> WebhookEndpoint:
    """Re-enabling an endpoint resumes its owed deliveries at once and starts a fresh failure
    count; the delivery log records that it happened."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields: list[str] = []
    if "url" in changes:
        endpoint.url = _url_checked(changes["url"], resolver)
        fields.append("url")
    if "events" in changes:
        endpoint.events = _events_checked(changes["events"])
        fields.append("events")
    if "description" in changes:
        endpoint.description = (changes["description"] or "").strip()[:200]
        fields.append("description")
    if "is_active" in changes and bool(changes["is_active"]) != endpoint.is_active:
        _endpoint_activity_set(endpoint=endpoint, active=bool(changes["is_active"]), by=by)
        fields += ["is_active", "disabled_at", "disabled_reason", "failing_since"]
    if fields:
        endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


def _endpoint_activity_set(*, endpoint: WebhookEndpoint, active: bool, by: str) -> None:
    now = timezone.now()
    endpoint.is_active, endpoint.failing_since = active, None
    if active:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            next_attempt_at=now
        )
        WebhookLogEntry.objects.create(
            endpoint=endpoint, kind=LogKind.ENABLED, message=f"enabled by {by}", created_at=now
        )
    else:
        endpoint.disabled_at, endpoint.disabled_reason = now, f"disabled by {by}"
        WebhookLogEntry.objects.create(
            endpoint=endpoint,
            kind=LogKind.DISABLED,
            message=f"disabled by {by}",
            created_at=now,
        )


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Its deliveries and log go with it; the store events themselves stay."""
    endpoint.delete()


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret signs from now on; the old one signs too (a second signature) for a day,
    so the receiver can switch without losing a delivery."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + SECRET_OVERLAP
    endpoint.secret = webhook_secret_generate()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint


@transaction.atomic
def webhook_replay(
    *, endpoint: WebhookEndpoint, event_id=None, since: datetime | None = None
) -> int:
    """Send one event again, or every subscribed event of the store since a moment. Each keeps
    its webhook-id, so a receiver that already has it drops the repeat. Returns how many."""
    events = StoreEvent.objects.filter(store_id=endpoint.store_id)
    if event_id is not None:
        events = events.filter(pk=event_id)
        if not events.exists():
            raise NotFoundError(WEBHOOK_EVENT_NOT_FOUND, f"event {event_id} not found")
    elif since is not None:
        events = events.filter(created_at__gte=since, type__in=endpoint.events)
    else:
        raise ApplicationError(
            WEBHOOK_REPLAY_TARGET_MISSING, "event_id or since is required", status_code=422
        )
    rows = list(
        events.order_by("created_at", "id").values_list("id", "order_id", "created_at")[
            :REPLAY_MAX_EVENTS
        ]
    )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint, event_id=pk, order_id=order_id, event_created_at=created_at
            )
            for pk, order_id, created_at in rows
        ],
        ignore_conflicts=True,
    )
    WebhookDelivery.objects.filter(endpoint=endpoint, event_id__in=[r[0] for r in rows]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, delivered_at=None
    )
    WebhookLogEntry.objects.create(
        endpoint=endpoint,
        kind=LogKind.REPLAY,
        event_id=event_id,
        message=(
            f"replay of event {event_id}"
            if event_id is not None
            else f"replay of {len(rows)} events since {since.isoformat()}"
        ),
        created_at=now,
    )
    return len(rows)
