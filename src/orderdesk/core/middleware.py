"""Middleware of our own: GET /healthz answered before anything else, and form posts and query
strings outside the API checked for text that cannot be stored before any view sees them: the
screens and the admin read request.POST and request.GET directly, and a NUL byte (the only such
text a form or a URL can carry: undecodable bytes become U+FFFD) would otherwise reach
PostgreSQL and fail there as a 500."""

from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .health import health_report
from .untrusted import text_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refused_field(request: HttpRequest) -> str | None:
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if text_problem(key) or any(text_problem(v) for v in values):
                return key
    return None


class UntrustedFormMiddleware:
    """The API checks its own input, field by field (api.parser); everything else is here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not request.path.startswith("/api/"):
            field = _refused_field(request)
            if field is not None:
                return HttpResponseBadRequest(
                    _("The field %(field)s contains characters that cannot be stored.")
                    % {"field": field.replace("\x00", "")[:100]},
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class HealthzMiddleware:
    """GET /healthz, first in the chain: no credentials, no host check and no HTTPS redirect (a
    load balancer asks by address, over plain HTTP), no session or CSRF work."""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.rstrip("/") != self.PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"error": "method_not_allowed"}, status=405)
        status, body = health_report(worker_required=request.GET.get("require") == "worker")
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
