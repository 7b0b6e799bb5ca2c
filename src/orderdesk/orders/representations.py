"""The order as the API shows it and as webhooks carry it: one shape, built in one place."""

from collections.abc import Sequence
from typing import Any

from .extensions import representation_parts_read
from .models import Order, OrderEvent


def _date(value) -> str | None:
    return value.isoformat() if value else None


def orders_data(orders: Sequence[Order], *, items_by_order: dict | None = None) -> list[dict]:
    """Several orders at once: what other apps add (the call tasks) is read once for all.
    `items_by_order` (order id → items) when they are already in hand, as in bulk intake."""
    parts = representation_parts_read(orders)
    return [
        order_data(
            order,
            items=(items_by_order or {}).get(order.pk),
            parts=parts.get(order.pk, {}),
        )
        for order in orders
    ]


def order_data(
    order: Order,
    *,
    items=None,
    timeline: list[OrderEvent] | None = None,
    parts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`items` may be passed when they are already in hand (bulk intake) to spare a query;
    `parts`, what `orders_data` read for this order from the other apps (read here when not
    given): `queue_state` and `tasks` come from calling."""
    if parts is None:
        parts = representation_parts_read([order]).get(order.pk, {})
    customer = order.customer
    data: dict[str, Any] = {
        "id": str(order.pk),
        "external_id": order.external_id,
        "store": order.store.slug,
        "source": order.source,
        "status": order.status,
        "queue_state": parts.get("queue_state"),
        "cancel_reason": order.cancel_reason or None,
        "customer": {
            "name": order.customer_name or customer.name,
            "phone": customer.phone,
            "email": (order.customer_email or customer.email) or None,
            "language": order.language or customer.language,
            "additional_phones": customer.additional_phones,
        },
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone or None},
        "items": [
            {
                "sku": item.sku,
                "name": item.name,
                "category": item.category,
                "quantity": item.quantity,
                "price": f"{item.price:.2f}",
                "attributes": item.attributes,
                "added_by_operator": item.added_by_operator,
            }
            for item in (items if items is not None else order.items.all())
        ],
        "total": f"{order.total:.2f}",
        "currency": order.currency,
        "delivery": {
            "locality": order.locality.name_ru if order.locality_id else order.locality_name,
            "locality_as_given": order.locality_name,
            "locality_matched": order.locality_id is not None,
            "country": order.locality.country if order.locality_id else None,
            "timezone": order.timezone,
            "address_line": order.address_line,
            "street": order.street,
            "house": order.house,
            "apartment": order.apartment,
            "entrance": order.entrance,
            "floor": order.floor,
            "intercom": order.intercom,
            "elevator": order.elevator,
            "out_of_city": order.is_out_of_city,
            "needs_address_check": order.needs_address_check,
            "requested_date": _date(order.requested_delivery_on),
            "earliest_date": _date(order.earliest_delivery_on),
            "date": _date(order.delivery_on),
            "time_wish": order.time_wish,
            "comment": order.delivery_comment,
            "carrier": order.carrier.code if order.carrier_id else None,
        },
        "payment": {"method": order.payment_method},
        "comment": order.comment,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "tasks": parts.get("tasks", []),
        "self_service_url": parts.get("self_service_url"),
    }
    for key, value in parts.items():  # what other apps add (shipment, tracking, feedback)
        data.setdefault(key, value)
    if timeline is not None:
        data["timeline"] = [event_data(event) for event in timeline]
    return data


def event_data(event: OrderEvent) -> dict[str, Any]:
    return {
        "type": event.type,
        "at": event.created_at.isoformat(),
        "actor": event.actor.username if event.actor_id else event.actor_label or None,
        "data": event.data,
    }
