"""Feedback after delivery (seed 001; architecture: Shipping).

A set time after delivery (the store's shipping policy) the customer is asked: a message where
messaging has a channel for them, else a `feedback` call. The answer (1–5 and a comment, from the
public page, the API or an operator) is stored once on the order and sent to the store as
`order.feedback`; a rating of 2 or less opens a call for a supervisor of the store."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import Role, User
from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.calling.services import call_task_open, tasks_move
from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import Order, OrderEventType, OrderStatus
from orderdesk.orders.services import order_event_record, order_lock, store_event_publish

from ..models import Feedback, Shipment

FEEDBACK_RATING_INVALID = "feedback_rating_invalid"
FEEDBACK_COMMENT_TOO_LONG = "feedback_comment_too_long"
FEEDBACK_NOT_DELIVERED = "feedback_order_not_delivered"
FEEDBACK_EXISTS = "feedback_already_given"
COMMENT_MAX = 2000
LOW_RATING = 2
REQUEST_BATCH = 100


def feedback_errors(*, rating, comment: str) -> list[dict]:
    errors = []
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        message = _("A rating from 1 to 5.")
        errors.append({"field": "rating", "code": FEEDBACK_RATING_INVALID, "message": message})
    if len(comment) > COMMENT_MAX:
        message = _("At most %(max)s characters.") % {"max": COMMENT_MAX}
        errors.append({"field": "comment", "code": FEEDBACK_COMMENT_TOO_LONG, "message": message})
    return errors


@transaction.atomic
def feedback_record(
    *, order: Order, rating: int, comment: str = "", via: str, actor: User | None = None
) -> Feedback:
    """Store the customer's answer once; a second answer is a 409 and changes nothing."""
    comment = comment.strip()
    errors = feedback_errors(rating=rating, comment=comment)
    if errors:
        raise ValidationFailed(errors)
    order = order_lock(order_id=order.pk)
    if order.status != OrderStatus.DELIVERED:
        raise ApplicationError(
            FEEDBACK_NOT_DELIVERED, _("Feedback is asked once the order is delivered."),
            status_code=409,
        )  # fmt: skip
    if Feedback.objects.filter(order=order).exists():
        raise ApplicationError(
            FEEDBACK_EXISTS, _("Feedback for this order is already given."), status_code=409
        )
    now = timezone.now()
    feedback = Feedback.objects.create(
        order=order, rating=rating, comment=comment, via=via, actor=actor
    )
    order_event_record(
        order=order, type=OrderEventType.NOTE, actor=actor, actor_label="customer",
        data={"feedback": rating, "via": via}, at=now,
    )  # fmt: skip
    _feedback_calls_close(order=order, actor=actor, at=now)
    if rating <= LOW_RATING:
        feedback_escalate(feedback=feedback, at=now)
    store_event_publish(order=order, type=StoreEventType.FEEDBACK, at=now)
    return feedback


def _feedback_calls_close(*, order: Order, actor: User | None, at: datetime) -> None:
    """The answer came: a feedback call still waiting is not needed (one in a call ends with
    its outcome)."""
    waiting = list(
        CallTask.objects.select_for_update().filter(
            order=order,
            purpose=CallPurpose.FEEDBACK,
            state__in=[CallTaskState.QUEUED, CallTaskState.CALLBACK],
        )
    )
    tasks_move(
        tasks=waiting, state=CallTaskState.DONE,
        only_if=Q(state__in=[CallTaskState.QUEUED, CallTaskState.CALLBACK]),
        actor=actor, actor_label="customer", data={"reason": "feedback_given"}, at=at,
    )  # fmt: skip


def feedback_escalate(*, feedback: Feedback, at: datetime) -> bool:
    """A low rating is a supervisor's call: a personal callback of a supervisor of the store
    (the earliest created), due now; for anyone when the store has none. While the feedback call
    that heard the rating is still in progress (one open call per order and purpose), the
    escalation waits for `low_ratings_escalate`. Answers whether the call opened."""
    order = feedback.order
    if CallTask.objects.filter(
        order=order, purpose=CallPurpose.FEEDBACK, state=CallTaskState.IN_CALL
    ).exists():
        return False
    task = call_task_open(
        order=order, purpose=CallPurpose.FEEDBACK, reason=f"low_rating:{feedback.rating}", at=at
    )
    supervisor = (
        User.objects.filter(role=Role.SUPERVISOR, is_active=True, stores=order.store_id)
        .order_by("date_joined", "pk")
        .first()
    )
    if supervisor is not None and task.state == CallTaskState.QUEUED:
        tasks_move(
            tasks=[task], state=CallTaskState.CALLBACK,
            fields={"callback_user_id": supervisor.pk, "due_at": at},
            only_if=Q(state=CallTaskState.QUEUED), actor_label="system",
            data={"reason": "low_rating"}, at=at,
        )  # fmt: skip
    feedback.escalated_at = at
    feedback.save(update_fields=["escalated_at", "updated_at"])
    return True


def low_ratings_escalate(*, at: datetime | None = None, limit: int = REQUEST_BATCH) -> int:
    """The supervisor calls of low ratings heard during a feedback call, once it ended."""
    at = at or timezone.now()
    opened = 0
    with transaction.atomic():
        waiting = list(
            Feedback.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(rating__lte=LOW_RATING, escalated_at__isnull=True)
            .select_related("order", "order__store")
            .order_by("created_at")[:limit]
        )
        for feedback in waiting:
            opened += feedback_escalate(feedback=feedback, at=at)
    return opened


def feedback_requests_send(*, at: datetime | None = None, limit: int = REQUEST_BATCH) -> int:
    """Ask for feedback on the deliveries whose time came (claimed with SKIP LOCKED, so that
    several workers share the batch): a message where the customer has a channel, else a
    `feedback` call."""
    at = at or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            Shipment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(feedback_requested_at__isnull=True, feedback_due_at__lte=at)
            .select_related("order", "order__store", "order__customer")
            .order_by("feedback_due_at")[:limit]
        )
        for shipment in due:
            _feedback_request(shipment=shipment, at=at)
            sent += 1
    return sent


def _feedback_request(*, shipment: Shipment, at: datetime) -> None:
    shipment.feedback_requested_at = at
    shipment.save(update_fields=["feedback_requested_at", "updated_at"])
    order = shipment.order
    if order.status != OrderStatus.DELIVERED or Feedback.objects.filter(order=order).exists():
        return
    if customer_notify(order=order, event="feedback_request", at=at):
        order_event_record(order=order, type=OrderEventType.NOTE, actor_label="system",
                           data={"feedback_request": "message"}, at=at)  # fmt: skip
        return
    try:
        with transaction.atomic():
            call_task_open(order=order, purpose=CallPurpose.FEEDBACK, reason="feedback_request",
                           at=at)  # fmt: skip
    except IntegrityError:  # a concurrent open of the same call won
        pass
