"""The customer's private page `/o/<token>` and the unsubscribe page `/m/unsubscribe/<token>`.

No sign-in: the signed token is the credential. The page works through the same services as
its JSON twin (`/api/v1/self/{token}`) and as a call; mobile first, in the customer's language
(ru, kk, en; `?lang=` switches), no script, under the site's CSP."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from orderdesk.core.errors import ApplicationError, NotFoundError, ValidationFailed
from orderdesk.orders.models import Customer

from .links import telegram_deep_link, unsubscribe_token_read
from .models import OptOutVia
from .selectors import self_service_data
from .services.opt_out import customer_opt_out
from .services.self_service import (
    ADDRESS_FIELDS,
    self_service_cancel,
    self_service_confirm,
    self_service_order_get,
)

LANGUAGES = ("ru", "kk", "en")


def _language(request: HttpRequest, fallback: str) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else (fallback if fallback in LANGUAGES else "ru")


def _not_found(request: HttpRequest) -> HttpResponse:
    language = _language(request, "ru")
    with translation.override(language):
        response = render(
            request, "messaging/self_not_found.html", {"language": language}, status=404
        )
    return response


@require_http_methods(["GET", "POST"])
def self_service_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = self_service_order_get(token=token)
    except NotFoundError:
        return _not_found(request)
    language = _language(request, order.customer.language)
    errors: list[dict] = []
    posted = request.POST if request.method == "POST" else {}
    with translation.override(language):
        if request.method == "POST":
            try:
                _act(request, order)
                return redirect(f"{request.path}?lang={language}")
            except ValidationFailed as exc:
                errors = exc.errors
            except ApplicationError as exc:
                errors = [{"field": "order", "message": exc.message}]
        data = self_service_data(order=self_service_order_get(token=token), now=timezone.now())
        delivery = data["order"]["delivery"]
        context = {
            "data": data,
            "language": language,
            "languages": LANGUAGES,
            "errors": errors,
            "errors_by_field": {e["field"]: e["message"] for e in errors},
            "address_fields": [
                (name, posted.get(name, delivery[name]), _field_label(name))
                for name in ADDRESS_FIELDS
            ],
            "chosen_date": posted.get("delivery_date", delivery["date"] or ""),
            "time_wish": posted.get("time_wish", delivery["time_wish"]),
            "telegram_url": telegram_deep_link(customer_id=order.customer_id),
        }
        return render(request, "messaging/self_service.html", context)


def _field_label(name: str) -> str:
    from orderdesk.orders.models import Order

    return str(Order._meta.get_field(name).verbose_name).capitalize()


def _act(request: HttpRequest, order) -> None:
    if request.POST.get("action") == "cancel":
        self_service_cancel(order=order, reason=request.POST.get("reason", ""))
        return
    raw_date = request.POST.get("delivery_date", "")
    try:
        day = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        day = None
    self_service_confirm(
        order=order,
        delivery_on=day,
        address={name: request.POST[name] for name in ADDRESS_FIELDS if name in request.POST},
        time_wish=request.POST.get("time_wish", ""),
    )


@csrf_exempt  # the token is the credential; mail clients post the one-click unsubscribe (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    customer_id = unsubscribe_token_read(token)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        return _not_found(request)
    language = _language(request, customer.language)
    with translation.override(language):
        done = request.method == "POST"
        if done:
            customer_opt_out(customer=customer, via=OptOutVia.LINK)
        return render(request, "messaging/unsubscribe.html", {"done": done, "language": language})
