"""Login throttling on django-axes: 5 failed logins for a username, or 20 from one address, lock
further logins out (the right password included) for 15 minutes, answered 429 with the sign-in
page and a message saying when to try again. Lockouts are listed and lifted in the admin (Axes →
Access attempts: delete the row)."""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

USERNAME_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
LOCKOUT = timedelta(minutes=15)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Every sign-in over HTTP carries its request and is throttled; a check of credentials
    without one (Django's test client, a management command) has no address to count and is
    left to the next backend, where axes's own backend would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes counts failures per lockout parameter (settings: username, then address) and locks at
    one limit, AXES_FAILURE_LIMIT (the username's). The address's count is scaled to that limit,
    so that the same comparison locks at ADDRESS_FAILURE_LIMIT for it:
    a * U // A >= U exactly when a >= A."""

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # lockout parameters other than settings' two: axes's own count
            return max(counts, default=0)
        by_username, by_address = counts
        return max(by_username, by_address * USERNAME_FAILURE_LIMIT // ADDRESS_FAILURE_LIMIT)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The sign-in page again, with the lockout said plainly (axes's AXES_LOCKOUT_CALLABLE)."""
    minutes = int(LOCKOUT.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts. Signing in is blocked for %(minutes)d minutes; "
        "try again later or ask an administrator to lift the block."
    ) % {"minutes": minutes}
    response: HttpResponse = render(
        request, "workspace/login.html", {"lockout_message": message}, status=429
    )
    response["Retry-After"] = str(int(LOCKOUT.total_seconds()))
    return response
