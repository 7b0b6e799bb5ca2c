"""The carrier's tracking events (architecture: Shipping).

Every event is kept once (the same status, time and raw code again is a repeat: stored once,
changes nothing) and applied only when it moves the parcel forward: a status later than the
current one, and nothing after `delivered` or `returned` but a return of a delivered parcel. A
late `in_transit` after `delivered` is kept as history and changes nothing. The shipment row is
locked first, so that concurrent repeats of one event serialise on it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import OrderEventType, OrderStatus, PaymentMethod
from orderdesk.orders.services import order_event_record, order_status_change
from orderdesk.stores.models import Store

from ..models import (
    FINAL_STATUSES,
    PROBLEM_STATUSES,
    ProblemReason,
    Shipment,
    TrackingEvent,
    TrackingStatus,
)
from .problems import problem_open, problems_end, shipping_policy_of

TRACKING_NUMBER_UNKNOWN = "tracking_number_unknown"
TRACKING_STATUS_INVALID = "tracking_status_invalid"
TRACKING_REASON_INVALID = "tracking_reason_invalid"
CASH_INVALID = "cash_collected_invalid"
TRACKING_AT_WITHOUT_OFFSET = "tracking_at_without_offset"
# Paid at the door: the courier collects the order's total unless the carrier says otherwise.
PAID_AT_DOOR = frozenset({PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY})


@dataclass
class TrackingResult:
    event: TrackingEvent
    created: bool  # False: a repeat of an event already kept


def _errors(
    *, status: str, reason: str, at: datetime, cash_collected: Decimal | None
) -> list[dict[str, Any]]:
    errors = []
    if timezone.is_naive(at):
        message = _("Give the time with its offset (e.g. 2026-11-25T10:00:00+05:00).")
        errors.append({"field": "at", "code": TRACKING_AT_WITHOUT_OFFSET, "message": message})
    if status not in TrackingStatus.values:
        message = _("Unknown tracking status.")
        errors.append({"field": "status", "code": TRACKING_STATUS_INVALID, "message": message,
                       "allowed": TrackingStatus.values})  # fmt: skip
    if reason and reason not in ProblemReason.values:
        message = _("Unknown reason.")
        errors.append({"field": "reason", "code": TRACKING_REASON_INVALID, "message": message,
                       "allowed": ProblemReason.values})  # fmt: skip
    if cash_collected is not None and cash_collected < 0:
        message = _("The cash collected cannot be negative.")
        errors.append({"field": "cash_collected", "code": CASH_INVALID, "message": message})
    return errors


def shipment_for_tracking(*, tracking_number: str, store: Store | None = None, carrier_code=""):
    """The shipment a carrier's number names, locked; in the caller's store when one calls."""
    shipments = Shipment.objects.select_for_update(of=("self",)).select_related(
        "order", "order__store", "order__customer", "carrier"
    )
    shipments = shipments.filter(tracking_number=tracking_number.strip())
    if store is not None:
        shipments = shipments.filter(store=store)
    if carrier_code:
        shipments = shipments.filter(carrier__code=carrier_code)
    shipment = shipments.first()
    if shipment is None:
        raise ApplicationError(
            TRACKING_NUMBER_UNKNOWN,
            _("tracking_number: no shipment with this tracking number."),
            status_code=404,
        )
    return shipment


@transaction.atomic
def tracking_event_record(
    *,
    tracking_number: str,
    status: str,
    at: datetime,
    store: Store | None = None,
    carrier_code: str = "",
    reason: str = "",
    raw_code: str = "",
    raw: dict[str, Any] | None = None,
    cash_collected: Decimal | None = None,
    actor_label: str = "",
) -> TrackingResult:
    errors = _errors(status=status, reason=reason, at=at, cash_collected=cash_collected)
    if errors:
        raise ValidationFailed(errors)
    shipment = shipment_for_tracking(
        tracking_number=tracking_number, store=store, carrier_code=carrier_code
    )
    if status in PROBLEM_STATUSES and not reason:
        reason = ProblemReason.OTHER
    elif status not in PROBLEM_STATUSES and status != TrackingStatus.RETURNED:
        reason = ""  # a reason belongs to a problem or a return only
    key = {"shipment": shipment, "status": status, "at": at, "raw_code": raw_code}
    repeat = TrackingEvent.objects.filter(**key).first()
    if repeat is not None:
        return TrackingResult(event=repeat, created=False)
    applies = tracking_event_applies(shipment=shipment, status=status, at=at)
    now = timezone.now()
    event = TrackingEvent.objects.create(
        **key, reason=reason, raw=raw or {}, received_at=now, applied=applies
    )
    order_event_record(
        order=shipment.order,
        type=OrderEventType.NOTE,
        actor_label=actor_label or f"carrier:{shipment.carrier.code}",
        data={"tracking": status, "at": at.isoformat(), "applied": applies,
              **({"reason": reason} if reason else {}),
              **({"raw_code": raw_code} if raw_code else {})},
        at=now,
    )  # fmt: skip
    if applies:
        _apply(shipment=shipment, event=event, cash_collected=cash_collected, label=actor_label)
    return TrackingResult(event=event, created=True)


def tracking_event_applies(*, shipment: Shipment, status: str, at: datetime) -> bool:
    """Whether an event moves the parcel: a pure rule on the parcel's state (module doc)."""
    if shipment.status == TrackingStatus.DELIVERED:
        return status == TrackingStatus.RETURNED and at > shipment.status_at
    if shipment.status == TrackingStatus.RETURNED:
        return False
    if status in FINAL_STATUSES:
        return True
    return shipment.status_at is None or at > shipment.status_at


