"""The supervisor's list of orders held at intake (blacklist, open-order limit), each with its
risk reasons, to approve (its call joins the queue) or reject (the order is cancelled)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from orderdesk.core.errors import ApplicationError
from orderdesk.orders.selectors import orders_visible_to_user
from orderdesk.screening.rules import LABELS
from orderdesk.screening.selectors import orders_held
from orderdesk.screening.services import screening_decide

from ..access import supervisor_view
from ..selectors import stores_supervised_by


@supervisor_view
def held_orders(request: HttpRequest) -> HttpResponse:
    stores = stores_supervised_by(user=request.user)
    held = list(orders_held(store_ids=[s.pk for s in stores]))
    for screening in held:
        screening.reason_labels = [LABELS.get(code, code) for code in screening.reasons]
    return render(request, "workspace/screening.html", {"held": held})


@require_POST
@supervisor_view
def held_order_decide(request: HttpRequest, order_id) -> HttpResponse:
    order = orders_visible_to_user(user=request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404("order not found")
    try:
        screening_decide(
            order=order,
            approve=request.POST.get("decision") == "approve",
            actor=request.user,
            note=request.POST.get("note", "").strip()[:300],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("workspace:held_orders")
