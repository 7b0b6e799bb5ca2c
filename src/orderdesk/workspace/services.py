"""Writes made from the screens. Interface preferences belong to the workspace; the edits an
operator makes to an order during a call (SPEC 3, issue 5) are composed here from the orders
app's services, each one a transaction with its timeline event. Calls (claim, heartbeat,
outcomes) are the calling app's services, called by the views directly."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderdesk.accounts.models import Language, User
from orderdesk.calling.models import Lease
from orderdesk.calling.selectors import cancel_reasons_for
from orderdesk.calling.services.leases import lease_abandon
from orderdesk.catalog.models import Product
from orderdesk.core.errors import ApplicationError
from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.orders.models import (
    Elevator,
    Order,
    OrderEventType,
    OrderItem,
    OrderStatus,
    QueueState,
)
from orderdesk.orders.services import (
    ORDER_CANCEL_REASON_MISSING,
    ORDER_NOT_EDITABLE,
    order_event_record,
    order_lock,
    order_status_change,
    order_update,
    orders_queue_move,
    store_event_publish,
)

INTERFACE_LANGUAGE_UNKNOWN = "interface_language_unknown"
ITEM_QUANTITY_INVALID = "item_quantity_invalid"
ITEM_LAST_ONE = "item_last_one"
ITEM_NOT_FOUND = "item_not_found"
PRODUCT_NOT_AVAILABLE = "product_not_available"
PHONE_INVALID = "phone_invalid"
TIME_WISH_INVALID = "time_wish_invalid"
ELEVATOR_INVALID = "elevator_invalid"

# The courier reads Russian: notes written into the courier's and customer's comments are in it.
COURIER_LANGUAGE = "ru"
EDITABLE_STATUSES = (OrderStatus.NEW, OrderStatus.AWAITING_CONFIRMATION)


@transaction.atomic
def user_interface_language_set(*, user: User, language: str) -> User:
    if language not in Language.values:
        raise ApplicationError(
            INTERFACE_LANGUAGE_UNKNOWN, f"language: unknown language {language!r}", status_code=422
        )
    user.interface_language = language
    user.save(update_fields=["interface_language"])
    return user


def _editable_lock(order: Order) -> Order:
    order = order_lock(order_id=order.pk)
    if order.status not in EDITABLE_STATUSES:
        raise ApplicationError(
            ORDER_NOT_EDITABLE, f"status: a {order.status} order cannot be edited", status_code=409
        )
    return order


def _item_of(order: Order, item_id: int) -> OrderItem:
    item = order.items.filter(pk=item_id).first()
    if item is None:
        raise ApplicationError(ITEM_NOT_FOUND, "item: not an item of this order", status_code=404)
    return item


def _total_refresh(order: Order) -> None:
    total = order.items.aggregate(total=Sum(F("price") * F("quantity")))["total"]
    order.total = total or Decimal("0")
    order.save(update_fields=["total", "updated_at"])


def _comment_append(current: str, line: str) -> str:
    if line in current:
        return current
    return f"{current.rstrip()}\n{line}".strip()


@transaction.atomic
def order_item_quantity_set(*, order: Order, item_id: int, quantity: int, actor: User) -> Order:
    order = _editable_lock(order)
    item = _item_of(order, item_id)
    if quantity < 1:
        raise ApplicationError(
            ITEM_QUANTITY_INVALID, "quantity: must be at least 1", status_code=422
        )
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
    store_event_publish(order=order, type="order.changed")
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
    store_event_publish(order=order, type="order.changed")
    return order


@transaction.atomic
def order_item_add(*, order: Order, product_id: int, quantity: int, actor: User) -> OrderItem:
    """Cross-sell and upsell: a product of the order's own store, marked as added in the call."""
    order = _editable_lock(order)
    product = Product.objects.filter(pk=product_id, store_id=order.store_id, is_active=True).first()
    if product is None:
        raise ApplicationError(
            PRODUCT_NOT_AVAILABLE, "product: not a product of this store", status_code=422
        )
    if quantity < 1:
        raise ApplicationError(
            ITEM_QUANTITY_INVALID, "quantity: must be at least 1", status_code=422
        )
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
    store_event_publish(order=order, type="order.changed")
    return item


@transaction.atomic
def customer_phone_add(*, order: Order, phone: str, actor: User) -> Order:
    """Another operator's number for the courier (bad connection, SPEC 3.5)."""
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
        order=order, type=OrderEventType.UPDATED, actor=actor,
        data={"changes": {"additional_phones": {"from": None, "to": number}}},
    )  # fmt: skip
    store_event_publish(order=order, type="order.changed")
    return order


def order_elevator_set(*, order: Order, elevator: str, actor: User) -> Order:
    """Freight elevator is a flag on the order; a passenger elevator is a line in the courier's
    comment (seed 002)."""
    if elevator not in Elevator.values:
        raise ApplicationError(ELEVATOR_INVALID, "elevator: unknown value", status_code=422)
    changes: dict[str, object] = {"elevator": elevator}
    if elevator == Elevator.PASSENGER:
        with translation.override(COURIER_LANGUAGE):
            line = _("Passenger elevator in the building.")
        changes["delivery_comment"] = _comment_append(order.delivery_comment, line)
    return order_update(order=order, changes=changes, actor=actor, reason="elevator")


