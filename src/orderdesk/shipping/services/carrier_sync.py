"""Between the product and the carriers' own APIs: statuses read from a carrier are mapped to the
normalised set by the admin's table (`CarrierStatusCode`) and recorded like any event; the
decisions on delivery problems are sent to the carrier until it took them."""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orderdesk.core.errors import ApplicationError

from ..carriers import CarrierAdapter, CarrierError, CarrierEvent, adapter_for
from ..models import FINAL_STATUSES, CarrierStatusCode, DeliveryProblem, ProblemDecision, Shipment
from .tracking import tracking_event_record

logger = logging.getLogger(__name__)
POLL_BATCH = 50
SEND_BATCH = 50


def carrier_events_record(*, carrier_code: str, events: Sequence[CarrierEvent]) -> int:
    """Record the carrier's events, each under the normalised status its code maps to; a code
    without a mapping is logged and skipped (an admin adds it). Answers the events new to us."""
    mapping = {row.code: row for row in CarrierStatusCode.objects.filter(carrier_code=carrier_code)}
    recorded = 0
    for event in events:
        row = mapping.get(event.code)
        if row is None:
            logger.warning("carrier %s: status code %s has no mapping", carrier_code, event.code)
            continue
        try:
            result = tracking_event_record(
                tracking_number=event.tracking_number, carrier_code=carrier_code,
                status=row.status, reason=row.reason, at=event.at, raw_code=event.code,
                raw=event.raw, actor_label=f"carrier:{carrier_code}",
            )  # fmt: skip
        except ApplicationError as exc:
            logger.warning("carrier %s: event not recorded (%s)", carrier_code, exc.code)
            continue
        recorded += result.created
    return recorded


def carrier_tracking_poll(*, carrier_code: str, adapter: CarrierAdapter | None = None) -> int:
    """Read the statuses of the carrier's parcels still on their way."""
    adapter = adapter or adapter_for(carrier_code)
    if adapter is None:
        return 0
    numbers = list(
        Shipment.objects.filter(carrier__code=carrier_code)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("updated_at")
        .values_list("tracking_number", flat=True)[:POLL_BATCH]
    )
    if not numbers:
        return 0
    try:
        events = adapter.tracking_read(numbers)
    except CarrierError as exc:
        logger.warning("carrier %s: tracking not read (%s)", carrier_code, exc)
        return 0
    return carrier_events_record(carrier_code=carrier_code, events=events)


def problem_decisions_send(*, at: datetime | None = None, limit: int = SEND_BATCH) -> int:
    """Send decided problems to their carrier's adapter (claimed with SKIP LOCKED); a carrier
    without an adapter heard through the store, so there is nothing to send; a carrier that
    fails is tried again on the next run."""
    at = at or timezone.now()
    sent = 0
    with transaction.atomic():
        problems = list(
            DeliveryProblem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(decided_at__isnull=False, carrier_sent_at__isnull=True)
            .exclude(decision=ProblemDecision.CARRIER)  # the carrier's own delivery or return
            .select_related("shipment", "shipment__carrier", "order", "order__locality")
            .order_by("decided_at")[:limit]
        )
        for problem in problems:
            adapter = adapter_for(problem.shipment.carrier.code)
            if adapter is not None:
                try:
                    _decision_send(adapter=adapter, problem=problem)
                except CarrierError as exc:
                    logger.warning("delivery problem %s not sent (%s)", problem.pk, exc)
                    continue
            problem.carrier_sent_at = at
            problem.save(update_fields=["carrier_sent_at", "updated_at"])
            sent += 1
    return sent


def _decision_send(*, adapter: CarrierAdapter, problem: DeliveryProblem) -> None:
    number = problem.shipment.tracking_number
    if problem.decision == ProblemDecision.REDELIVER:
        order = problem.order
        address = ", ".join(part for part in (order.street, order.house, order.apartment) if part)
        adapter.redelivery_request(tracking_number=number, on=problem.redelivery_on,
                                   address=address)  # fmt: skip
    else:
        adapter.return_request(tracking_number=number, reason=problem.return_reason)
