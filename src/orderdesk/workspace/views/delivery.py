"""The desk's delivery actions on the order page: a supervisor records the shipment; staff who
heard the customer record their feedback. Both through the shipping services."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderdesk.accounts.models import Role
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.selectors import orders_visible_to_user
from orderdesk.shipping.models import FeedbackVia
from orderdesk.shipping.services import feedback_record, shipment_record

from ..access import any_staff_view, staff_view
from .orders import order_for_viewer


def _refusal(request: HttpRequest, exc: ApplicationError) -> None:
    errors = getattr(exc, "errors", None) or [{"message": exc.message}]
    for error in errors:
        messages.error(request, error["message"])


@require_POST
@staff_view(Role.SUPERVISOR, Role.ADMIN)
def shipment(request: HttpRequest, order_id) -> HttpResponse:
    order = orders_visible_to_user(user=request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404("order not found")
    try:
        shipment_record(
            order=order,
            carrier_code=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
            actor=request.user,
        )
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Shipment recorded."))
    return redirect("workspace:order", order_id=order.pk)


@require_POST
@any_staff_view
def feedback(request: HttpRequest, order_id) -> HttpResponse:
    order = order_for_viewer(user=request.user, order_id=order_id)
    try:
        rating = int(request.POST.get("rating", ""))
    except ValueError:
        rating = 0
    try:
        feedback_record(
            order=order,
            rating=rating,
            comment=request.POST.get("comment", ""),
            via=FeedbackVia.OPERATOR,
            actor=request.user,
        )
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Feedback recorded."))
    if request.POST.get("next") == "desk":  # heard during a feedback call: back to the card
        return redirect("workspace:desk")
    return redirect("workspace:order", order_id=order.pk)
