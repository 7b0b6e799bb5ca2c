"""What a supervisor does with the queue: put an order's call back to be made, or hand it to one
operator (unreachable, wrong numbers, parked checks, callbacks nobody takes); free or reassign a
call in progress; decide an order whose attempts are exhausted. Composed from the lease's own
abandon, the task moves and the orders services, each action one transaction. The actions work
on an order's confirmation task, or on any task given by id."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order, OrderEventType, OrderStatus
from orderdesk.orders.services import (
    ORDER_CANCEL_REASON_MISSING,
    order_event_record,
    order_lock,
    order_status_change,
)

from ..models import (
    OPEN_STATES,
    CallPurpose,
    CallTask,
    CallTaskState,
    Lease,
    LeaseEnd,
    OperatorState,
)
from ..selectors import (
    calling_policy_get,
    cancel_reasons_for,
    lease_languages,
    lease_live_of,
    operator_can_take,
    operator_state_current,
    phone_gap_until,
)
from .leases import call_next_claim, lease_abandon
from .tasks import tasks_move

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
    task = _confirmation_task_lock(order=order)
    if order.status != OrderStatus.AWAITING_CONFIRMATION or task is None:
        raise ApplicationError(
            ORDER_NOT_IN_CALLING,
            _("Only an order awaiting confirmation can be queued for a call."),
            status_code=409,
        )
    if task.state == CallTaskState.IN_CALL:
        raise ApplicationError(
            ORDER_IN_CALL, _("An operator is on a call about this order."), status_code=409
        )
    if callback_user is not None and not callback_user.stores.filter(pk=order.store_id).exists():
        raise ApplicationError(
            OPERATOR_NOT_OF_STORE,
            _("This operator does not work for the order's store."),
            status_code=422,
        )
    state = CallTaskState.CALLBACK if callback_user is not None else CallTaskState.QUEUED
    due_at, gap = _due_after_gap(order=order, wanted=next_call_at or at, at=at)
    tasks_move(
        tasks=[task],
        state=state,
        fields={"due_at": due_at, "callback_user": callback_user},
        only_if=~Q(state=CallTaskState.IN_CALL),
        actor=actor,
        data={"reason": "supervisor", **gap},
        at=at,
    )
    order.refresh_from_db()
    return order


def _due_after_gap(*, order: Order, wanted: datetime, at: datetime) -> tuple[datetime, dict]:
    """A supervisor's "call now" inside the minimum gap since the last call to the phone is due
    when the gap ends, and says so on the timeline (`min_gap_until`) rather than being pushed
    back silently by the claim."""
    policy = calling_policy_get(store=order.store_id)
    until = phone_gap_until(customer_id=order.customer_id, policy=policy, at=at)
    if until is None or wanted >= until:
        return wanted, {}
    return until, {"min_gap_until": until.isoformat()}


def _confirmation_task_lock(*, order: Order) -> CallTask | None:
    return (
        CallTask.objects.select_for_update(of=("self",))
        .filter(order=order, purpose=CallPurpose.CONFIRMATION, state__in=OPEN_STATES)
        .first()
    )


# Supervisor actions on the live board ---------------------------------------------------------

LEASE_NOT_LIVE = "lease_not_live"
OPERATOR_NOT_ELIGIBLE = "operator_not_eligible"
ORDER_NOT_UNREACHABLE = "order_not_unreachable"
UNREACHABLE_DECISION_INVALID = "unreachable_decision_invalid"


class UnreachableDecision:
    REQUEUE = "requeue"
    CANCEL = "cancel"


def _lease_locked_live(*, lease_id) -> Lease:
    lease = (
        Lease.objects.select_for_update(of=("self",))
        .select_related("operator")
        .filter(pk=lease_id)
        .first()
    )
    if lease is None or not lease.is_live:
        raise ApplicationError(
            LEASE_NOT_LIVE, "lease: this call has already ended", status_code=409
        )
    return lease


def _held_note(*, lease: Lease, order_ids: list[str], supervisor: User, at: datetime) -> None:
    for order in Order.objects.filter(pk__in=order_ids):
        order_event_record(
            order=order, type=OrderEventType.NOTE, actor=supervisor, at=at,
            data={"action": "lease_released", "operator": lease.operator.username},
        )  # fmt: skip


@transaction.atomic
def lease_release(*, lease_id, supervisor: User, at: datetime | None = None) -> Lease:
    """A supervisor frees a call (the operator left, the browser hung): calling's own abandon
    returns every held order to its queue place and records the attempt as abandoned. The
    lease ends as RELEASED: the call never reached the customer as far as anyone recorded, so
    the minimum gap between calls does not count from it."""
    at = at or timezone.now()
    lease = _lease_locked_live(lease_id=lease_id)
    held = lease.order_ids
    lease_abandon(lease=lease, at=at, end_reason=LeaseEnd.RELEASED)
    _held_note(lease=lease, order_ids=held, supervisor=supervisor, at=at)
    return lease


@transaction.atomic
def lease_reassign(
    *, lease_id, operator: User, supervisor: User, at: datetime | None = None
) -> Lease:
    """Release the call, then hand its orders to `operator` as a personal callback due now: the
    next call they take is this customer, without waiting out the minimum gap after the
    released call (an earlier call to the phone still holds them back). Orders that left the
    queue meanwhile stay where they are."""
    at = at or timezone.now()
    lease = _lease_locked_live(lease_id=lease_id)
    languages = lease_languages(leases=[lease])[lease.pk]
    store_ids = set(operator.stores.values_list("pk", flat=True))
    if not operator_can_take(
        operator=operator, store_ids=store_ids, store_id=lease.store_id, languages=languages
    ):
        raise ApplicationError(
            OPERATOR_NOT_ELIGIBLE,
            _("operator: does not work this store in the customer's language"),
            status_code=422,
        )
    waiting = [CallTaskState.QUEUED, CallTaskState.CALLBACK]
    held = lease.task_ids
    lease_abandon(lease=lease, at=at, end_reason=LeaseEnd.RELEASED)
    tasks = list(
        CallTask.objects.select_for_update(of=("self",))
        .filter(pk__in=held, state__in=waiting)
        .only("id", "order_id", "purpose", "state")
    )
    if tasks:
        tasks_move(
            tasks=tasks, state=CallTaskState.CALLBACK,
            fields={"due_at": at, "callback_user": operator},
            only_if=Q(state__in=waiting), actor=supervisor, at=at,
            data={
                "action": "reassigned",
                "from_operator": lease.operator.username,
                "to_operator": operator.username,
            },
        )  # fmt: skip
        _handover_claim(operator=operator, at=at)
    return lease


def _handover_claim(*, operator: User, at: datetime) -> None:
    """A ready operator without a call is put on the handed-over customer at once (their own
    due callback comes first in the queue), so their desk shows the card without a key press;
    one who is paused or offline finds it when they take their next call."""
    if lease_live_of(operator=operator) is not None:
        return
    current = operator_state_current(operator=operator)
    if current is not None and current.state == OperatorState.READY:
        call_next_claim(operator=operator, at=at)


@transaction.atomic
def order_unreachable_decide(
    *, order: Order, decision: str, supervisor: User, reason: str = ""
) -> Order:
    """Attempts exhausted on the order's call (whatever its purpose): the supervisor gives it
    another round of calls, or gives up with a reason from the store's list: an order awaiting
    confirmation is cancelled; a call of another purpose (a delivery problem, feedback) is
    closed, the order staying as it is."""
    order = order_lock(order_id=order.pk)
    task = (
        CallTask.objects.select_for_update(of=("self",))
        .filter(order=order, state=CallTaskState.UNREACHABLE)
        .order_by("created_at")
        .first()
    )
    if task is None:
        raise ApplicationError(
            ORDER_NOT_UNREACHABLE, "queue_state: the order is not unreachable", status_code=409
        )
    if decision == UnreachableDecision.REQUEUE:
        now = timezone.now()
        due_at, gap = _due_after_gap(order=order, wanted=now, at=now)
        tasks_move(
            tasks=[task], state=CallTaskState.QUEUED,
            fields={"due_at": due_at, "callback_user": None},
            only_if=Q(state=CallTaskState.UNREACHABLE), actor=supervisor,
            data={"action": "requeued_by_supervisor", **gap}, at=now,
        )  # fmt: skip
    elif decision == UnreachableDecision.CANCEL:
        codes = {code for code, _label in cancel_reasons_for(store=order.store_id)}
        if reason not in codes:
            raise ApplicationError(
                ORDER_CANCEL_REASON_MISSING, "reason: choose a reason from the list",
                status_code=422,
            )  # fmt: skip
        if task.purpose == CallPurpose.CONFIRMATION:
            order_status_change(
                order=order, to=OrderStatus.CANCELLED, actor=supervisor, reason=reason
            )
        else:
            tasks_move(
                tasks=[task], state=CallTaskState.CANCELLED, actor=supervisor,
                data={"action": "given_up_by_supervisor", "reason": reason},
            )  # fmt: skip
    else:
        raise ApplicationError(
            UNREACHABLE_DECISION_INVALID, "decision: requeue or cancel", status_code=422
        )
    order.refresh_from_db()
    return order
