"""The customers router: who saw a customer's personal data, for their supervisors; a
customer's export and erasure (SPEC: Personal data), for their store or its supervisors."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from orderdesk.accounts.models import Role
from orderdesk.accounts.principals import principal_of, user_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.phones import PhoneError, phone_mask, phone_normalize
from orderdesk.core.schemas import IsoDateTime, error_responses
from orderdesk.core.untrusted import Limit, Offset
from orderdesk.stores.models import Store

from .models import OrderEvent, ViewedVia
from .selectors import (
    customer_export_data,
    customer_get_supervised,
    customer_views_list,
    customers_by_phone,
)
from .services.audit import orders_view_record
from .services.privacy import ErasureReason, customers_erase

PHONE_INVALID = "phone_invalid"

router = Router(tags=["customers"])


class CustomerViewOut(Schema):
    at: IsoDateTime
    user: str = Field(description="who saw it: the staff member's username")
    via: ViewedVia = Field(
        description="where: desk, order_page, history, admin, api, export, search"
    )
    order_id: UUID
    order_external_id: str


class CustomerViewsOut(Schema):
    customer_id: int
    name: str
    phone: str = Field(description="masked: +7701***4567")
    items: list[CustomerViewOut]
    count: int = Field(description="how many views are recorded, on every page")
    next: str | None = Field(description="the next page's URL; null on the last page")


def customer_view_data(event: OrderEvent) -> dict:
    return {
        "at": event.created_at.isoformat(),
        "user": event.actor.username if event.actor else event.actor_label,
        "via": event.data.get("via", ""),
        "order_id": event.order_id,
        "order_external_id": event.order.external_id,
    }


@router.get(
    "/{customer_id}/views",
    response={200: CustomerViewsOut, **error_responses(401, 403, 404, 422)},
    summary="Who saw the customer's personal data, newest first (supervisors and admins)",
    description="Another store's customer is 404; operators and store keys get 403.",
)
def customer_views(request: HttpRequest, customer_id: int, limit: Limit = 50, offset: Offset = 0):
    user = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    customer = customer_get_supervised(customer_id=customer_id, user=user)
    views = customer_views_list(customer=customer)
    count = views.count()
    page = list(views[offset : offset + limit])
    next_url = None
    if offset + limit < count:
        params = request.GET.copy()
        params["offset"], params["limit"] = str(offset + limit), str(limit)
        next_url = f"{reverse('api:customer_views', args=[customer.pk])}?{params.urlencode()}"
    return {
        "customer_id": customer.pk,
        "name": customer.name,
        "phone": phone_mask(customer.phone),
        "items": [customer_view_data(e) for e in page],
        "count": count,
        "next": next_url,
    }


def _caller_stores(request: HttpRequest) -> tuple[QuerySet[Store], str]:
    """The stores whose customers the caller may export or erase, and the phone region to read
    a number in: a store key its store; a supervisor their stores; an admin every store."""
    principal = principal_of(request)
    if principal.store is not None:
        store = principal.store
        return Store.objects.filter(pk=store.pk), store.default_phone_region
    user = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    if user.role == Role.ADMIN:
        return Store.objects.all(), "KZ"
    return user.stores.all(), "KZ"


def _phone(raw: str, region: str) -> str:
    try:
        return phone_normalize(raw, default_region=region)
    except PhoneError as exc:
        raise ValidationFailed(
            [{"field": "phone", "code": PHONE_INVALID, "message": str(exc)}]
        ) from exc


class CustomerExportOut(Schema):
    customer: dict[str, Any] = Field(
        description="id, store, name, phone, additional_phones, email, language, created_at, "
        "erased_at"
    )
    orders: list[dict[str, Any]] = Field(
        description="every order as `GET /orders/{id}` answers it, with its timeline"
    )
    call_attempts: list[dict[str, Any]] = Field(description="the calls made, with their notes")
    call_tasks: list[dict[str, Any]] = Field(description="the calls planned or done")
    messages: list[dict[str, Any]] = Field(
        default_factory=list, description="the messages sent to and received from the customer"
    )


class CustomersExportOut(Schema):
    customers: list[CustomerExportOut] = Field(
        description="one per store of the caller that holds this phone (a store key: one)"
    )


@router.get(
    "/export",
    response={200: CustomersExportOut, **error_responses(401, 403, 404, 422)},
    summary="Everything held about a customer, by phone (store key, supervisors, admins)",
    description="The phone in any writing, read as order intake reads it. A customer of "
    "another store is 404. A staff member's export is recorded on each order's timeline.",
)
def customer_export(request: HttpRequest, phone: str):
    stores, region = _caller_stores(request)
    customers = list(customers_by_phone(phone=_phone(phone, region), stores=stores))
    if not customers:
        raise Http404("no customer with this phone")
    user = principal_of(request).user
    answer = []
    for customer in customers:
        data, orders = customer_export_data(customer=customer)
        if user is not None:
            orders_view_record(orders=orders, actor=user, via=ViewedVia.EXPORT)
        answer.append(data)
    return {"customers": answer}


class CustomerEraseIn(Schema):
    phone: str = Field(max_length=100, description="in any writing, as order intake reads it")


class CustomerEraseOut(Schema):
    customers: int = Field(description="customers erased (0 when none holds this phone now)")
    orders: int = Field(description="their orders whose personal data was replaced")


@router.post(
    "/erase",
    response={200: CustomerEraseOut, **error_responses(401, 403, 413, 422)},
    summary="Erase a customer's personal data, by phone (store key, supervisors, admins)",
    description="Name, phones, e-mail, address and free text are replaced in the customer, "
    "their orders, timelines, call notes and the store events not yet sent; statuses, dates, "
    "totals and items stay for reports. Each order's timeline records the erasure (who, "
    "when). Erasing again answers zero.",
)
def customer_erase(request: HttpRequest, payload: CustomerEraseIn):
    stores, region = _caller_stores(request)
    customers = list(customers_by_phone(phone=_phone(payload.phone, region), stores=stores))
    principal = principal_of(request)
    label = "" if principal.user else f"store:{principal.store.slug}"  # type: ignore[union-attr]
    return customers_erase(
        customers=customers, reason=ErasureReason.API, actor=principal.user, actor_label=label
    )
