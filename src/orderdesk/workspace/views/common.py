"""Screens every staff member shares: the start page and the interface language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from orderdesk.core.errors import ApplicationError

from ..access import any_staff_view
from ..services import user_interface_language_set


@any_staff_view
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_operator:
        return redirect("workspace:desk")
    return redirect("workspace:live")


@require_POST
@any_staff_view
def language_set(request: HttpRequest) -> HttpResponse:
    try:
        user_interface_language_set(user=request.user, language=request.POST.get("language", ""))
    except ApplicationError:
        return HttpResponse(status=422)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "workspace:home"
    return redirect(target)
