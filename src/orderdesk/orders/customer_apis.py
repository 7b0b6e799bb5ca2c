"""The customers router: who saw a customer's personal data, for their supervisors."""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from orderdesk.accounts.models import Role
from orderdesk.accounts.principals import user_of
from orderdesk.core.phones import phone_mask
from orderdesk.core.schemas import IsoDateTime, error_responses
from orderdesk.core.untrusted import Limit, Offset

from .models import OrderEvent, ViewedVia
from .selectors import customer_get_supervised, customer_views_list

router = Router(tags=["customers"])


class CustomerViewOut(Schema):
    at: IsoDateTime
    user: str = Field(description="who saw it: the staff member's username")
    via: ViewedVia = Field(description="where: desk, order_page, history, admin, api, export")
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
