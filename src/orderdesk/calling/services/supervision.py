"""What a supervisor does with the queue: put an order back to be called, or hand it to one
operator (unreachable orders, wrong numbers, parked checks, callbacks nobody takes)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order, OrderStatus, QueueState
from orderdesk.orders.services import order_lock, orders_queue_move

ORDER_NOT_IN_CALLING = "order_not_in_calling"
ORDER_IN_CALL = "order_in_call"
OPERATOR_NOT_OF_STORE = "operator_not_of_store"


@transaction.atomic
def order_call_requeue(
    *,
    order: Order,
    actor: User,
    callback_user: User | None = None,
    next_call_at: datetime | None = None,
    at: datetime | None = None,
) -> Order:
    """Queue an awaiting order again, due at `next_call_at` (default now); with `callback_user`,
    as a personal callback for that operator. An order in a call is left alone (409). Earlier
    attempts still count towards the store's retry limits."""
    at = at or timezone.now()
    order = order_lock(order_id=order.pk)
    if order.status != OrderStatus.AWAITING_CONFIRMATION:
        raise ApplicationError(
            ORDER_NOT_IN_CALLING,
            _("Only an order awaiting confirmation can be queued for a call."),
            status_code=409,
        )
    if order.queue_state == QueueState.IN_CALL:
        raise ApplicationError(
            ORDER_IN_CALL, _("An operator is on a call about this order."), status_code=409
        )
    if callback_user is not None and not callback_user.stores.filter(pk=order.store_id).exists():
        raise ApplicationError(
            OPERATOR_NOT_OF_STORE,
            _("This operator does not work for the order's store."),
            status_code=422,
        )
    state = QueueState.CALLBACK if callback_user is not None else QueueState.QUEUED
    orders_queue_move(
        orders=[order],
        queue_state=state,
        fields={"next_call_at": next_call_at or at, "callback_user": callback_user},
        only_if=~Q(queue_state=QueueState.IN_CALL),
        actor=actor,
        data={"reason": "supervisor"},
        at=at,
    )
    order.refresh_from_db()
    return order
