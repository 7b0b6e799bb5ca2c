"""The one NinjaAPI: each app's router, bearer auth, and every error as JSON."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from orderdesk.core.errors import ApplicationError, ValidationFailed, field_path
from orderdesk.core.openapi import body_schemas, json_body
from orderdesk.core.ratelimit import RateLimited
from orderdesk.core.schemas import error_description
from orderdesk.integrations.apis import (
    connections_router,
    imports_router,
    inbound_router,
    webhooks_router,
)
from orderdesk.integrations.schemas import StoreEventDocument
from orderdesk.orders.apis import router as orders_router
from orderdesk.orders.customer_apis import router as customers_router

from .auth import BearerAuth
from .parser import UntrustedInputParser


class OrderdeskAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        """Ninja's document, with what ninja cannot know: the schemas of the bodies views read
        themselves (`json_body`) and what each error status means in this API."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema["components"]["schemas"]
        for name, body in body_schemas().items():
            components.setdefault(name, body)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security"):
                    operation["responses"][429] = {**RATE_LIMITED_ANSWER}
                for status, answer in operation["responses"].items():
                    answer["description"] = error_description(status) or answer["description"]
        return schema


# Every call with a credential counts against its minute's budget (`accounts.principals`), so
# every operation with security can answer 429.
RATE_LIMITED_ANSWER = {
    "description": "",
    "headers": {
        "Retry-After": {
            "description": "the seconds until the minute turns",
            "schema": {"type": "integer"},
        }
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


STORE_EVENT_WEBHOOK = {
    "post": {
        "summary": "A store event, sent to every endpoint subscribed to its type",
        "description": "Standard Webhooks: `webhook-id` (the event's id, the same on every "
        "attempt), `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "
        '"id.timestamp.body">` keyed with the secret\'s decoded bytes. Any answer but 2xx is '
        "retried with growing delays.",
        **json_body(StoreEventDocument),
        "responses": {"2XX": {"description": "Received"}},
    }
}

api = OrderdeskAPI(
    title="orderdesk",
    version="1",
    description="Orders in, statuses out: intake, the call queue, delivery dates, store webhooks.",
    auth=BearerAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Swagger UI from ninja's own static files (ninja is an installed app), its settings in a
    # JSON block and its start in a static script: nothing inline, nothing from another origin.
    # No validator badge: it would send the document to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_extra={"webhooks": {"store-event": STORE_EVENT_WEBHOOK}},
    parser=UntrustedInputParser(),
)
api.add_router("/orders", orders_router)
api.add_router("/customers", customers_router)
api.add_router("/calls", "orderdesk.calling.apis.router")
api.add_router("/orders", "orderdesk.calling.apis.orders_router")
api.add_router("/webhooks", webhooks_router)
api.add_router("/connections", connections_router)
api.add_router("/inbound", inbound_router)
api.add_router("/imports", imports_router)
api.add_router("/delivery", "orderdesk.delivery.apis.router")
api.add_router("/products", "orderdesk.catalog.apis.router")
api.add_router("/reports", "orderdesk.reports.apis.router")
api.add_router("/dispatches", "orderdesk.fulfilment.apis.router")
api.add_router("", "orderdesk.shipping.apis.router")
api.add_router("/orders", "orderdesk.messaging.apis.orders_router")
api.add_router("/self", "orderdesk.messaging.apis.self_router")
api.add_router("/messages", "orderdesk.messaging.apis.receipts_router")


@api.exception_handler(ValidationFailed)
def on_validation_failed(request: HttpRequest, exc: ValidationFailed):
    return api.create_response(
        request, {"error": exc.code, "message": exc.message, "errors": exc.errors}, status=422
    )


@api.exception_handler(RateLimited)
def on_rate_limited(request: HttpRequest, exc: RateLimited):
    response = on_application_error(request, exc)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError):
    body = {"error": exc.code, "message": exc.message, **exc.details}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError):
    errors = [
        {
            "field": field_path(
                tuple(p for p in e.get("loc", ()) if p not in ("body", "query", "path", "payload"))
            ),
            "code": e.get("type", "invalid"),
            "message": e.get("msg", "invalid"),
        }
        for e in exc.errors
    ]
    return api.create_response(
        request,
        {"error": "validation_failed", "message": "validation failed", "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"error": "unauthenticated", "message": "missing or invalid bearer credentials"},
        status=401,
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"error": "not_found", "message": str(exc) or "not found"}, status=404
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(
        request, {"error": "body_too_large", "message": str(exc)}, status=413
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    if isinstance(exc.__cause__, ValidationFailed):  # the body parser's refusal (parser.py)
        return on_validation_failed(request, exc.__cause__)
    return api.create_response(
        request, {"error": "http_error", "message": str(exc)}, status=exc.status_code
    )
