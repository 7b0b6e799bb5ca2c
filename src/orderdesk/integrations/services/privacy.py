"""The outbox's part in erasing a customer's personal data (orders.extensions.on_personal_data_erased).

A store event not yet sent is scrubbed: one with no delivery row (not fanned out yet, or no
endpoint wants it), or with a delivery pending or failed (a failed one may be replayed). One
delivered to every endpoint it was owed to is history the store already holds: it stays as sent,
so the delivery log and the `webhook-id` keep telling the truth."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Exists, OuterRef

from orderdesk.orders.models import Order, StoreEvent
from orderdesk.orders.services.privacy import personal_data_scrub

from ..models import DeliveryStatus, WebhookDelivery


def store_events_unsent(*, order_ids: Sequence) -> "list[StoreEvent]":
    delivered = WebhookDelivery.objects.filter(event_id=OuterRef("pk"))
    unfinished = delivered.exclude(status=DeliveryStatus.SUCCEEDED)
    return list(
        StoreEvent.objects.filter(order_id__in=order_ids)
        .filter(~Exists(delivered) | Exists(unfinished))
        .order_by("created_at", "id")
    )


def outbox_personal_data_erase(
    orders: Sequence[Order], values: Sequence[str], at: datetime
) -> None:
    events = store_events_unsent(order_ids=[o.pk for o in orders])
    changed = []
    for event in events:
        payload = personal_data_scrub(event.payload, values)
        if payload != event.payload:
            event.payload = payload
            changed.append(event)
    StoreEvent.objects.bulk_update(changed, ["payload"], batch_size=500)
