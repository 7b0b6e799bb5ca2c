"""Body size limit for the API, answered in JSON (413) before the body is read."""

from django.conf import settings
from django.http import JsonResponse

BULK_PATHS = ("/api/v1/orders/bulk", "/api/v1/imports")


class ApiBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            limit = (
                settings.ORDERDESK_API_MAX_BULK_BODY
                if request.path.startswith(BULK_PATHS)
                else settings.ORDERDESK_API_MAX_BODY
            )
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return JsonResponse(
                    {"error": "body_too_large", "message": f"request body over {limit} bytes"},
                    status=413,
                )
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """Under /api/, the errors Django answers itself (unknown path, wrong method, a crash) are JSON
    too, so a client can always parse the body."""

    ERRORS = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        500: "server_error",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in self.ERRORS:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        body = {"error": self.ERRORS[response.status_code], "message": response.reason_phrase}
        return JsonResponse(body, status=response.status_code)
