"""The orders router: intake (single and bulk), one order with its timeline, the list."""

from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from orderdesk.accounts.principals import principal_of, store_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.openapi import json_body
from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.core.schemas import FieldErrorOut, error_responses
from orderdesk.core.untrusted import Day, Instant, Limit, Offset, json_parse

from .intake import ItemIn, LongText, OrderIn, ShortText, Text
from .models import Elevator, OrderStatus, ViewedVia
from .representations import order_data, orders_data
from .schemas import OrderDetailOut, OrderOut
from .selectors import order_get, orders_list
from .services import (
    IntakeResult,
    order_cancel_by_store,
    order_change_by_store,
    order_view_record,
    orders_intake,
    orders_view_record,
)

router = Router(tags=["orders"])
BULK_MAX = 1000
SearchText = Annotated[
    str,
    Field(
        max_length=200,
        description="an order number, a phone in any writing, or part of the customer's name",
    ),
]


class OrdersBulkIn(BaseModel):
    """The bulk body, for the document (the view reads it itself, like a single order)."""

    orders: list[OrderIn] = Field(min_length=1, max_length=BULK_MAX)


def _json_body(request: HttpRequest) -> Any:
    """Parsed only: each order is checked for text that cannot be stored by the intake, on its
    own, so that one hostile order of a bulk request fails alone."""
    return json_parse(request.body)


def _result_data(result: IntakeResult) -> dict[str, Any]:
    return order_data(result.order, items=result.items)


@router.post(
    "",
    response={200: OrderOut, 201: OrderOut, **error_responses(401, 403, 413, 422)},
    summary="Create an order (idempotent by external_id)",
    description="201 with the order when created; 200 with the order already stored under the "
    "same `external_id`.",
    openapi_extra=json_body(OrderIn),
)
def order_create(request: HttpRequest):
    store = store_of(request)
    (result,) = orders_intake(
        store=store, payloads=[_json_body(request)], actor_label=f"store:{store.slug}"
    )
    if result.errors:
        raise ValidationFailed(result.errors)
    return (201 if result.created else 200), _result_data(result)


class BulkResult(Schema):
    index: int = Field(description="the order's place in the request, from 0")
    result: Literal["created", "existing", "failed"]
    order: OrderOut | None = Field(description="the order stored; null when it failed")
    errors: list[FieldErrorOut] = Field(description="why it failed; empty otherwise")


class BulkOut(Schema):
    results: list[BulkResult]
    created: int
    existing: int
    failed: int


@router.post(
    "/bulk",
    response={200: BulkOut, **error_responses(401, 403, 413, 422)},
    summary="Create up to 1,000 orders; valid ones are stored even when others fail",
    openapi_extra=json_body(OrdersBulkIn),
)
def orders_bulk_create(request: HttpRequest):
    store = store_of(request)
    body = _json_body(request)
    payloads = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(payloads, list) or not payloads or len(payloads) > BULK_MAX:
        raise ValidationFailed(
            [{"field": "orders", "code": "invalid", "message": f"a list of 1 to {BULK_MAX} orders"}]
        )
    results = orders_intake(store=store, payloads=payloads, actor_label=f"store:{store.slug}")
    stored = [r for r in results if not r.errors]
    data = orders_data(
        [r.order for r in stored], items_by_order={r.order.pk: r.items for r in stored if r.items}
    )
    data_by_index = {r.index: d for r, d in zip(stored, data, strict=True)}
    rows = [_bulk_row(r, data_by_index.get(r.index)) for r in results]
    counts = {
        k: sum(1 for r in rows if r["result"] == k) for k in ("created", "existing", "failed")
    }
    return {"results": rows, **counts}


def _bulk_row(result: IntakeResult, order: dict[str, Any] | None) -> dict[str, Any]:
    if result.errors:
        return {"index": result.index, "result": "failed", "order": None, "errors": result.errors}
    kind = "created" if result.created else "existing"
    return {"index": result.index, "result": kind, "order": order, "errors": []}


@router.get(
    "/{order_id}",
    response={200: OrderDetailOut, **error_responses(401, 404, 422)},
    summary="One order with its timeline",
)
def order_detail(request: HttpRequest, order_id: UUID):
    principal = principal_of(request)
    order = order_get(
        order_id=order_id, store=principal.store, user=principal.user, with_timeline=True
    )
    if principal.user is not None:
        order_view_record(order=order, actor=principal.user, via=ViewedVia.API)
    return order_data(order, timeline=list(order.events.all()))


class OrderPage(Schema):
    items: list[OrderOut]
    count: int = Field(description="how many orders match, on every page")
    next: str | None = Field(description="the next page's URL; null on the last page")


