"""Reservations (architecture: Catalog and stock): what confirmed orders hold of each product.

`stock_reserve` is the one check that the last unit is not promised twice. It locks the rows of
the products an order needs (in primary-key order, so two confirmations never deadlock), then
reads the reservations committed by everyone else: a second confirmation waiting on the lock
sees the first one's reservation once it commits (READ COMMITTED reads anew per statement)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core.errors import ValidationFailed

from ..extensions import stock_arrived_notify
from ..models import Product, Reservation, StockSubscription

STOCK_INSUFFICIENT = "stock_insufficient"


@dataclass(frozen=True)
class StockLine:
    """One item an order needs: `field` names it in an error (`orders[<id>].items[<n>]`)."""

    field: str
    sku: str
    quantity: int


@transaction.atomic
def stock_reserve(*, store_id: int, order_id: UUID, lines: Sequence[StockLine]) -> None:
    """Hold `lines` for the order, replacing what it held; refuse (422, every short item named)
    if any product has fewer units available. SKUs the catalog does not know are not tracked."""
    needed: dict[str, int] = {}
    for line in lines:
        needed[line.sku] = needed.get(line.sku, 0) + line.quantity
    products = {
        p.sku: p
        for p in Product.objects.select_for_update()
        .filter(store_id=store_id, sku__in=needed)
        .order_by("pk")
    }
    Reservation.objects.filter(order_id=order_id).delete()
    reserved = reserved_by_product(product_ids=[p.pk for p in products.values()])
    errors = []
    for line in lines:
        product = products.get(line.sku)
        if product is None:
            continue
        available = product.stock_quantity - reserved.get(product.pk, 0)
        if needed[line.sku] > available:
            errors.append(_shortage(line, available=max(available, 0)))
    if errors:
        raise ValidationFailed(errors, message=_("Not enough stock for this order."))
    Reservation.objects.bulk_create(
        Reservation(product=products[sku], order_id=order_id, quantity=quantity)
        for sku, quantity in needed.items()
        if sku in products
    )


def _shortage(line: StockLine, *, available: int) -> dict:
    message = _("%(sku)s: %(needed)s needed, %(available)s available.") % {
        "sku": line.sku, "needed": line.quantity, "available": available,
    }  # fmt: skip
    return {
        "field": line.field, "code": STOCK_INSUFFICIENT, "message": message,
        "sku": line.sku, "available": available,
    }  # fmt: skip


def reserved_by_product(*, product_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Reservation.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["product_id"]: row["units"] for row in rows}


@transaction.atomic
def stock_release(*, order_id: UUID) -> int:
    """The order no longer holds anything (cancelled, shipped, returned); answers the units
    released. Waiting customers of a product that became available hear of it."""
    held = list(Reservation.objects.filter(order_id=order_id).values_list("product_id", flat=True))
    if not held:
        return 0
    waiting = list(
        StockSubscription.objects.filter(product_id__in=held, notified_at__isnull=True)
        .values_list("product_id", flat=True)
        .distinct()
    )
    deleted, _rows = Reservation.objects.filter(order_id=order_id).delete()
    stock_arrivals_notify(product_ids=waiting)
    return deleted


@transaction.atomic
def stock_subscribe(*, product: Product, order_id: UUID) -> StockSubscription:
    """Subscribing twice while waiting keeps the one subscription."""
    found = StockSubscription.objects.filter(
        product=product, order_id=order_id, notified_at__isnull=True
    ).first()
    return found or StockSubscription.objects.create(product=product, order_id=order_id)


def stock_waiting_products(*, store_id: int, skus: Sequence[str]) -> list[int]:
    """Products among `skus` that someone waits for and that have nothing available now."""
    ids = list(
        StockSubscription.objects.filter(
            product__store_id=store_id, product__sku__in=skus, notified_at__isnull=True
        )
        .values_list("product_id", flat=True)
        .distinct()
    )
    return [pid for pid, units in _available(ids).items() if units <= 0]


def _available(product_ids: Sequence[int]) -> dict[int, int]:
    reserved = reserved_by_product(product_ids=product_ids)
    stock = Product.objects.filter(pk__in=product_ids).values_list("pk", "stock_quantity")
    return {pk: quantity - reserved.get(pk, 0) for pk, quantity in stock}


def stock_arrivals_notify(*, product_ids: Sequence[int], at: datetime | None = None) -> None:
    """For the products that have units available now, every waiting subscription is marked
    notified and handed to the registered parts (calling opens the calls)."""
    arrived = [pid for pid, units in _available(product_ids).items() if units > 0]
    if not arrived:
        return
    at = at or timezone.now()
    subscriptions = list(
        StockSubscription.objects.select_for_update()
        .filter(product_id__in=arrived, notified_at__isnull=True)
        .select_related("product")
    )
    StockSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(notified_at=at)
    stock_arrived_notify(subscriptions=subscriptions, at=at)
