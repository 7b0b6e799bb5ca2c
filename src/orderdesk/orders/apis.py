"""The orders router: intake (single and bulk), one order with its timeline, the list."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from orderdesk.api.auth import principal_of, store_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.untrusted import Instant, Limit, Offset, json_parse

from .intake import OrderIn
from .models import OrderStatus
from .representations import order_data
from .selectors import order_get, orders_list
from .services import IntakeResult, order_view_record, orders_intake, orders_view_record

router = Router(tags=["orders"])
BULK_MAX = 1000
ORDER_BODY = {
    "requestBody": {
        "content": {"application/json": {"schema": OrderIn.model_json_schema()}},
        "required": True,
    }
}


def _json_body(request: HttpRequest) -> Any:
    """Parsed only: each order is checked for text that cannot be stored by the intake, on its
    own, so that one hostile order of a bulk request fails alone."""
    return json_parse(request.body)


def _result_data(result: IntakeResult) -> dict[str, Any]:
    return order_data(result.order, items=result.items)


@router.post(
    "",
    response={200: dict, 201: dict},
    summary="Create an order (idempotent by external_id)",
    openapi_extra=ORDER_BODY,
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
    index: int
    result: str
    order: dict | None = None
    errors: list[dict] = []


class BulkOut(Schema):
    results: list[BulkResult]
    created: int
    existing: int
    failed: int


@router.post(
    "/bulk",
    response=BulkOut,
    summary="Create up to 1,000 orders; valid ones are stored even when others fail",
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
    rows = [_bulk_row(r) for r in results]
    counts = {
        k: sum(1 for r in rows if r["result"] == k) for k in ("created", "existing", "failed")
    }
    return {"results": rows, **counts}


def _bulk_row(result: IntakeResult) -> dict[str, Any]:
    if result.errors:
        return {"index": result.index, "result": "failed", "errors": result.errors}
    kind = "created" if result.created else "existing"
    return {"index": result.index, "result": kind, "order": _result_data(result)}


@router.get("/{order_id}", response=dict, summary="One order with its timeline")
def order_detail(request: HttpRequest, order_id: UUID):
    principal = principal_of(request)
    order = order_get(
        order_id=order_id, store=principal.store, user=principal.user, with_timeline=True
    )
    if principal.user is not None:
        order_view_record(order=order, actor=principal.user, via="api")
    return order_data(order, timeline=list(order.events.all()))


class OrderPage(Schema):
    items: list[dict]
    count: int
    next: str | None


@router.get("", response=OrderPage, summary="The caller's orders, newest change first")
def order_list(
    request: HttpRequest,
    external_id: str | None = None,
    status: OrderStatus | None = None,
    updated_since: Instant | None = None,
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
    )
    count = orders.count()
    page = list(orders[offset : offset + limit])
    if principal.user is not None:
        # Staff reading customers' personal data is recorded, in a list as on one order.
        orders_view_record(orders=page, actor=principal.user, via="api")
    next_url = None
    if offset + limit < count:
        params = request.GET.copy()
        params["offset"], params["limit"] = str(offset + limit), str(limit)
        next_url = f"{reverse('api:order_list')}?{params.urlencode()}"
    return {"items": [order_data(o) for o in page], "count": count, "next": next_url}
