"""Every write to orders: status transitions, the timeline, the store outbox."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError

from ..events import StoreEventType
from ..extensions import order_status_changed_notify
from ..models import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    StoreEvent,
)
from ..representations import order_data
from .stock import order_stock_follow

ORDER_TRANSITION_NOT_ALLOWED = "order_transition_not_allowed"
ORDER_CANCEL_REASON_MISSING = "order_cancel_reason_missing"

# The store event a status reaching this value publishes.
STATUS_EVENTS = {
    OrderStatus.CONFIRMED: StoreEventType.CONFIRMED,
    OrderStatus.CANCELLED: StoreEventType.CANCELLED,
    OrderStatus.IN_FULFILMENT: StoreEventType.IN_FULFILMENT,
    OrderStatus.SHIPPED: StoreEventType.SHIPPED,
    OrderStatus.DELIVERED: StoreEventType.DELIVERED,
    OrderStatus.RETURNED: StoreEventType.RETURNED,
}


def actor_label_of(actor: User | None, label: str = "") -> str:
    return label or (actor.username if actor else "system")


def order_lock(*, order_id) -> Order:
    """The order row, locked for the rest of the transaction."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("store", "customer", "locality", "carrier")
        .get(pk=order_id)
    )


def order_event_record(
    *,
    order: Order,
    type: str,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        type=type,
        actor=actor,
        actor_label=actor_label_of(actor, actor_label),
        data=data or {},
        created_at=at or timezone.now(),
    )


def store_event_publish(
    *, order: Order, type: StoreEventType, at: datetime | None = None
) -> StoreEvent:
    """Outbox row in the caller's transaction: published if and only if the change commits."""
    return StoreEvent.objects.create(
        store_id=order.store_id,
        order=order,
        type=type,
        payload=order_data(order),
        created_at=at or timezone.now(),
    )


STATUS_CHANGE_FIELDS = ("status", "status_changed_at", "cancel_reason", "confirmed_at")


@transaction.atomic
def order_status_change(
    *,
    order: Order,
    to: str,
    actor: User | None = None,
    actor_label: str = "",
    reason: str = "",
    extra_fields: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Order:
    """The one way a status changes: checked against ORDER_TRANSITIONS, recorded, published.

    `extra_fields` are set on the order in the same save (e.g. the agreed delivery date). The
    apps that follow the order hear of the change before the store's event is written
    (extensions.on_status_changed: calling closes the calls the change made pointless)."""
    order = order_lock(order_id=order.pk)
    if not order.can_transition_to(to):
        raise ApplicationError(
            ORDER_TRANSITION_NOT_ALLOWED,
            f"status: an order cannot move from {order.status} to {to}",
            status_code=409,
            order=str(order.pk),
            status=order.status,
            to=to,
        )
    if to == OrderStatus.CANCELLED and not reason.strip():
        raise ApplicationError(
            ORDER_CANCEL_REASON_MISSING, "reason: a cancellation needs a reason", status_code=422
        )
    now = timezone.now()
    before = {"status": order.status}
    order.status, order.status_changed_at = to, now
    if to == OrderStatus.CANCELLED:
        order.cancel_reason = reason.strip()
    if to == OrderStatus.CONFIRMED:
        order.confirmed_at = now
    for name, value in (extra_fields or {}).items():
        setattr(order, name, value)
    order.save(update_fields=[*STATUS_CHANGE_FIELDS, *(extra_fields or {}), "updated_at"])
    order_stock_follow(order=order, previous=before["status"])
    order_status_changed_notify(order=order, previous=before["status"], at=now)
    event_data = {
        "from": before["status"],
        "to": to,
        **({"reason": reason} if reason else {}),
        **(data or {}),
    }
    order_event_record(
        order=order,
        type=OrderEventType.STATUS_CHANGED,
        actor=actor,
        actor_label=actor_label,
        data=event_data,
        at=now,
    )
    if to in STATUS_EVENTS:
        store_event_publish(order=order, type=STATUS_EVENTS[to], at=now)
    return order


ORDER_EDITABLE_FIELDS = frozenset(
    {
        "recipient_name", "recipient_phone", "comment", "street", "house", "apartment", "entrance",
        "floor", "intercom", "elevator", "is_out_of_city", "delivery_comment", "time_wish",
        "requested_delivery_on", "delivery_on", "payment_method", "needs_address_check",
    }
)  # fmt: skip
ORDER_FIELD_NOT_EDITABLE = "order_field_not_editable"
ORDER_NOT_EDITABLE = "order_not_editable"


@transaction.atomic
def order_update(
    *,
    order: Order,
    changes: dict[str, Any],
    actor: User | None = None,
    actor_label: str = "",
    reason: str = "",
    redelivery: bool = False,
) -> Order:
    """Edit an open order's details; the timeline keeps every old and new value. A shipped
    order is edited only for its `redelivery` (a delivery problem's new date or address)."""
    unknown = sorted(set(changes) - ORDER_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            ORDER_FIELD_NOT_EDITABLE, f"{unknown[0]}: cannot be edited", status_code=422
        )
    order = order_lock(order_id=order.pk)
    if order.status not in (
        OrderStatus.NEW,
        OrderStatus.AWAITING_CONFIRMATION,
        OrderStatus.CONFIRMED,
    ) and not (redelivery and order.status == OrderStatus.SHIPPED):
        raise ApplicationError(
            ORDER_NOT_EDITABLE, f"status: a {order.status} order cannot be edited", status_code=409
        )
    if changes.get("is_out_of_city") and not order.is_out_of_city:
        # An address newly outside the city needs a delivery feasibility check (SPEC §3.1).
        changes = {**changes, "needs_address_check": True}
    diff = {
        k: {"from": _plain(getattr(order, k)), "to": _plain(v)}
        for k, v in changes.items()
        if getattr(order, k) != v
    }
    if not diff:
        return order
    for name in diff:
        setattr(order, name, changes[name])
    order.save(update_fields=[*diff, "updated_at"])
    order_event_record(
        order=order, type=OrderEventType.UPDATED, actor=actor, actor_label=actor_label,
        data={"changes": diff, **({"reason": reason} if reason else {})},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return order


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
