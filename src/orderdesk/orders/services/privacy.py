"""Erasure of a customer's personal data (SPEC: Personal data; architecture: Personal data).

Erasure replaces the name, phones, e-mail, address and free text of the customer and of their
orders, in the order's timeline, and, through the apps above orders (`extensions`), in call
attempts' notes and the outbox payloads not yet sent. What reports count stays: statuses,
dates, totals, items, counts, localities and zones. Every erased order gets an `erased` event
naming who erased it and how, with no personal data. Erasing again is harmless."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.stores.models import Store

from ..extensions import personal_data_erased_notify
from ..models import Customer, Order, OrderEvent, OrderEventType, OrderStatus
from .lifecycle import actor_label_of

ERASED = ""


class ErasureReason:
    """Why personal data was erased: the `reason` of the `erased` timeline event."""

    API = "api"
    ADMIN = "admin"
    RETENTION = "retention"


# Keys whose values are personal wherever they appear (order payloads, timeline data).
PERSONAL_KEYS = frozenset(
    {
        "name",
        "phone",
        "email",
        "additional_phones",
        "recipient_name",
        "recipient_phone",
        "comment",
        "address_line",
        "street",
        "house",
        "apartment",
        "entrance",
        "floor",
        "intercom",
        "delivery_comment",
        "time_wish",
        "notes",
        "note",
        "text",
        "body",
    }
)
# Containers whose keys name order fields: `name` there is a product's name, not a person's.
_ITEM_KEYS = frozenset({"items", "item"})
ORDER_PERSONAL_FIELDS = {
    "customer_name": "",
    "customer_email": "",
    "recipient_name": "",
    "recipient_phone": "",
    "comment": "",
    "address_line": "",
    "street": "",
    "house": "",
    "apartment": "",
    "entrance": "",
    "floor": "",
    "intercom": "",
    "delivery_comment": "",
    "time_wish": "",
}


def _blank(value: Any) -> Any:
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {}
    if isinstance(value, str):
        return ERASED
    return None


def personal_data_scrub(data: Any, values: Sequence[str] = (), *, in_item: bool = False) -> Any:
    """`data` (JSON) with personal values replaced: every key of `PERSONAL_KEYS` (but a
    product's `name` inside items), and any string containing one of `values`."""
    if isinstance(data, dict):
        scrubbed = {}
        for key, value in data.items():
            if key in PERSONAL_KEYS and not (in_item and key == "name"):
                scrubbed[key] = _blank(value)
            else:
                scrubbed[key] = personal_data_scrub(
                    value, values, in_item=in_item or key in _ITEM_KEYS
                )
        return scrubbed
    if isinstance(data, list):
        return [personal_data_scrub(v, values, in_item=in_item) for v in data]
    if isinstance(data, str) and any(v and v in data for v in values):
        return ERASED
    return data


def customer_personal_values(customer: Customer) -> list[str]:
    """The strings that identify the customer, to find them in free text and payloads."""
    values = [customer.phone, customer.name, customer.email, *customer.additional_phones]
    return [v for v in values if isinstance(v, str) and len(v) >= 3 and not v.startswith("erased:")]


def orders_personal_data_erase(
    *,
    orders: Sequence[Order],
    values: Sequence[str],
    reason: str,
    actor: User | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> int:
    """Erase what the orders keep about their customer; in the caller's transaction. Answers how
    many orders were erased."""
    if not orders:
        return 0
    at = at or timezone.now()
    order_ids = [o.pk for o in orders]
    values = list(values) + [
        v
        for o in orders
        for v in (o.customer_name, o.customer_email, o.recipient_name, o.recipient_phone)
        if v and len(v) >= 3
    ]
    Order.objects.filter(pk__in=order_ids).update(
        **ORDER_PERSONAL_FIELDS, erased_at=at, updated_at=at
    )
    events = list(
        OrderEvent.objects.filter(order_id__in=order_ids).exclude(
            type__in=[OrderEventType.VIEWED, OrderEventType.ERASED]
        )
    )
    changed = []
    for event in events:
        data = personal_data_scrub(event.data, values)
        if data != event.data:
            event.data = data
            changed.append(event)
    OrderEvent.objects.bulk_update(changed, ["data"], batch_size=500)
    personal_data_erased_notify(orders=orders, values=values, at=at)
    label = actor_label_of(actor, actor_label)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=order_id,
            type=OrderEventType.ERASED,
            actor=actor,
            actor_label=label,
            data={"reason": reason},
            created_at=at,
        )
        for order_id in order_ids
    )
    return len(order_ids)


def _customer_blank(customer: Customer, at: datetime) -> None:
    customer.name = ""
    customer.email = ""
    customer.additional_phones = []
    customer.phone = f"erased:{customer.pk}"[:20]
    customer.erased_at = at
    customer.save(update_fields=["name", "email", "additional_phones", "phone", "erased_at"])


@transaction.atomic
def customers_erase(
    *,
    customers: Iterable[Customer],
    reason: str,
    actor: User | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> dict[str, int]:
    """Erase the customers and every one of their orders. Answers the counts erased."""
    at = at or timezone.now()
    ids = [c.pk for c in customers]
    locked = list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    erased_orders = 0
    for customer in locked:
        values = customer_personal_values(customer)
        orders = list(Order.objects.select_for_update().filter(customer=customer).order_by("pk"))
        erased_orders += orders_personal_data_erase(
            orders=orders, values=values, reason=reason, actor=actor, actor_label=actor_label, at=at
        )
        _customer_blank(customer, at)
    return {"customers": len(locked), "orders": erased_orders}


def _months_before(at: datetime, months: int) -> datetime:
    month_index = at.year * 12 + at.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (at.day, 30, 29, 28):
        try:
            return at.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


FINISHED_STATUSES = (OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.CANCELLED)


def retention_erase_batch(*, batch_size: int = 200, at: datetime | None = None) -> int:
    """One bounded batch of retention: the orders finished (delivered, returned, cancelled)
    longer ago than their store's `retention_months` lose the customer's personal data, and a
    customer with no order left unerased is erased too. Rows are claimed with SKIP LOCKED, so
    several workers share the work. Answers how many orders were erased."""
    at = at or timezone.now()
    erased = 0
    for store in Store.objects.filter(retention_months__gt=0).only("pk", "retention_months"):
        cutoff = _months_before(at, store.retention_months)
        with transaction.atomic():
            orders = list(
                Order.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("customer")
                .filter(
                    store_id=store.pk,
                    status__in=FINISHED_STATUSES,
                    status_changed_at__lt=cutoff,
                    erased_at__isnull=True,
                )
                .order_by("status_changed_at")[: batch_size - erased]
            )
            if not orders:
                continue
            by_customer: dict[int, list[Order]] = {}
            for order in orders:
                by_customer.setdefault(order.customer_id, []).append(order)
            for customer_orders in by_customer.values():
                customer = customer_orders[0].customer
                erased += orders_personal_data_erase(
                    orders=customer_orders,
                    values=customer_personal_values(customer),
                    reason=ErasureReason.RETENTION,
                    actor_label="retention",
                    at=at,
                )
            done = (
                Customer.objects.filter(pk__in=by_customer, erased_at__isnull=True)
                .exclude(orders__erased_at__isnull=True)
                .select_for_update(skip_locked=True)
            )
            for customer in done:
                _customer_blank(customer, at)
        if erased >= batch_size:
            break
    return erased
