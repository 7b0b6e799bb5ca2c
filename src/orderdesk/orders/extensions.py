"""What the apps above orders add to an order's life, without orders knowing them.

orders sits below calling (docs/architecture.md: calling reads and moves orders, orders imports
nothing of calling), yet three things cross that line the other way: an order that comes in gets
its confirmation call in the same transaction, a status change ends the calling work it makes
pointless, and the order's representation lists its open call tasks. The apps above register
their part here once, in their `AppConfig.ready()`, and orders calls what is registered.

These are plain function calls in the caller's transaction with typed arguments, not signals:
whatever a registered part raises rolls the whole change back, and a reader finds every part
by searching for the registration functions."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .models import Order

OrdersCreated = Callable[[Sequence[Order], datetime], None]
StatusChanged = Callable[[Order, str, datetime], None]
RepresentationPart = Callable[[Sequence[Order]], dict[Any, dict[str, Any]]]
# (orders, known personal values, at): scrub what the app keeps about these orders.
PersonalDataErased = Callable[[Sequence[Order], Sequence[str], datetime], None]
# (customer's orders): what the app keeps about them, for the customer's export.
ExportPart = Callable[[Sequence[Order]], dict[str, list[dict[str, Any]]]]

_orders_created: list[OrdersCreated] = []
_status_changed: list[StatusChanged] = []
_representation_parts: list[RepresentationPart] = []
_personal_data_erased: list[PersonalDataErased] = []
_export_parts: list[ExportPart] = []


def _register(registry: list, part: Callable) -> Callable:
    if part not in registry:  # AppConfig.ready may run twice in one process (tests, reloads)
        registry.append(part)
    return part


def on_orders_created(part: OrdersCreated) -> OrdersCreated:
    """`part(orders, at)` runs after intake inserted `orders` (awaiting confirmation), before
    their timeline and the store's `order.created` are written (so those show its effect)."""
    return _register(_orders_created, part)


def on_status_changed(part: StatusChanged) -> StatusChanged:
    """`part(order, previous_status, at)` runs after every status change is saved."""
    return _register(_status_changed, part)


def representation_part(part: RepresentationPart) -> RepresentationPart:
    """`part(orders)` answers, per order id, keys to add to the order's representation (one
    read for all the orders: lists and bulk intake stay a fixed number of queries)."""
    return _register(_representation_parts, part)


def on_personal_data_erased(part: PersonalDataErased) -> PersonalDataErased:
    """`part(orders, values, at)` runs when the personal data of `orders` is erased (a customer's
    erasure, or retention): it replaces what its app keeps about them (free text, payloads not
    yet sent); `values` are the customer's known personal strings (phones, name, e-mail)."""
    return _register(_personal_data_erased, part)


def export_part(part: ExportPart) -> ExportPart:
    """`part(orders)` answers lists to add to a customer's export (e.g. call attempts)."""
    return _register(_export_parts, part)


def personal_data_erased_notify(
    *, orders: Sequence[Order], values: Sequence[str], at: datetime
) -> None:
    for part in _personal_data_erased:
        part(orders, values, at)


def export_parts_read(orders: Sequence[Order]) -> dict[str, list[dict[str, Any]]]:
    merged: dict[str, list[dict[str, Any]]] = {}
    for part in _export_parts:
        for key, rows in part(orders).items():
            merged.setdefault(key, []).extend(rows)
    return merged


def orders_created_notify(*, orders: Sequence[Order], at: datetime) -> None:
    for part in _orders_created:
        part(orders, at)


def order_status_changed_notify(*, order: Order, previous: str, at: datetime) -> None:
    for part in _status_changed:
        part(order, previous, at)


def representation_parts_read(orders: Sequence[Order]) -> dict[Any, dict[str, Any]]:
    """Per order id, what every registered part adds (empty when nothing is registered)."""
    merged: dict[Any, dict[str, Any]] = {order.pk: {} for order in orders}
    for part in _representation_parts:
        for order_id, values in part(orders).items():
            merged.setdefault(order_id, {}).update(values)
    return merged


# (order, event, at) -> True when a message to the customer was queued on some channel.
CustomerNotice = Callable[[Order, str, datetime], bool]

_customer_notices: list[CustomerNotice] = []


def customer_notice(part: CustomerNotice) -> CustomerNotice:
    """`part(order, event, at)` queues a message to the customer about `event` (one of
    `CUSTOMER_NOTICE_EVENTS`) and answers whether it did (False: no channel, opted out...)."""
    return _register(_customer_notices, part)


CUSTOMER_NOTICE_EVENTS = (
    "order_received",
    "unreachable",
    "confirmed",
    "shipped",
    "out_for_delivery",
    "delivery_problem",
    "delivered",
    "feedback_request",
)


def customer_notify(*, order: Order, event: str, at: datetime) -> bool:
    """Tell the customer about `event` through whatever messaging is registered; True when
    some part queued a message."""
    sent = False
    for part in _customer_notices:
        sent = part(order, event, at) or sent
    return sent
