"""Reads of fulfilment: dispatch candidates, a store's dispatches, what the documents list."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from orderdesk.delivery.models import Carrier
from orderdesk.orders.models import Order, OrderItem, OrderStatus, PaymentMethod
from orderdesk.stores.models import Store

from .models import Dispatch

# What the courier collects at the door: the order's total, unless it was paid beforehand.
COLLECTED_ON_DELIVERY = frozenset({PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY})


def dispatch_candidates_lock(*, store: Store, carrier: Carrier, delivery_on: date) -> list[Order]:
    """The orders a dispatch takes, locked; in order of their number (the documents' order)."""
    return list(
        Order.objects.select_for_update(of=("self",))
        .filter(
            store=store,
            carrier=carrier,
            delivery_on=delivery_on,
            status=OrderStatus.CONFIRMED,
            dispatch_entry__isnull=True,
        )
        .order_by("external_id", "id")
    )


def dispatch_waiting_counts(*, store: Store) -> list[dict[str, Any]]:
    """Per carrier and delivery date, how many confirmed orders of the store wait (the screen)."""
    rows = (
        Order.objects.filter(
            store=store,
            status=OrderStatus.CONFIRMED,
            carrier__isnull=False,
            delivery_on__isnull=False,
            dispatch_entry__isnull=True,
        )
        .values("carrier__code", "carrier__name", "delivery_on")
        .annotate(orders=Count("id"))
        .order_by("delivery_on", "carrier__name")
    )
    return list(rows)


def dispatches_of_store(*, store: Store) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(store=store).select_related("carrier").order_by("-created_at")


def dispatch_get(*, dispatch_id, stores: QuerySet[Store] | list[Store]) -> Dispatch:
    """A dispatch of one of these stores; another tenant's is 'not found'."""
    dispatch = (
        Dispatch.objects.filter(pk=dispatch_id, store__in=stores)
        .select_related("store", "carrier")
        .first()
    )
    if dispatch is None:
        raise Http404(f"dispatch {dispatch_id} not found")
    return dispatch


def dispatch_orders(*, dispatch: Dispatch) -> list[Order]:
    """The dispatch's orders with what the documents print, in the dispatch's order."""
    return list(
        Order.objects.filter(dispatch_entry__dispatch=dispatch)
        .select_related("customer", "locality", "carrier", "store")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("position", "id")))
        .order_by("dispatch_entry__position")
    )


@dataclass
class PickLine:
    sku: str
    name: str
    attributes: dict[str, Any]
    quantity: int = 0
    orders: list[str] = field(default_factory=list)


def pick_lines(orders: list[Order]) -> list[PickLine]:
    """One line per SKU, name and attributes (a sofa in two fabrics is two lines), the quantity
    summed over the orders, with the order numbers the line serves."""
    lines: dict[tuple[str, str, str], PickLine] = {}
    for order in orders:
        for item in order.items.all():
            attributes = item.attributes or {}
            key = (item.sku, item.name, repr(sorted(attributes.items())))
            line = lines.setdefault(key, PickLine(item.sku, item.name, attributes))
            line.quantity += item.quantity
            if order.external_id not in line.orders:
                line.orders.append(order.external_id)
    return sorted(lines.values(), key=lambda line: (line.sku, line.name))


def cash_to_collect(order: Order) -> Decimal:
    return order.total if order.payment_method in COLLECTED_ON_DELIVERY else Decimal("0")
