"""What an operator changes in an open order while the customer is on the line (architecture: The confirmation call,
issue 5): the items (quantity, removal, a product added from the store's catalogue) and another
phone of the customer. Each edit is one transaction: the order row is locked, the change, the
recalculated total, the timeline event and the `order.changed` outbox row commit together."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum

from orderdesk.accounts.models import User
from orderdesk.catalog.selectors import product_for_sale_get
from orderdesk.core.errors import ApplicationError
from orderdesk.core.phones import PhoneError, phone_normalize

from ..events import StoreEventType
from ..models import Order, OrderEventType, OrderItem, OrderStatus
from .lifecycle import ORDER_NOT_EDITABLE, order_event_record, order_lock, store_event_publish
from .stock import HOLDING_STATUSES, order_stock_hold

ITEM_QUANTITY_INVALID = "item_quantity_invalid"
ITEM_LAST_ONE = "item_last_one"
ITEM_NOT_FOUND = "item_not_found"
PRODUCT_NOT_AVAILABLE = "product_not_available"
PHONE_INVALID = "phone_invalid"

# Items and phones change only before the order is confirmed: after that the store and the
# carrier work from what was agreed.
ITEMS_EDITABLE_STATUSES = (OrderStatus.NEW, OrderStatus.AWAITING_CONFIRMATION)


def _editable_lock(order: Order) -> Order:
    order = order_lock(order_id=order.pk)
    if order.status not in ITEMS_EDITABLE_STATUSES:
        raise ApplicationError(
            ORDER_NOT_EDITABLE, f"status: a {order.status} order cannot be edited", status_code=409
        )
    return order


def _item_of(order: Order, item_id: int) -> OrderItem:
    item = order.items.filter(pk=item_id).first()
    if item is None:
        raise ApplicationError(ITEM_NOT_FOUND, "item: not an item of this order", status_code=404)
    return item


def _quantity_check(quantity: int) -> None:
    if quantity < 1:
        raise ApplicationError(
            ITEM_QUANTITY_INVALID, "quantity: must be at least 1", status_code=422
        )


def _total_refresh(order: Order) -> None:
    """After every item edit: the total, and the stock hold of an order that holds one."""
    if order.status in HOLDING_STATUSES:
        order_stock_hold(order=order)
    total = order.items.aggregate(total=Sum(F("price") * F("quantity")))["total"]
    order.total = total or Decimal("0")
    order.save(update_fields=["total", "updated_at"])


@transaction.atomic
def order_item_quantity_set(*, order: Order, item_id: int, quantity: int, actor: User) -> Order:
    """The same quantity again changes nothing and records nothing."""
    order = _editable_lock(order)
    item = _item_of(order, item_id)
    _quantity_check(quantity)
    if quantity == item.quantity:
        return order
    before = item.quantity
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    _total_refresh(order)
    order_event_record(
        order=order, type=OrderEventType.ITEM_CHANGED, actor=actor,
        data={"sku": item.sku, "name": item.name, "quantity": {"from": before, "to": quantity}},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return order


@transaction.atomic
def order_item_remove(*, order: Order, item_id: int, actor: User) -> Order:
    """An order keeps at least one item: removing the last one is a cancellation instead."""
    order = _editable_lock(order)
    item = _item_of(order, item_id)
    if order.items.count() == 1:
        raise ApplicationError(
            ITEM_LAST_ONE, "items: the last item cannot be removed; cancel the order instead",
            status_code=422,
        )  # fmt: skip
    item.delete()
    _total_refresh(order)
    order_event_record(
        order=order, type=OrderEventType.ITEM_REMOVED, actor=actor,
        data={"sku": item.sku, "name": item.name, "quantity": item.quantity},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return order


@transaction.atomic
def order_item_add(*, order: Order, product_id: int, quantity: int, actor: User) -> OrderItem:
    """Cross-sell and upsell: a product of the order's own store at the catalogue's price,
    marked as added in the call (reports count what operators sold)."""
    order = _editable_lock(order)
    product = product_for_sale_get(store_id=order.store_id, product_id=product_id)
    if product is None:
        raise ApplicationError(
            PRODUCT_NOT_AVAILABLE, "product: not a product of this store", status_code=422
        )
    _quantity_check(quantity)
    position = (order.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = OrderItem.objects.create(
        order=order, sku=product.sku, name=product.name, quantity=quantity, price=product.price,
        category=product.category.code if product.category_id else "", added_by_operator=True,
        position=position,
    )  # fmt: skip
    _total_refresh(order)
    order_event_record(
        order=order, type=OrderEventType.ITEM_ADDED, actor=actor,
        data={"sku": item.sku, "name": item.name, "quantity": quantity, "price": f"{item.price:.2f}"},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return item


@transaction.atomic
def customer_phone_add(
    *, order: Order, phone: str, actor: User | None = None, actor_label: str = ""
) -> Order:
    """Another number for the courier (bad connection, architecture: The confirmation call), normalised in the store's
    default region; a number the customer already has changes nothing."""
    order = _editable_lock(order)
    try:
        number = phone_normalize(phone, default_region=order.store.default_phone_region)
    except PhoneError as exc:
        raise ApplicationError(
            PHONE_INVALID, "phone: not a valid phone number", status_code=422
        ) from exc
    customer = order.customer
    if number == customer.phone or number in customer.additional_phones:
        return order
    customer.additional_phones = [*customer.additional_phones, number]
    customer.save(update_fields=["additional_phones", "updated_at"])
    order_event_record(
        order=order, type=OrderEventType.UPDATED, actor=actor, actor_label=actor_label,
        data={"changes": {"additional_phones": {"from": None, "to": number}}},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return order


@transaction.atomic
def order_item_replace(*, order: Order, item_id: int, product_id: int, actor: User) -> OrderItem:
    """An alternative for an item short of stock: the item becomes the store's product at its
    catalogue price, keeping its quantity and place; the timeline keeps what it was."""
    order = _editable_lock(order)
    item = _item_of(order, item_id)
    product = product_for_sale_get(store_id=order.store_id, product_id=product_id)
    if product is None:
        raise ApplicationError(
            PRODUCT_NOT_AVAILABLE, "product: not a product of this store", status_code=422
        )
    before = {"sku": item.sku, "name": item.name, "price": f"{item.price:.2f}"}
    item.sku, item.name, item.price = product.sku, product.name, product.price
    item.category = product.category.code if product.category_id else ""
    item.attributes = dict(product.attributes)
    item.save(update_fields=["sku", "name", "price", "category", "attributes"])
    _total_refresh(order)
    after = {"sku": item.sku, "name": item.name, "price": f"{item.price:.2f}"}
    order_event_record(
        order=order, type=OrderEventType.ITEM_CHANGED, actor=actor,
        data={"replaced": True, "changes": {k: {"from": before[k], "to": after[k]} for k in before}},
    )  # fmt: skip
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return item


@transaction.atomic
def order_items_replace(
    *,
    order: Order,
    items: Sequence[dict[str, Any]],
    actor: User | None = None,
    actor_label: str = "",
) -> Order:
    """The store sends the order's items anew (PATCH): the items become exactly these, each
    difference on the timeline as the operator's edits are (added, changed, removed, by SKU),
    with one `order.changed`. The same items again change nothing and record nothing."""
    order = _editable_lock(order)
    if not items:
        raise ApplicationError(
            ITEM_LAST_ONE, "items: an order keeps at least one item; cancel it instead",
            status_code=422,
        )  # fmt: skip
    before = {item.sku: item for item in order.items.all()}
    after = {item["sku"]: item for item in items}
    events = _items_diff(before, after)
    if not events and len(before) == len(items):
        return order
    order.items.all().delete()
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order, sku=item["sku"], name=item["name"], quantity=item["quantity"],
            price=item["price"], category=item.get("category", ""),
            attributes=item.get("attributes") or {}, position=n,
        )
        for n, item in enumerate(items, start=1)
    )  # fmt: skip
    _total_refresh(order)
    for type_, data in events:
        order_event_record(order=order, type=type_, actor=actor, actor_label=actor_label, data=data)
    store_event_publish(order=order, type=StoreEventType.CHANGED)
    return order


def _items_diff(
    before: dict[str, OrderItem], after: dict[str, dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    for sku, item in before.items():
        if sku not in after:
            events.append(
                (OrderEventType.ITEM_REMOVED,
                 {"sku": sku, "name": item.name, "quantity": item.quantity})
            )  # fmt: skip
    for sku, new in after.items():
        old = before.get(sku)
        if old is None:
            events.append(
                (OrderEventType.ITEM_ADDED,
                 {"sku": sku, "name": new["name"], "quantity": new["quantity"],
                  "price": f"{Decimal(new['price']):.2f}"})
            )  # fmt: skip
            continue
        changes = {
            name: {"from": _plain(getattr(old, name)), "to": _plain(new.get(name, default))}
            for name, default in (("name", ""), ("quantity", 0), ("price", 0),
                                  ("category", ""), ("attributes", {}))
            if _plain(getattr(old, name)) != _plain(new.get(name, default))
        }  # fmt: skip
        if changes:
            events.append(
                (OrderEventType.ITEM_CHANGED, {"sku": sku, "name": new["name"], **changes})
            )
    return events


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return f"{Decimal(value):.2f}" if isinstance(value, Decimal) else value
    return value