def order_time_wish_set(*, order: Order, start: str, end: str, actor: User) -> Order:
    """The wish goes into the customer comment with the script's wording: considered where
    possible, never promised (seed 002, item 3)."""
    try:
        start_at, end_at = (datetime.strptime(v, "%H:%M").time() for v in (start, end))
    except ValueError as exc:
        raise ApplicationError(
            TIME_WISH_INVALID, "time_wish: times as HH:MM", status_code=422
        ) from exc
    if start_at >= end_at:
        raise ApplicationError(
            TIME_WISH_INVALID, "time_wish: the start must be before the end", status_code=422
        )
    wish = f"{start_at:%H:%M}–{end_at:%H:%M}"
    with translation.override(COURIER_LANGUAGE):
        line = _(
            "The customer can receive the delivery from %(start)s to %(end)s; "
            "considered where possible."
        ) % {"start": f"{start_at:%H:%M}", "end": f"{end_at:%H:%M}"}
    changes = {"time_wish": wish, "comment": _comment_append(order.comment, line)}
    return order_update(order=order, changes=changes, actor=actor, reason="time_wish")


def order_bad_connection_note(*, order: Order, actor: User) -> Order:
    with translation.override(COURIER_LANGUAGE):
        line = _("The customer has a bad connection and may be unreachable.")
    changes = {"delivery_comment": _comment_append(order.delivery_comment, line)}
    return order_update(order=order, changes=changes, actor=actor, reason="bad_connection")


# Supervisor actions ------------------------------------------------------------------------------

LEASE_NOT_LIVE = "lease_not_live"
OPERATOR_NOT_ELIGIBLE = "operator_not_eligible"
ORDER_NOT_UNREACHABLE = "order_not_unreachable"
UNREACHABLE_DECISION_INVALID = "unreachable_decision_invalid"


def _lease_locked_live(*, lease_id) -> Lease:
    lease = Lease.objects.select_for_update().select_related("operator").filter(pk=lease_id).first()
    if lease is None or not lease.is_live:
        raise ApplicationError(
            LEASE_NOT_LIVE, "lease: this call has already ended", status_code=409
        )
    return lease


@transaction.atomic
def lease_release(*, lease_id, supervisor: User, at: datetime | None = None) -> Lease:
    """A supervisor frees a call (the operator left, the browser hung): calling's own abandon
    returns every held order to its queue place and records the attempt as abandoned."""
    at = at or timezone.now()
    lease = _lease_locked_live(lease_id=lease_id)
    held = [str(order_id) for order_id in lease.order_ids]
    lease_abandon(lease=lease, at=at)
    for order in Order.objects.filter(pk__in=held):
        order_event_record(
            order=order, type=OrderEventType.NOTE, actor=supervisor, at=at,
            data={"action": "lease_released", "operator": lease.operator.username},
        )  # fmt: skip
    return lease


@transaction.atomic
def lease_reassign(
    *, lease_id, operator: User, supervisor: User, at: datetime | None = None
) -> Lease:
    """Release the call, then hand its orders to `operator` as a personal callback due now: the
    next call they take is this customer (after calling's minimum gap between two calls)."""
    at = at or timezone.now()
    lease = _lease_locked_live(lease_id=lease_id)
    if not operator.is_operator or not operator.stores.filter(pk=lease.store_id).exists():
        raise ApplicationError(
            OPERATOR_NOT_ELIGIBLE, "operator: does not work this store", status_code=422
        )
    held = [str(order_id) for order_id in lease.order_ids]
    lease_abandon(lease=lease, at=at)
    orders = list(
        Order.objects.filter(
            pk__in=held, queue_state__in=[QueueState.QUEUED, QueueState.CALLBACK]
        ).only("id", "queue_state")
    )
    if orders:
        orders_queue_move(
            orders=orders, queue_state=QueueState.CALLBACK,
            fields={"next_call_at": at, "callback_user": operator},
            only_if=Q(queue_state__in=[QueueState.QUEUED, QueueState.CALLBACK]),
            actor=supervisor, at=at,
            data={"action": "reassigned", "from": lease.operator.username, "to": operator.username},
        )  # fmt: skip
    return lease


class UnreachableDecision:
    REQUEUE = "requeue"
    CANCEL = "cancel"


@transaction.atomic
def order_unreachable_decide(
    *, order: Order, decision: str, supervisor: User, reason: str = ""
) -> Order:
    """Attempts exhausted: the supervisor gives the order another round of calls or cancels it
    with a reason from the store's list."""
    order = order_lock(order_id=order.pk)
    if order.queue_state != QueueState.UNREACHABLE:
        raise ApplicationError(
            ORDER_NOT_UNREACHABLE, "queue_state: the order is not unreachable", status_code=409
        )
    if decision == UnreachableDecision.REQUEUE:
        orders_queue_move(
            orders=[order], queue_state=QueueState.QUEUED,
            fields={"next_call_at": timezone.now(), "callback_user": None},
            only_if=Q(queue_state=QueueState.UNREACHABLE), actor=supervisor,
            data={"action": "requeued_by_supervisor"},
        )  # fmt: skip
    elif decision == UnreachableDecision.CANCEL:
        codes = {code for code, _label in cancel_reasons_for(store=order.store_id)}
        if reason not in codes:
            raise ApplicationError(
                ORDER_CANCEL_REASON_MISSING, "reason: choose a reason from the list",
                status_code=422,
            )  # fmt: skip
        order_status_change(order=order, to=OrderStatus.CANCELLED, actor=supervisor, reason=reason)
    else:
        raise ApplicationError(
            UNREACHABLE_DECISION_INVALID, "decision: requeue or cancel", status_code=422
        )
    order.refresh_from_db()
    return order
