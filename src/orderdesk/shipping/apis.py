"""The shipping router (architecture: Interfaces): shipments (one, or a file), the carrier's
tracking events, the customer's feedback."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from orderdesk.accounts.models import Role
from orderdesk.accounts.principals import ROLE_NOT_ALLOWED, Principal, principal_of, user_of
from orderdesk.core.errors import ApplicationError
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import Instant
from orderdesk.integrations.services.imports import upload_read
from orderdesk.orders.models import Order
from orderdesk.orders.representations import order_data
from orderdesk.orders.schemas import OrderOut
from orderdesk.orders.selectors import order_get
from orderdesk.stores.models import Store

from .links import FEEDBACK, order_id_from_token
from .models import FeedbackVia, ProblemReason, Shipment, TrackingStatus
from .services import (
    TRACKING_NUMBER_UNKNOWN,
    feedback_record,
    shipment_record,
    shipment_rows_read,
    shipments_import,
    tracking_event_record,
)

router = Router(tags=["shipping"])
STORE_STAFF = (Role.SUPERVISOR, Role.ADMIN)


def _store_side(request: HttpRequest) -> Principal:
    """A store's key, or the token of a supervisor or admin (of the store, by scoping)."""
    principal = principal_of(request)
    if principal.user is not None and principal.user.role not in STORE_STAFF:
        raise ApplicationError(
            ROLE_NOT_ALLOWED, "this endpoint is for: store, supervisor, admin", status_code=403
        )
    return principal


def _order_of(request: HttpRequest, order_id: UUID) -> Order:
    principal = _store_side(request)
    return order_get(order_id=order_id, store=principal.store, user=principal.user)


class ShipmentIn(Schema):
    carrier: str = Field(description="the carrier's code", max_length=50)
    tracking_number: str = Field(max_length=100)


