"""An order's hold on the store's stock (architecture: Catalog and stock).

A confirmed order holds its items until it ships, is cancelled or is returned; the hold is
taken by the status change itself (`order_status_change`), so every way to confirm — the call's
outcome, the API, the admin — goes through the one check that the last unit is not promised
twice. Item edits re-take the hold of an order that holds one."""

from orderdesk.catalog.services import StockLine, stock_release, stock_reserve

from ..models import Order, OrderStatus

# The statuses in which an order holds its items.
HOLDING_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT})


def order_stock_lines(order: Order) -> list[StockLine]:
    return [
        StockLine(field=f"orders[{order.pk}].items[{n}]", sku=item.sku, quantity=item.quantity)
        for n, item in enumerate(order.items.all())
    ]


def order_stock_follow(*, order: Order, previous: str) -> None:
    """After a status change: take the hold on entering a holding status, drop it on leaving."""
    holds_now, held = order.status in HOLDING_STATUSES, previous in HOLDING_STATUSES
    if holds_now and not held:
        order_stock_hold(order=order)
    elif held and not holds_now:
        stock_release(order_id=order.pk)


def order_stock_hold(*, order: Order) -> None:
    """Reserve the order's items (replacing its previous hold); 422 naming every short item."""
    stock_reserve(store_id=order.store_id, order_id=order.pk, lines=order_stock_lines(order))
