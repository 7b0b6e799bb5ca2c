"""Opening, moving and closing call tasks.

Every change of a task's place goes through `tasks_move`: one conditional UPDATE (the rows must
still be where the caller read them, else ORDER_QUEUE_CONFLICT rolls the caller's transaction
back) and one timeline event per task on its order, in the same transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orderdesk.orders.services import actor_label_of

from ..models import OPEN_STATES, CallPurpose, CallTask, CallTaskState

ORDER_QUEUE_CONFLICT = "order_queue_conflict"
CALL_TASK_PURPOSE_INVALID = "call_task_purpose_invalid"
MOVE_FIELDS = frozenset(
    {"due_at", "callback_user", "callback_user_id", "lease", "lease_id", "attempts_count",
     "first_call_at", "closed_at"}
)  # fmt: skip


def queue_conflict_error() -> ApplicationError:
    return ApplicationError(
        ORDER_QUEUE_CONFLICT,
        _("Someone else changed this call meanwhile."),
        status_code=409,
    )


def task_move_event_data(
    *, task: CallTask, state: str, due_at: Any = None, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the order's timeline keeps of a task's move."""
    return {
        "task": str(task.pk),
        "purpose": task.purpose,
        "from": task.state,
        "to": state,
        **({"next_call_at": due_at.isoformat()} if isinstance(due_at, datetime) else {}),
        **(data or {}),
    }


