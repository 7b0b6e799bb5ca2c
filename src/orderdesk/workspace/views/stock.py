"""Stock help during the call: replace a short item by an alternative, have the customer
called when it is back, record an upsell offer (architecture: Catalog and stock); merge a
duplicate found at intake (architecture: Order screening)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order
from orderdesk.orders.services import (
    ITEM_NOT_FOUND,
    order_back_in_stock_subscribe,
    order_item_replace,
    order_upsell_record,
)
from orderdesk.screening.services import order_duplicate_merge

from ..access import operator_view
from .edits import _int, held_order_edit, held_order_of
from .operator import live_lease


@held_order_edit
def item_replace(request: HttpRequest, order: Order, item_id: int) -> None:
    order_item_replace(
        order=order, item_id=item_id, product_id=_int(request, "product"), actor=request.user
    )


@held_order_edit
def back_in_stock(request: HttpRequest, order: Order, item_id: int) -> None:
    item = order.items.filter(pk=item_id).first()
    if item is None:
        raise ApplicationError(ITEM_NOT_FOUND, "item: not an item of this order", status_code=404)
    order_back_in_stock_subscribe(order=order, sku=item.sku, actor=request.user)


@held_order_edit
def upsell(request: HttpRequest, order: Order) -> None:
    order_upsell_record(
        order=order,
        rule_id=_int(request, "rule"),
        outcome=request.POST.get("outcome", ""),
        actor=request.user,
    )


@require_POST
@operator_view
def duplicate_merge(request: HttpRequest, order_id) -> HttpResponse:
    """Merge a duplicate held in the call into the earlier order: the card is built anew (the
    merged order has left the call)."""
    order = held_order_of(lease=live_lease(request), order_id=order_id)
    if order is None:
        raise Http404("order not found")
    try:
        order_duplicate_merge(order=order, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseClientRefresh() if request.htmx else redirect("workspace:desk")
