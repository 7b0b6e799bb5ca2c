"""Reads of messaging: a store's settings, the template for an event, an order's messages, the
private link of each order."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q

from orderdesk.calling.checks import ADDRESS_FIELDS, APARTMENT_FIELDS, address_errors
from orderdesk.calling.selectors import calling_policy_get
from orderdesk.delivery.selectors import order_delivery_dates
from orderdesk.orders.models import Order, OrderStatus

from .links import self_service_url
from .models import Message, MessageTemplate, OptOut, StoreMessaging

FALLBACK_LANGUAGE = "ru"


def messaging_settings_get(*, store_id: int) -> StoreMessaging:
    """The store's settings; unsaved defaults when it has not configured messaging."""
    found = StoreMessaging.objects.filter(store_id=store_id).first()
    return found or StoreMessaging(store_id=store_id)


def messaging_settings_for(*, store_ids: Iterable[int]) -> dict[int, StoreMessaging]:
    ids = list(store_ids)
    found = {s.store_id: s for s in StoreMessaging.objects.filter(store_id__in=ids)}
    return {sid: found.get(sid) or StoreMessaging(store_id=sid) for sid in ids}


def templates_for(
    *, store_ids: Iterable[int], event: str
) -> dict[tuple[int | None, str], MessageTemplate]:
    """(store id or None for the shipped default, language) → template, for one event."""
    rows = MessageTemplate.objects.filter(
        Q(store_id__in=list(store_ids)) | Q(store__isnull=True), event=event
    )
    return {(t.store_id, t.language): t for t in rows}


def template_choose(
    templates: dict[tuple[int | None, str], MessageTemplate], *, store_id: int, language: str
) -> MessageTemplate | None:
    """The store's own template in the customer's language, else the default in it, else the
    same two in Russian."""
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        for owner in (store_id, None):
            template = templates.get((owner, lang))
            if template is not None:
                return template
    return None


def opted_out_customer_ids(*, customer_ids: Iterable[int]) -> set[int]:
    return set(
        OptOut.objects.filter(customer_id__in=list(customer_ids)).values_list(
            "customer_id", flat=True
        )
    )


def order_messages_list(*, order: Order) -> list[Message]:
    return list(Message.objects.filter(order=order).order_by("created_at", "id"))


def order_self_service_parts(orders: Sequence[Order]) -> dict[Any, dict[str, Any]]:
    """`self_service_url` in each order's representation (no query: the link is signed)."""
    return {
        order.pk: {
            "self_service_url": self_service_url(order_id=order.pk, issued_at=order.created_at)
        }
        for order in orders
    }


def self_service_missing(order: Order) -> list[str]:
    """What the customer still has to give before the order can be confirmed: the address
    fields seed 002 requires (the call's own check), and a delivery date."""
    missing = [
        "address." + error["field"].rsplit(".", 1)[1] for error in address_errors(order=order)
    ]
    if not (order.delivery_on or order.requested_delivery_on):
        missing.append("delivery_date")
    return missing


def self_service_data(*, order: Order, now: datetime) -> dict[str, Any]:
    """The customer's view of their order: no phone, no e-mail, nothing another person
    holding the link should learn beyond the order itself."""
    dates = order_delivery_dates(order=order, at=now)
    policy = calling_policy_get(store=order.store_id)
    day = order.delivery_on or order.requested_delivery_on
    return {
        "order": {
            "id": str(order.pk),
            "number": order.external_id,
            "store": order.store.name,
            "status": order.status,
            "language": order.customer.language,
            "items": [
                {"name": item.name, "quantity": item.quantity, "price": f"{item.price:.2f}"}
                for item in order.items.all()
            ],
            "total": f"{order.total:.2f}",
            "currency": order.currency,
            "delivery": {
                "locality": order.locality.name_ru if order.locality_id else order.locality_name,
                **{
                    name: getattr(order, name)
                    for name in (*ADDRESS_FIELDS, *APARTMENT_FIELDS, "apartment")
                },
                "date": day.isoformat() if day else None,
                "time_wish": order.time_wish,
            },
        },
        "decided": order.status != OrderStatus.AWAITING_CONFIRMATION,
        "allowed_dates": [d.isoformat() for d in dates.allowed] if dates else [],
        "earliest_date": dates.earliest.isoformat() if dates else None,
        "missing": self_service_missing(order),
        "cancel_reasons": [
            {"code": code, "label": str(label)} for code, label in policy.cancel_reason_choices()
        ],
    }


def customer_messages_export(orders: Sequence[Order]) -> dict[str, list[dict[str, Any]]]:
    """The messages to and from the customer about these orders, for their export (registered
    with orders.extensions.export_part)."""
    if not orders:
        return {}
    rows = Message.objects.filter(order_id__in=[o.pk for o in orders]).order_by("created_at", "pk")
    return {
        "messages": [
            {
                "order_id": str(m.order_id),
                "direction": m.direction,
                "channel": m.channel,
                "event": m.event,
                "to": m.to,
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "at": m.created_at.isoformat(),
            }
            for m in rows
        ]
    }


def orders_conversation(*, order_ids: Iterable, limit: int = 30) -> list[Message]:
    """The messages to and from the customer about these orders, newest first (the card)."""
    return list(
        Message.objects.filter(order_id__in=list(order_ids)).order_by("-created_at", "-id")[:limit]
    )


def customer_opted_out(*, customer_id: int) -> bool:
    return OptOut.objects.filter(customer_id=customer_id).exists()