def _apply(*, shipment: Shipment, event: TrackingEvent, cash_collected, label: str) -> None:
    shipment.status, shipment.status_at = event.status, event.at
    shipment.save(update_fields=["status", "status_at", "updated_at"])
    order, now = shipment.order, event.received_at
    if event.status == TrackingStatus.OUT_FOR_DELIVERY:
        customer_notify(order=order, event="out_for_delivery", at=now)
    elif event.status in PROBLEM_STATUSES:
        problem_open(shipment=shipment, reason=event.reason, at=now)
    elif event.status == TrackingStatus.DELIVERED:
        shipment_delivered(shipment=shipment, at=event.at, cash_collected=cash_collected,
                           label=label)  # fmt: skip
    elif event.status == TrackingStatus.RETURNED:
        shipment_returned(shipment=shipment, at=event.at, reason=event.reason or event.raw_code,
                          label=label)  # fmt: skip


def shipment_delivered(
    *, shipment: Shipment, at: datetime, cash_collected: Decimal | None, label: str = ""
) -> None:
    """The customer holds the goods: when, and the cash the courier collected (the order's
    total for an order paid at the door, unless the carrier says); feedback is asked later."""
    order = shipment.order
    if cash_collected is None:
        cash_collected = order.total if order.payment_method in PAID_AT_DOOR else Decimal("0")
    policy = shipping_policy_of(order.store_id)
    shipment.delivered_at, shipment.cash_collected = at, cash_collected
    shipment.feedback_due_at = max(at, timezone.now()) + timedelta(
        hours=policy.feedback_delay_hours
    )
    shipment.save(update_fields=["delivered_at", "cash_collected", "feedback_due_at", "updated_at"])
    problems_end(shipment=shipment, delivered=True, at=at)
    order_status_change(
        order=order, to=OrderStatus.DELIVERED, actor_label=label or "carrier",
        data={"delivered_at": at.isoformat(), "cash_collected": f"{cash_collected:.2f}"},
    )  # fmt: skip
    customer_notify(order=order, event="delivered", at=timezone.now())


def shipment_returned(*, shipment: Shipment, at: datetime, reason: str, label: str = "") -> None:
    """The parcel went back to the store: when and why."""
    shipment.returned_at, shipment.return_reason = at, reason or ProblemReason.OTHER
    shipment.feedback_due_at = None
    shipment.save(update_fields=["returned_at", "return_reason", "feedback_due_at", "updated_at"])
    problems_end(shipment=shipment, delivered=False, at=at)
    order_status_change(
        order=shipment.order, to=OrderStatus.RETURNED, actor_label=label or "carrier",
        reason=shipment.return_reason, data={"returned_at": at.isoformat()},
    )  # fmt: skip
