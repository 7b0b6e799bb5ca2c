"""The second sign-in step of supervisors and admins: a code, or enrolling an authenticator app
(accounts.two_factor says who is asked; workspace.middleware leads them here)."""

from base64 import b32encode

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from orderdesk.accounts.two_factor import (
    TWO_FACTOR_NO_ENROLLMENT,
    TWO_FACTOR_THROTTLED,
    user_two_factor_device_confirmed,
    user_two_factor_enroll_confirm,
    user_two_factor_enroll_start,
    user_two_factor_verify,
)
from orderdesk.core.errors import ApplicationError

from ..access import supervisor_view


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _error_message(error: ApplicationError) -> str:
    if error.code == TWO_FACTOR_THROTTLED:
        until = timezone.localtime(error.details["locked_until"])
        return _("Too many wrong codes. Wait until %(time)s, then enter the current code.") % {
            "time": time_format(until, "H:i:s")
        }
    if error.code == TWO_FACTOR_NO_ENROLLMENT:
        return _("The set-up has expired; start again.")
    return _("Wrong code. Enter the current 6-digit code or an unused recovery code.")


@supervisor_view
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    if not user_two_factor_device_confirmed(user=request.user):
        enroll_url = reverse("workspace:two_factor_enroll")
        return redirect(f"{enroll_url}?{urlencode({'next': _next(request)})}")
    error, status = "", 200
    if request.method == "POST":
        try:
            device = user_two_factor_verify(user=request.user, code=request.POST.get("code", ""))
        except ApplicationError as refusal:
            error, status = _error_message(refusal), refusal.status_code
        else:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next(request))
    return render(
        request,
        "workspace/two_factor_verify.html",
        {"error": error, "next": _next(request)},
        status=status,
    )


@supervisor_view
def enroll(request: HttpRequest) -> HttpResponse:
    if user_two_factor_device_confirmed(user=request.user):
        return redirect(_next(request))
    error, status = "", 200
    if request.method == "POST":
        try:
            device, codes = user_two_factor_enroll_confirm(
                user=request.user, code=request.POST.get("code", "")
            )
        except ApplicationError as refusal:
            error, status = _error_message(refusal), refusal.status_code
        else:
            otp_login(request, device)
            request.session.cycle_key()
            return render(
                request,
                "workspace/two_factor_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    device = user_two_factor_enroll_start(user=request.user)
    url = device.config_url
    context = {
        "secret": _secret_groups(device),
        # our own markup: a path drawn by segno, no script or style (CSP)
        "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=4, omitsize=False)),  # noqa: S308
        "error": error,
        "next": _next(request),
    }
    return render(request, "workspace/two_factor_enroll.html", context, status=status)


def _secret_groups(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
