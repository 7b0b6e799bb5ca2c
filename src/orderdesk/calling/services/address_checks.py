"""The answer to an out-of-city address check (seed 002, item 1 "Адрес"): the operator parks the
order as a pending check and asks whether the carrier delivers there; a supervisor (or the
answering line through the API) records the answer here. Confirmation waits for it
(calling.checks); "not deliverable" leads the operator to the brand's-stores phrase and a
cancellation. The parked call comes due at once for the operator who parked it, so the customer
hears the answer without waiting for the check's planned time."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order, OrderEventType, OrderStatus
from orderdesk.orders.services import order_event_record, order_lock

from ..models import AddressCheck, CallPurpose, CallTask, CallTaskState
from .tasks import tasks_move

ADDRESS_CHECK_NOT_NEEDED = "address_check_not_needed"
ADDRESS_CHECK_NOTE_MAX = 2000


@transaction.atomic
def address_check_record(
    *, order: Order, deliverable: bool, note: str, actor: User, at: datetime | None = None
) -> AddressCheck:
    """Record the answer for `order` (locked), on its timeline; a parked check of the order
    becomes a callback due now (personal when it was). Only an order awaiting confirmation whose
    address needs checking takes an answer (409 otherwise): a confirmed order's check is over."""
    at = at or timezone.now()
    order = order_lock(order_id=order.pk)
    if order.status != OrderStatus.AWAITING_CONFIRMATION or not order.needs_address_check:
        raise ApplicationError(
            ADDRESS_CHECK_NOT_NEEDED,
            _("This order is not waiting for an address check."),
            status_code=409,
        )
    check = AddressCheck.objects.create(
        order=order, deliverable=deliverable, note=note.strip(), checked_by=actor, checked_at=at
    )
    order_event_record(
        order=order,
        type=OrderEventType.ADDRESS_CHECKED,
        actor=actor,
        data={"deliverable": deliverable, "note": check.note},
        at=at,
    )
    parked = list(
        CallTask.objects.select_for_update(of=("self",)).filter(
            order=order, purpose=CallPurpose.CONFIRMATION, state=CallTaskState.PENDING_CHECK
        )
    )
    tasks_move(
        tasks=parked,
        state=CallTaskState.CALLBACK,
        fields={"due_at": at},
        only_if=Q(state=CallTaskState.PENDING_CHECK),
        actor=actor,
        data={"reason": "check_answered"},
        at=at,
    )
    return check
