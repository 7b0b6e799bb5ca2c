"""The customer's public pages, opened by a signed link (no sign-in, no personal data shown
but the order's number): the parcel's tracking history, and the feedback form. Both speak the
customer's language (ru, kk, en)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Order, OrderStatus

from .links import FEEDBACK, TRACKING, order_id_from_token
from .models import Feedback, FeedbackVia
from .selectors import open_problem_of, order_for_public_page, order_tracking_history, shipment_of
from .services import feedback_record

LANGUAGES = ("ru", "kk", "en")


def _order(token: str, purpose: str) -> Order:
    order_id = order_id_from_token(token=token, purpose=purpose)
    order = order_for_public_page(order_id=order_id) if order_id else None
    if order is None:
        raise Http404("no such link")
    return order


def _language(request: HttpRequest, order: Order) -> str:
    asked = request.GET.get("lang", "")
    return (
        asked if asked in LANGUAGES else (order.language if order.language in LANGUAGES else "ru")
    )


@require_http_methods(["GET", "HEAD"])
def tracking_page(request: HttpRequest, token: str) -> HttpResponse:
    order = _order(token, TRACKING)
    # Times in the customer's own zone (the page says which).
    with translation.override(_language(request, order)), timezone.override(order.timezone):
        return render(
            request,
            "shipping/tracking.html",
            {
                "order": order,
                "shipment": shipment_of(order_id=order.pk),
                "events": order_tracking_history(order_id=order.pk),
                "problem": open_problem_of(order_id=order.pk),
                "lang": translation.get_language(),
                "languages": LANGUAGES,
            },
        )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_page(request: HttpRequest, token: str) -> HttpResponse:
    order = _order(token, FEEDBACK)
    with translation.override(_language(request, order)):
        context = {"order": order, "lang": translation.get_language(), "languages": LANGUAGES,
                   "delivered": order.status == OrderStatus.DELIVERED}  # fmt: skip
        status = 200
        if request.method == "POST":
            try:
                rating = int(request.POST.get("rating", ""))
            except ValueError:
                rating = 0
            try:
                feedback_record(order=order, rating=rating,
                                comment=request.POST.get("comment", ""), via=FeedbackVia.PAGE)  # fmt: skip
            except ApplicationError as exc:
                context["errors"] = getattr(exc, "errors", None) or [{"message": exc.message}]
                context["comment"] = request.POST.get("comment", "")
                status = 422 if exc.status_code == 422 else 409
        context["feedback"] = Feedback.objects.filter(order=order).first()
        return render(request, "shipping/feedback.html", context, status=status)
