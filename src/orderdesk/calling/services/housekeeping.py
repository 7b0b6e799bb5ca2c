"""Calling's periodic chores: parked orders coming back, personal callbacks nobody will take."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orderdesk.orders.models import Order, QueueState
from orderdesk.orders.services import orders_queue_move

from ..selectors import calling_policies_for, operators_working

BATCH = 500


def pending_checks_release(*, at: datetime | None = None) -> int:
    """Orders parked for a delivery check whose time has come become a callback for the operator
    who parked them (SPEC 3: "when answered, the operator calls back")."""
    at = at or timezone.now()
    with transaction.atomic():
        due = list(
            Order.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(queue_state=QueueState.PENDING_CHECK, next_call_at__lte=at)
            .only("id", "queue_state", "callback_user_id")
            .order_by("next_call_at")[:BATCH]
        )
        for order in due:
            orders_queue_move(
                orders=[order],
                queue_state=QueueState.CALLBACK,
                only_if=Q(queue_state=QueueState.PENDING_CHECK),
                actor_label="system",
                data={"reason": "check_due"},
                at=at,
            )
    return len(due)


def callbacks_release(*, at: datetime | None = None) -> int:
    """A personal callback due for longer than the store's grace while its operator is not
    working (not ready, not in a call) goes to anyone: callbacks are never lost (SPEC 4)."""
    at = at or timezone.now()
    with transaction.atomic():
        due = list(
            Order.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                queue_state=QueueState.CALLBACK,
                callback_user__isnull=False,
                next_call_at__lte=at,
            )
            .only("id", "store_id", "queue_state", "callback_user_id", "next_call_at")
            .order_by("next_call_at")[:BATCH]
        )
        policies = calling_policies_for(store_ids={order.store_id for order in due})
        working = operators_working(operator_ids={order.callback_user_id for order in due})
        released = [
            order
            for order in due
            if order.callback_user_id not in working
            and order.next_call_at + policies[order.store_id].callback_grace <= at
        ]
        for order in released:
            orders_queue_move(
                orders=[order],
                queue_state=QueueState.CALLBACK,
                fields={"callback_user": None},
                only_if=Q(queue_state=QueueState.CALLBACK, callback_user_id=order.callback_user_id),
                actor_label="system",
                data={"reason": "operator_absent", "operator": order.callback_user_id},
                at=at,
            )
    return len(released)
