"""Calling's part in erasing a customer's personal data (orders.extensions.on_personal_data_erased):
the free text of the call attempts, address checks and call tasks of the erased orders; their open call tasks
are cancelled (no one is left to call: the phone is gone)."""

from collections.abc import Sequence
from datetime import datetime

from ..models import OPEN_STATES, AddressCheck, CallAttempt, CallTask, CallTaskState
from .tasks import tasks_move


def calls_personal_data_erase(orders: Sequence, values: Sequence[str], at: datetime) -> None:
    order_ids = [o.pk for o in orders]
    CallAttempt.objects.filter(orders__in=order_ids).exclude(notes="").update(notes="")
    AddressCheck.objects.filter(order_id__in=order_ids).exclude(note="").update(note="")
    open_tasks = list(
        CallTask.objects.select_for_update()
        .filter(order_id__in=order_ids, state__in=OPEN_STATES)
        .only("id", "order_id", "purpose", "state")
    )
    tasks_move(
        tasks=open_tasks,
        state=CallTaskState.CANCELLED,
        actor_label="system",
        data={"reason": "personal_data_erased"},
        at=at,
    )
    CallTask.objects.filter(order_id__in=order_ids).exclude(reason="").update(reason="")
