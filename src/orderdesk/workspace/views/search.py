"""Search in the header: an order by its number, the customer's phone (any writing) or name.

Operators search the stores they work (a customer calling in has an order the operator never
called), supervisors their stores, admins every store (`orders.selectors.orders_searchable`).
Every order listed shows a customer's name: a view, recorded like any list."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orderdesk.orders.models import ViewedVia
from orderdesk.orders.selectors import orders_search
from orderdesk.orders.services import orders_view_record

from ..access import any_staff_view
from ..selectors import queue_tasks_attach

SEARCH_RESULTS_MAX = 50
SEARCH_TEXT_MAX = 200


@any_staff_view
def search(request: HttpRequest) -> HttpResponse:
    text = " ".join(request.GET.get("q", "").split())[:SEARCH_TEXT_MAX]
    orders = []
    if text:
        orders = list(orders_search(text=text, user=request.user)[:SEARCH_RESULTS_MAX])
        queue_tasks_attach(orders)
        orders_view_record(orders=orders, actor=request.user, via=ViewedVia.SEARCH)
    return render(
        request,
        "workspace/search.html",
        {"text": text, "orders": orders, "results_max": SEARCH_RESULTS_MAX},
    )
