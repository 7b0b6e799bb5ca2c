"""Shipping's periodic jobs (run by `orderdesk worker`); each is safe in several workers."""

from orderdesk.core.periodic import periodic
from orderdesk.delivery.models import Carrier

from .carriers import adapter_for
from .services import feedback_requests_send
from .services.carrier_sync import carrier_tracking_poll, problem_decisions_send
from .services.feedback import low_ratings_escalate


@periodic(every_seconds=60)
def feedback_requests_due_send() -> None:
    """Feedback requests for deliveries whose time came."""
    feedback_requests_send()


@periodic(every_seconds=60)
def low_ratings_escalate_due() -> None:
    """Supervisor calls of low ratings whose feedback call has ended."""
    low_ratings_escalate()


@periodic(every_seconds=30)
def delivery_decisions_send() -> None:
    """Decisions on delivery problems to the carriers that have an adapter."""
    problem_decisions_send()


@periodic(every_seconds=300, single=True)
def carriers_tracking_poll() -> None:
    """Statuses of the parcels on their way, from the carriers that have an adapter."""
    for code in Carrier.objects.values_list("code", flat=True):
        if adapter_for(code) is not None:
            carrier_tracking_poll(carrier_code=code)
