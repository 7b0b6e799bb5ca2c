"""Until a supervisor or admin who is asked for a second factor has given a code, every screen
(live view, order pages, the admin site) leads to the code step. The API is not affected: it
authenticates by bearer token, never by the session."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from orderdesk.accounts.two_factor import (
    user_two_factor_asked,
    user_two_factor_device_confirmed,
)

# Reached without a code: signing in and out, the code steps themselves, the API, static files.
OPEN_PREFIXES = ("/login/", "/logout/", "/two-factor/", "/api/", "/static/", "/healthz")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_supervisor_or_admin
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and user_two_factor_asked(user=user)
        ):
            return self._to_code_step(request)
        return self.get_response(request)

    def _to_code_step(self, request: HttpRequest) -> HttpResponse:
        step = (
            "workspace:two_factor"
            if user_two_factor_device_confirmed(user=request.user)
            else "workspace:two_factor_enroll"
        )
        target = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)  # htmx follows HX-Redirect with a full page load
            response["HX-Redirect"] = target
            return response
        return redirect(target)
