"""Calling's periodic chores: parked tasks coming back, personal callbacks nobody will take."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import CallTask, CallTaskState
from ..selectors import calling_policies_for, operators_working
from .tasks import tasks_move

BATCH = 500


def pending_checks_release(*, at: datetime | None = None) -> int:
    """Tasks parked for a delivery check whose time has come become a callback for the
    operator who parked them (architecture: The call queue: "when answered, the operator calls back")."""
    at = at or timezone.now()
    with transaction.atomic():
        due = list(
            CallTask.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=CallTaskState.PENDING_CHECK, due_at__lte=at)
            .only("id", "order_id", "purpose", "state", "callback_user_id")
            .order_by("due_at")[:BATCH]
        )
        for task in due:
            tasks_move(
                tasks=[task],
                state=CallTaskState.CALLBACK,
                only_if=Q(state=CallTaskState.PENDING_CHECK),
                actor_label="system",
                data={"reason": "check_due"},
                at=at,
            )
    return len(due)


def callbacks_release(*, at: datetime | None = None) -> int:
    """A personal callback due for longer than the store's grace while its operator is not
    working (not ready, not in a call) goes to anyone: callbacks are never lost (architecture: Calling policy)."""
    at = at or timezone.now()
    with transaction.atomic():
        due = list(
            CallTask.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=CallTaskState.CALLBACK, callback_user__isnull=False, due_at__lte=at)
            .only("id", "order_id", "purpose", "store_id", "state", "callback_user_id", "due_at")
            .order_by("due_at")[:BATCH]
        )
        policies = calling_policies_for(store_ids={task.store_id for task in due})
        working = operators_working(operator_ids={task.callback_user_id for task in due})
        released = [
            task
            for task in due
            if task.callback_user_id not in working
            and task.due_at + policies[task.store_id].callback_grace <= at
        ]
        for task in released:
            tasks_move(
                tasks=[task],
                state=CallTaskState.CALLBACK,
                fields={"callback_user": None},
                only_if=Q(state=CallTaskState.CALLBACK, callback_user_id=task.callback_user_id),
                actor_label="system",
                data={"reason": "operator_absent", "operator": task.callback_user_id},
                at=at,
            )
    return len(released)