@router.post(
    "/orders/{order_id}/shipment",
    response={200: OrderOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Record the shipment: carrier and tracking number; the order becomes shipped",
    description="Allowed from `confirmed` and `in_fulfilment`. The same shipment again answers "
    "the order unchanged; another tracking number for a shipped order is a 409.",
)
def order_shipment(request: HttpRequest, order_id: UUID, payload: ShipmentIn):
    order = _order_of(request, order_id)
    principal = principal_of(request)
    label = f"store:{principal.store.slug}" if principal.store else ""
    shipment_record(
        order=order, carrier_code=payload.carrier, tracking_number=payload.tracking_number,
        actor=principal.user, actor_label=label,
    )  # fmt: skip
    return order_data(_order_of(request, order_id))


class ShipmentImportRowOut(Schema):
    row: int = Field(description="the row's number in the file (the header is row 1)")
    order_number: str
    order_id: UUID
    carrier: str
    tracking_number: str


class ShipmentImportOut(Schema):
    applied: bool = Field(description="false for a preview: nothing was stored")
    rows: list[ShipmentImportRowOut]


def _import_store(request: HttpRequest, store: str | None) -> Store:
    principal = _store_side(request)
    if principal.store is not None:
        return principal.store
    stores = Store.objects.all()
    if principal.user.role != Role.ADMIN:
        stores = stores.filter(staff=principal.user)
    found = stores.filter(slug=store or "").first()
    if found is None:
        raise Http404(f"store {store} not found")
    return found


@router.post(
    "/shipments/import",
    response={200: ShipmentImportOut, **error_responses(401, 403, 404, 413, 422)},
    summary="Ship orders from a CSV or Excel file of order number → tracking number",
    description="Columns `order_number`, `tracking_number`, optional `carrier` (else the "
    "order's carrier). All or nothing: one bad row stores nothing and the 422 names each bad "
    "row (`rows[<n>].<field>`). `preview=true` checks the file and stores nothing. A staff "
    "token names the store with `store` (its slug).",
)
def shipments_file_import(
    request: HttpRequest,
    file: File[UploadedFile],
    preview: bool = False,
    store: str | None = None,
):
    target = _import_store(request, store)
    rows = shipment_rows_read(file_name=file.name or "upload.csv", data=upload_read(file))
    principal = principal_of(request)
    done = shipments_import(
        store=target, rows=rows, actor=principal.user, apply=not preview,
        actor_label=f"store:{target.slug}" if principal.store else "",
    )  # fmt: skip
    return {
        "applied": not preview,
        "rows": [
            {
                "row": r.number,
                "order_number": r.external_id,
                "order_id": r.order.pk,
                "carrier": r.carrier_code,
                "tracking_number": r.tracking_number.strip(),
            }
            for r in done
        ],
    }


class TrackingEventIn(Schema):
    tracking_number: str = Field(max_length=100)
    status: Literal[tuple(TrackingStatus.values)]  # type: ignore[valid-type]
    at: Instant = Field(description="when it happened, with its offset")
    reason: Literal[tuple(ProblemReason.values)] | None = Field(  # type: ignore[valid-type]
        default=None, description="for failed_attempt and exception (default other)"
    )
    raw: dict[str, Any] = Field(default_factory=dict, description="the carrier's own event")
    cash_collected: Decimal | None = Field(
        default=None, description="delivered: the cash collected (default: the order's total "
        "when paid at the door)", max_digits=14, decimal_places=2,
    )  # fmt: skip


class TrackingAcceptedOut(Schema):
    accepted: bool
    repeat: bool = Field(description="true when this event had been received already")
    applied: bool = Field(description="false when a later event had already moved the parcel")


def _tracking_store(principal: Principal, number: str) -> Store:
    if principal.store is not None:
        return principal.store
    shipments = Shipment.objects.filter(tracking_number=number.strip())
    if principal.user.role != Role.ADMIN:
        shipments = shipments.filter(store__in=principal.user.stores.all())
    shipment = shipments.select_related("store").first()
    if shipment is None:
        raise ApplicationError(
            TRACKING_NUMBER_UNKNOWN, "tracking_number: no shipment with this tracking number",
            status_code=404,
        )  # fmt: skip
    return shipment.store


@router.post(
    "/tracking/events",
    response={202: TrackingAcceptedOut, **error_responses(401, 403, 404, 413, 422)},
    summary="A carrier's tracking event, in the normalised set",
    description="Repeats are idempotent (the same status, time and raw code). An event "
    "older than the parcel's latest is kept as history and changes nothing; nothing but a "
    "return follows `delivered`. `failed_attempt` and `exception` open a delivery-problem call.",
)
def tracking_event(request: HttpRequest, payload: TrackingEventIn):
    principal = _store_side(request)
    store = _tracking_store(principal, payload.tracking_number)
    raw_code = str(payload.raw.get("code", ""))[:100] if isinstance(payload.raw, dict) else ""
    result = tracking_event_record(
        tracking_number=payload.tracking_number, status=payload.status, at=payload.at,
        store=store, reason=payload.reason or "", raw_code=raw_code, raw=payload.raw,
        cash_collected=payload.cash_collected,
        actor_label=f"store:{store.slug}" if principal.store else principal.user.username,
    )  # fmt: skip
    return 202, {"accepted": True, "repeat": not result.created, "applied": result.event.applied}


class FeedbackIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class FeedbackGivenOut(Schema):
    rating: int
    comment: str
    at: datetime


def feedback_order(token: str) -> Order:
    order_id = order_id_from_token(token=token, purpose=FEEDBACK)
    order = Order.objects.filter(pk=order_id).first() if order_id else None
    if order is None:
        raise Http404("no such feedback link")
    return order


@router.post(
    "/feedback/{token}",
    auth=None,
    response={201: FeedbackGivenOut, **error_responses(404, 409, 413, 422)},
    summary="The customer's feedback on a delivered order (the link's token is the credential)",
)
def feedback_give(request: HttpRequest, token: str, payload: FeedbackIn):
    given = feedback_record(
        order=feedback_order(token), rating=payload.rating, comment=payload.comment,
        via=FeedbackVia.API,
    )  # fmt: skip
    return 201, {"rating": given.rating, "comment": given.comment, "at": given.created_at}


@router.post(
    "/orders/{order_id}/feedback",
    response={201: FeedbackGivenOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="The customer's feedback as an operator heard it on the phone",
)
def feedback_by_operator(request: HttpRequest, order_id: UUID, payload: FeedbackIn):
    user = user_of(request, Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
    order = order_get(order_id=order_id, user=user)
    given = feedback_record(
        order=order, rating=payload.rating, comment=payload.comment, via=FeedbackVia.OPERATOR,
        actor=user,
    )  # fmt: skip
    return 201, {"rating": given.rating, "comment": given.comment, "at": given.created_at}
