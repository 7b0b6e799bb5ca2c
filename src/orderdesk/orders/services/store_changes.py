"""What a store changes in its own order through the API (PATCH, cancel): the same services as
the operator's edits, so the timeline, the checks and the webhooks are the operator's too."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from orderdesk.stores.models import Store

from ..models import Order, OrderStatus
from .items import customer_phone_add, order_items_replace
from .lifecycle import order_status_change, order_update


def store_actor_label(store: Store) -> str:
    return f"store:{store.slug}"


@transaction.atomic
def order_change_by_store(
    *,
    order: Order,
    store: Store,
    fields: dict[str, Any],
    items: Sequence[dict[str, Any]] | None = None,
    additional_phones: Sequence[str] = (),
) -> Order:
    """All or nothing: a refusal of any part (a status that no longer allows it) rolls back the
    parts before it. Each part that changes something is on the timeline and publishes
    `order.changed`."""
    label = store_actor_label(store)
    if fields:
        order = order_update(order=order, changes=fields, actor_label=label, reason="store")
    if items is not None:
        order = order_items_replace(order=order, items=items, actor_label=label)
    for phone in additional_phones:
        order = customer_phone_add(order=order, phone=phone, actor_label=label)
    return order


def order_cancel_by_store(*, order: Order, store: Store, reason: str) -> Order:
    """Before shipping (the transition table says from where); the calling work it makes
    pointless closes in the same transaction (orders.extensions.on_status_changed)."""
    return order_status_change(
        order=order, to=OrderStatus.CANCELLED, actor_label=store_actor_label(store), reason=reason
    )
