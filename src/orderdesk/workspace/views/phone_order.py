"""Orders by phone: an operator taking an inbound call enters the order in the standard form.
The form posts the same payload a store's API call would, through the same intake (its
validation names each bad field by the API's path), then the operator holds the customer at once
and confirms on the card like any call."""

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orderdesk.accounts.models import Language
from orderdesk.calling.selectors import lease_live_of
from orderdesk.calling.services.inbound import inbound_call_claim
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Elevator, PaymentMethod, Source
from orderdesk.orders.services import orders_intake

from ..access import operator_view

ITEM_ROWS = 5
CUSTOMER_FIELDS = ("name", "phone", "email", "language")
DELIVERY_FIELDS = (
    "locality", "street", "house", "apartment", "entrance", "floor", "intercom", "elevator",
    "date", "time_wish", "comment",
)  # fmt: skip
ITEM_FIELDS = ("sku", "name", "quantity", "price")


def phone_order_number() -> str:
    """A number for an order taken by phone, unique enough to be the store's external id."""
    return f"TEL-{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def phone_order_payload(post) -> dict:
    """The API's order body from the form: `customer.*`, `delivery.*`, `items[N].*` (empty rows
    left out), `payment.method`, `comment`."""
    items = []
    for row in range(ITEM_ROWS):
        item = {name: post.get(f"items[{row}].{name}", "").strip() for name in ITEM_FIELDS}
        if any(item.values()):
            items.append(item)
    delivery = {name: post.get(f"delivery.{name}", "").strip() for name in DELIVERY_FIELDS}
    if not delivery["date"]:
        delivery.pop("date")
    return {
        "external_id": post.get("external_id", "").strip(),
        "source": Source.PHONE,
        "customer": {name: post.get(f"customer.{name}", "").strip() for name in CUSTOMER_FIELDS},
        "items": items,
        "delivery": delivery,
        "payment": {"method": post.get("payment.method", "")},
        "comment": post.get("comment", "").strip(),
    }


def _form_page(request: HttpRequest, *, values: dict, errors: list, status: int = 200):
    stores = list(request.user.stores.filter(is_active=True).order_by("name"))
    return render(
        request,
        "workspace/phone_order.html",
        {
            "stores": stores,
            "values": values,
            "errors": errors,
            "error_fields": {error["field"] for error in errors},
            "item_rows": range(ITEM_ROWS),
            "elevators": Elevator.choices,
            "payments": PaymentMethod.choices,
            "languages": Language.choices,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@operator_view
def phone_order(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form_page(request, values={"external_id": phone_order_number()}, errors=[])
    values = request.POST.dict()
    if lease_live_of(operator=request.user) is not None:
        error = {
            "field": "",
            "code": "operator_on_another_call",
            "message": _("Finish the call first."),
        }
        return _form_page(request, values=values, errors=[error], status=409)
    store = request.user.stores.filter(is_active=True, pk=request.POST.get("store") or 0).first()
    if store is None:
        error = {"field": "store", "code": "missing", "message": _("Choose the store.")}
        return _form_page(request, values=values, errors=[error], status=422)
    [result] = orders_intake(
        store=store, payloads=[phone_order_payload(request.POST)], actor_label=request.user.username
    )
    if result.errors:
        return _form_page(request, values=values, errors=result.errors, status=422)
    try:
        inbound_call_claim(operator=request.user, order=result.order)
    except ApplicationError as exc:
        error = {"field": "", "code": exc.code, "message": exc.message}
        return _form_page(request, values=values, errors=[error], status=409)
    return redirect("workspace:desk")