@transaction.atomic(savepoint=False)
def tasks_move(
    *,
    tasks: Sequence[CallTask],
    state: str,
    fields: dict[str, Any] | None = None,
    only_if: Q | None = None,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Move tasks to `state` in one conditional UPDATE, each move on its order's timeline.

    Only rows still open and matching `only_if` (the place the caller read) move; when fewer
    than `tasks` do, another writer got there first and ORDER_QUEUE_CONFLICT rolls back the
    whole move with the caller's transaction (no savepoint: a claim retries, an outcome
    refuses). `fields` may hold per-call values only (the same for every task)."""
    fields = fields or {}
    unknown = sorted(set(fields) - MOVE_FIELDS)
    if unknown:
        raise ValueError(f"not a call task field: {unknown}")
    if not tasks:
        return 0
    at = at or timezone.now()
    if state in (CallTaskState.DONE, CallTaskState.CANCELLED):
        fields = {"closed_at": at, "lease": None, **fields}
    rows = CallTask.objects.filter(pk__in=[task.pk for task in tasks], state__in=OPEN_STATES)
    if only_if is not None:
        rows = rows.filter(only_if)
    moved = rows.update(state=state, **fields)
    if moved != len(tasks):
        raise queue_conflict_error()
    label = actor_label_of(actor, actor_label)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=task.order_id,
            type=OrderEventType.QUEUE_CHANGED,
            actor=actor,
            actor_label=label,
            created_at=at,
            data=task_move_event_data(
                task=task, state=state, due_at=fields.get("due_at"), data=data
            ),
        )
        for task in tasks
    )
    for task in tasks:
        task.state = state
    return moved


def confirmation_tasks_open(orders: Sequence[Order], at: datetime) -> None:
    """Every order taken in is called to confirm it, due at once (registered with
    orders.extensions.on_orders_created: the same transaction as the intake)."""
    CallTask.objects.bulk_create(
        [
            CallTask(
                store_id=order.store_id,
                customer_id=order.customer_id,
                order_id=order.pk,
                purpose=CallPurpose.CONFIRMATION,
                state=CallTaskState.QUEUED,
                due_at=at,
                timezone=order.timezone,
                language=order.language,
                created_at=at,
            )
            for order in orders
            if order.status == OrderStatus.AWAITING_CONFIRMATION
        ]
    )


@transaction.atomic
def call_task_open(
    *,
    order: Order,
    purpose: str,
    reason: str = "",
    due_at: datetime | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> CallTask:
    """Open a call about `order` (a delivery problem, feedback, goods back in stock), due at
    `due_at` (default now). An open task of the same purpose is kept and returned: the call
    already planned covers it (one open task per order and purpose, by constraint too)."""
    if purpose not in CallPurpose.values or purpose == CallPurpose.CONFIRMATION:
        raise ApplicationError(
            CALL_TASK_PURPOSE_INVALID, _("Unknown call purpose."), status_code=422
        )
    at = at or timezone.now()
    open_task = CallTask.objects.filter(order=order, purpose=purpose, state__in=OPEN_STATES)
    existing = open_task.select_for_update().first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent open of the same call wins
            task = CallTask.objects.create(
                store_id=order.store_id,
                customer_id=order.customer_id,
                order=order,
                purpose=purpose,
                reason=reason,
                due_at=due_at or at,
                timezone=order.timezone,
                language=order.language,
                created_at=at,
            )
    except IntegrityError:
        return open_task.get()
    OrderEvent.objects.create(
        order=order,
        type=OrderEventType.QUEUE_CHANGED,
        actor=actor,
        actor_label=actor_label_of(actor),
        created_at=at,
        data=task_move_event_data(task=task, state=task.state, due_at=task.due_at)
        | {"from": None, **({"reason": reason} if reason else {})},
    )
    return task


def confirmation_tasks_close(order: Order, previous: str, at: datetime) -> None:
    """An order that left `awaiting_confirmation` needs no confirmation call any more: its open
    confirmation task closes, done when confirmed, cancelled otherwise; a task in a call
    leaves its lease (the call goes on for the customer's other tasks). Registered with
    orders.extensions.on_status_changed."""
    if previous != OrderStatus.AWAITING_CONFIRMATION or order.status == previous:
        return
    tasks = list(
        CallTask.objects.select_for_update()
        .filter(order=order, purpose=CallPurpose.CONFIRMATION, state__in=OPEN_STATES)
        .only("id", "order_id", "purpose", "state")
    )
    done = order.status == OrderStatus.CONFIRMED
    tasks_move(
        tasks=tasks,
        state=CallTaskState.DONE if done else CallTaskState.CANCELLED,
        actor_label="system",
        data={"reason": f"order_{order.status}"},
        at=at,
    )


# The calls a status makes pointless, and the state they close in: a cancelled order needs no
# call of any purpose; a delivered one no delivery-problem call (its problem solved itself, the
# call's aim is met) but its feedback call still; a returned one neither (nothing to rate).
# None: every purpose.
TASKS_ENDED_BY_STATUS: dict[str, tuple[frozenset[str] | None, str]] = {
    OrderStatus.CANCELLED: (None, CallTaskState.CANCELLED),
    OrderStatus.DELIVERED: (frozenset({CallPurpose.DELIVERY_PROBLEM}), CallTaskState.DONE),
    OrderStatus.RETURNED: (
        frozenset({CallPurpose.DELIVERY_PROBLEM, CallPurpose.FEEDBACK}),
        CallTaskState.CANCELLED,
    ),
}


def ended_order_tasks_close(order: Order, previous: str, at: datetime) -> None:
    """A cancelled, delivered or returned order closes the open calls its status made pointless
    (TASKS_ENDED_BY_STATUS; a confirmation already closed in confirmation_tasks_close); a task
    in a call leaves its lease and the card of the operator on the call says so within seconds
    (it polls). Registered with orders.extensions.on_status_changed."""
    ended = TASKS_ENDED_BY_STATUS.get(order.status)
    if ended is None or order.status == previous:
        return
    purposes, state = ended
    tasks = CallTask.objects.select_for_update().filter(order=order, state__in=OPEN_STATES)
    if purposes is not None:
        tasks = tasks.filter(purpose__in=purposes)
    tasks_move(
        tasks=list(tasks.only("id", "order_id", "purpose", "state")),
        state=state,
        actor_label="system",
        data={"reason": f"order_{order.status}"},
        at=at,
    )
