"""A customer who calls in is on the line: the operator who took the call holds them at once
(architecture: The operator's shift — orders by phone)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Customer, Order

from ..models import Lease
from ..selectors import QueueHead, calling_policy_get, customer_waiting_tasks, lease_live_of
from .leases import Claim, _lease_open

OPERATOR_ON_ANOTHER_CALL = "operator_on_another_call"
CUSTOMER_HELD_ELSEWHERE = "customer_held_elsewhere"
NOTHING_TO_CALL_ABOUT = "nothing_to_call_about"


def inbound_call_claim(*, operator: User, order: Order, at: datetime | None = None) -> Claim:
    """Lease this order's customer (every waiting task of theirs in the store, as a claim
    takes them) to the operator now: no calling window and no minimum gap, the customer is
    the one calling. 409 when the operator holds another call, when someone else holds this
    customer, or when nothing of theirs waits for a call."""
    at = at or timezone.now()
    policy = calling_policy_get(store=order.store_id)
    with transaction.atomic():
        # The operator's row first: two claims of one operator at the same instant take turns,
        # and the second sees the first one's lease (a 409, not a second lease).
        User.objects.select_for_update().filter(pk=operator.pk).values_list("pk").first()
        if lease_live_of(operator=operator) is not None:
            raise ApplicationError(
                OPERATOR_ON_ANOTHER_CALL, _("Finish the call first."), status_code=409
            )
        customer = (
            Customer.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=order.customer_id)
            .first()
        )
        held_elsewhere = Lease.objects.filter(customer_id=order.customer_id, ended_at=None)
        if customer is None or held_elsewhere.exists():
            raise ApplicationError(
                CUSTOMER_HELD_ELSEWHERE,
                _("Another operator is on a call with this customer."),
                status_code=409,
            )
        tasks = list(
            customer_waiting_tasks(store_id=order.store_id, customer_id=order.customer_id, at=at)
            .select_for_update(of=("self",))
            .only("id", "order_id", "purpose", "state", "due_at", "callback_user_id")
        )
        if not tasks:
            raise ApplicationError(
                NOTHING_TO_CALL_ABOUT,
                _("Nothing of this customer waits for a call."),
                status_code=409,
            )
        head = QueueHead(id=tasks[0].pk, store_id=order.store_id, customer_id=customer.pk)
        return _lease_open(operator=operator, policy=policy, head=head, tasks=tasks, at=at)
