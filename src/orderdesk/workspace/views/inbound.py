"""The inbound line's screen: find the customer who calls by phone."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orderdesk.orders.models import ViewedVia
from orderdesk.orders.services import orders_view_record

from ..access import any_staff_view
from ..inbound import inbound_lookup


@any_staff_view
def inbound(request: HttpRequest) -> HttpResponse:
    phone = request.GET.get("phone", "").strip()[:40]
    found = inbound_lookup(user=request.user, phone=phone) if phone else []
    if found:
        # the operator reads the customer's personal data: recorded like the call card
        orders = [io.order for customer in found for io in customer.orders]
        orders_view_record(orders=orders, actor=request.user, via=ViewedVia.DESK)
    return render(
        request,
        "workspace/inbound.html",
        {"phone": phone, "found": found, "unreadable": found is None},
    )