@router.get(
    "",
    response={200: OrderPage, **error_responses(401, 422)},
    summary="The caller's orders, newest change first",
)
def order_list(
    request: HttpRequest,
    external_id: str | None = None,
    status: OrderStatus | None = None,
    updated_since: Instant | None = None,
    search: SearchText | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    principal = principal_of(request)
    orders = orders_list(
        store=principal.store,
        user=principal.user,
        external_id=external_id,
        status=status,
        updated_since=updated_since,
        search=(search or "").strip(),
    )
    count = orders.count()
    page = list(orders[offset : offset + limit])
    if principal.user is not None:
        # Staff reading customers' personal data is recorded, in a list as on one order.
        orders_view_record(orders=page, actor=principal.user, via=ViewedVia.API)
    next_url = None
    if offset + limit < count:
        params = request.GET.copy()
        params["offset"], params["limit"] = str(offset + limit), str(limit)
        next_url = f"{reverse('api:order_list')}?{params.urlencode()}"
    return {"items": orders_data(page), "count": count, "next": next_url}


class _Change(BaseModel):
    """A part of a change: every key optional, an unknown key refused by name."""

    model_config = ConfigDict(extra="forbid")


class RecipientChangeIn(_Change):
    name: Text | None = None
    phone: str | None = Field(None, max_length=40, description="any common writing; empty clears")


class CustomerChangeIn(_Change):
    additional_phones: list[str] | None = Field(
        None, max_length=5, description="numbers to add for the courier (kept ones stay)"
    )


class DeliveryChangeIn(_Change):
    street: Text | None = None
    house: ShortText | None = None
    apartment: ShortText | None = None
    entrance: ShortText | None = None
    floor: ShortText | None = None
    intercom: ShortText | None = None
    elevator: Elevator | None = None
    out_of_city: bool | None = None
    date: Day | None = Field(None, description="the delivery date the customer asks for")
    time_wish: Text | None = None
    comment: LongText | None = Field(None, description="the comment for the courier")


class OrderChangeIn(_Change):
    """Only the keys sent change. Items, when sent, replace the order's items (before
    confirmation); the other fields change until the order is confirmed."""

    recipient: RecipientChangeIn | None = None
    customer: CustomerChangeIn | None = None
    delivery: DeliveryChangeIn | None = None
    items: list[ItemIn] | None = Field(None, min_length=1, max_length=500)
    comment: LongText | None = None


# The order's column each key of a change writes.
DELIVERY_COLUMNS = {
    "street": "street", "house": "house", "apartment": "apartment", "entrance": "entrance",
    "floor": "floor", "intercom": "intercom", "elevator": "elevator",
    "out_of_city": "is_out_of_city", "date": "requested_delivery_on", "time_wish": "time_wish",
    "comment": "delivery_comment",
}  # fmt: skip


def _phone_or_error(value: str, region: str, field: str, errors: list[dict]) -> str:
    try:
        return phone_normalize(value, default_region=region)
    except PhoneError as exc:
        errors.append({"field": field, "code": "invalid_phone", "message": str(exc)})
        return ""


def _change_fields(payload: OrderChangeIn, region: str, errors: list[dict]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if payload.comment is not None:
        fields["comment"] = payload.comment
    if payload.delivery is not None:
        sent = payload.delivery.model_dump(exclude_unset=True)
        fields |= {DELIVERY_COLUMNS[k]: v for k, v in sent.items() if v is not None}
    if payload.recipient is not None:
        if payload.recipient.name is not None:
            fields["recipient_name"] = payload.recipient.name
        phone = payload.recipient.phone
        if phone is not None:
            fields["recipient_phone"] = (
                _phone_or_error(phone, region, "recipient.phone", errors) if phone.strip() else ""
            )
    return fields


@router.patch(
    "/{order_id}",
    response={200: OrderOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Change an order: recipient, phones, address, date, comments, items",
    description="Only the keys sent change; every invalid one is named and nothing is stored. "
    "409 when the order's status no longer allows the change (items until confirmation, the "
    "rest until it is confirmed). Each change is on the timeline and sent as `order.changed`.",
)
def order_change(request: HttpRequest, order_id: UUID, payload: OrderChangeIn):
    store = store_of(request)
    order = order_get(order_id=order_id, store=store)
    errors: list[dict] = []
    region = store.default_phone_region
    fields = _change_fields(payload, region, errors)
    phones = [
        _phone_or_error(p, region, f"customer.additional_phones[{n}]", errors)
        for n, p in enumerate((payload.customer and payload.customer.additional_phones) or [])
    ]
    if errors:
        raise ValidationFailed(errors)
    items = [i.model_dump() for i in payload.items] if payload.items is not None else None
    order = order_change_by_store(
        order=order, store=store, fields=fields, items=items, additional_phones=phones
    )
    return order_data(order_get(order_id=order.pk, store=store))


class OrderCancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=100, description="why the order is cancelled")


@router.post(
    "/{order_id}/cancel",
    response={200: OrderOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Cancel an order before it is shipped",
    description="409 once it is shipped (or already cancelled). Sent as `order.cancelled`; a "
    "call about it ends its work on the order.",
)
def order_cancel(request: HttpRequest, order_id: UUID, payload: OrderCancelIn):
    store = store_of(request)
    order = order_get(order_id=order_id, store=store)
    if not payload.reason.strip():
        raise ValidationFailed([{"field": "reason", "code": "missing", "message": "a reason"}])
    order = order_cancel_by_store(order=order, store=store, reason=payload.reason)
    return order_data(order_get(order_id=order.pk, store=store))
