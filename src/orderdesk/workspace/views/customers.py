"""Who saw a customer: the supervisor's answer to "who looked at my data?" (architecture:
Personal data). Reading this list is not recorded as a view of the customer: it shows the
masked phone and the name only to say whose list it is."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orderdesk.orders.selectors import customer_get_supervised, customer_views_list

from ..access import supervisor_view

VIEWS_PER_PAGE = 100


@supervisor_view
def customer_views(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_supervised(customer_id=customer_id, user=request.user)
    page = Paginator(customer_views_list(customer=customer), VIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "workspace/customer_views.html", {"customer": customer, "page": page})
