"""Routers: /webhooks (endpoints, log, replay, secret rotation), /connections, /inbound/<token>."""

import json
from typing import Annotated, Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field, WithJsonSchema

from orderdesk.accounts.models import Role
from orderdesk.accounts.principals import store_of, user_of
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import Instant, Limit, Offset
from orderdesk.orders.events import StoreEventType

from .models import Connection, OrderImport, Platform, WebhookEndpoint, WebhookLogEntry
from .schemas import (
    ConnectionCreatedOut,
    ConnectionOut,
    InboundIgnoredOut,
    InboundOrderOut,
    OrderImportOut,
    ReplayOut,
    WebhookEndpointOut,
    WebhookEndpointSecretOut,
    WebhookLogOut,
)
from .selectors import (
    connection_get,
    connections_list,
    import_stores_for,
    order_import_get,
    webhook_endpoint_get,
    webhook_endpoints_list,
    webhook_log_list,
)
from .services import (
    connection_create,
    connection_delete,
    inbound_receive,
    order_import_preview,
    order_import_run,
    upload_read,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_replay,
    webhook_secret_rotate,
)
from .services.delivery import webhook_body

webhooks_router = Router(tags=["webhooks"])
connections_router = Router(tags=["connections"])
inbound_router = Router(tags=["connections"])
imports_router = Router(tags=["imports"])


def endpoint_data(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "is_active": endpoint.is_active,
        "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
        "disabled_reason": endpoint.disabled_reason or None,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
        "created_at": endpoint.created_at.isoformat(),
    }
    if with_secret:
        data["secret"] = endpoint.secret
        expires = endpoint.previous_secret_expires_at
        data["previous_secret_expires_at"] = expires.isoformat() if expires else None
    return data


def _sent_document(entry: WebhookLogEntry) -> dict[str, Any] | None:
    """What was sent: the same document on every attempt, rebuilt from the event."""
    delivery = entry.delivery
    if delivery is None or delivery.event_id is None:
        return None
    return json.loads(webhook_body(delivery.event))


def log_data(entry: WebhookLogEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "at": entry.created_at.isoformat(),
        "event_id": str(entry.event_id) if entry.event_id else None,
        "event_type": entry.event_type or None,
        "attempt": entry.attempt,
        "request": {
            "url": entry.request_url,
            "headers": entry.request_headers,
            "body_bytes": entry.request_body_bytes,
            "body": _sent_document(entry),
        }
        if entry.kind == "attempt"
        else None,
        "response_status": entry.response_status,
        "response_body": entry.response_body or None,
        "error": entry.error or None,
        "duration_ms": entry.duration_ms,
        "outcome": entry.outcome or None,
        "next_attempt_at": entry.next_attempt_at.isoformat() if entry.next_attempt_at else None,
        "message": entry.message or None,
    }


# An event type as the body names it: checked by the service, which answers 422 in its own
# terms (the field and every unknown name), so the schema lists the names without enforcing them.
EventTypeName = Annotated[str, WithJsonSchema({"type": "string", "enum": StoreEventType.values})]


class WebhookIn(Schema):
    url: str = Field(description="https URL that receives the deliveries")
    events: list[EventTypeName] | None = Field(
        None, description="the events to send; all of them when left out"
    )
    description: str = ""


class WebhookPatch(Schema):
    url: str | None = None
    events: list[EventTypeName] | None = None
    description: str | None = None
    is_active: bool | None = None


class ReplayIn(Schema):
    event_id: UUID | None = Field(None, description="send this one event again")
    since: Instant | None = Field(None, description="send every subscribed event since then")


@webhooks_router.post(
    "",
    response={201: WebhookEndpointSecretOut, **error_responses(401, 403, 413, 422)},
    summary="Register a webhook endpoint",
)
def webhook_create(request: HttpRequest, body: WebhookIn):
    endpoint = webhook_endpoint_create(
        store=store_of(request), url=body.url, events=body.events, description=body.description
    )
    return 201, endpoint_data(endpoint, with_secret=True)


@webhooks_router.get(
    "",
    response={200: list[WebhookEndpointOut], **error_responses(401, 403)},
    summary="The store's webhook endpoints",
)
def webhook_list(request: HttpRequest):
    return [endpoint_data(e) for e in webhook_endpoints_list(store=store_of(request))]


@webhooks_router.get(
    "/{endpoint_id}",
    response={200: WebhookEndpointOut, **error_responses(401, 403, 404, 422)},
    summary="One webhook endpoint",
)
def webhook_detail(request: HttpRequest, endpoint_id: UUID):
    return endpoint_data(webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id))


@webhooks_router.patch(
    "/{endpoint_id}",
    response={200: WebhookEndpointOut, **error_responses(401, 403, 404, 413, 422)},
    summary="Change URL, events, description or enable/disable",
)
def webhook_update(request: HttpRequest, endpoint_id: UUID, body: WebhookPatch):
    endpoint = webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id)
    changes = body.model_dump(exclude_unset=True)
    return endpoint_data(webhook_endpoint_update(endpoint=endpoint, changes=changes))


@webhooks_router.delete(
    "/{endpoint_id}",
    response={204: None, **error_responses(401, 403, 404, 422)},
    summary="Delete an endpoint",
)
def webhook_delete(request: HttpRequest, endpoint_id: UUID):
    webhook_endpoint_delete(
        endpoint=webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id)
    )
    return 204, None


@webhooks_router.post(
    "/{endpoint_id}/rotate-secret",
    response={200: WebhookEndpointSecretOut, **error_responses(401, 403, 404, 422)},
    summary="New secret; the old one keeps signing (a second signature) for 24 hours",
)
def webhook_rotate_secret(request: HttpRequest, endpoint_id: UUID):
    endpoint = webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id)
    return endpoint_data(webhook_secret_rotate(endpoint=endpoint), with_secret=True)


@webhooks_router.get(
    "/{endpoint_id}/log",
    response={200: WebhookLogOut, **error_responses(401, 403, 404, 422)},
    summary="Delivery log, newest first (paginated)",
)
def webhook_log(request: HttpRequest, endpoint_id: UUID, limit: Limit = 50, offset: Offset = 0):
    endpoint = webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id)
    entries = webhook_log_list(endpoint=endpoint)
    count = entries.count()
    return {
        "items": [log_data(e) for e in entries[offset : offset + limit]],
        "count": count,
        "offset": offset,
        "limit": limit,
    }


@webhooks_router.post(
    "/{endpoint_id}/replay",
    response={202: ReplayOut, **error_responses(401, 403, 404, 413, 422)},
    summary="Send one event again, or every subscribed event since a time",
)
def webhook_replay_request(request: HttpRequest, endpoint_id: UUID, body: ReplayIn):
    endpoint = webhook_endpoint_get(store=store_of(request), endpoint_id=endpoint_id)
    count = webhook_replay(endpoint=endpoint, event_id=body.event_id, since=body.since)
    return 202, {"scheduled": count}


def connection_data(connection: Connection, *, token: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(connection.pk),
        "platform": connection.platform,
        "name": connection.name,
        "is_active": connection.is_active,
        "token_prefix": connection.token_prefix,
        "last_received_at": (
            connection.last_received_at.isoformat() if connection.last_received_at else None
        ),
        "created_at": connection.created_at.isoformat(),
    }
    if connection.platform == Platform.TILDA:
        data["api_key_name"] = connection.api_key_name or "api_key"
    if token is not None:
        data["inbound_url"] = f"/api/v1/inbound/{token}"
    return data


class ConnectionIn(Schema):
    platform: str = Field(description="woocommerce | shopify | tilda | json")
    secret: str = Field(
        description="the platform's webhook secret (WooCommerce, Shopify, json) or Tilda API key"
    )
    name: str = ""
    api_key_name: str = Field("", description="Tilda: the name its API key is sent under")


@connections_router.post(
    "",
    response={201: ConnectionCreatedOut, **error_responses(401, 403, 413, 422)},
    summary="Connect a platform; the inbound URL is shown once",
    exclude_unset=True,  # api_key_name is Tilda's only
)
def connection_create_api(request: HttpRequest, body: ConnectionIn):
    connection, token = connection_create(
        store=store_of(request),
        platform=body.platform,
        secret=body.secret,
        name=body.name,
        api_key_name=body.api_key_name,
    )
    return 201, connection_data(connection, token=token)


@connections_router.get(
    "",
    response={200: list[ConnectionOut], **error_responses(401, 403)},
    summary="The store's platform connections",
    exclude_unset=True,  # api_key_name is Tilda's only
)
def connection_list(request: HttpRequest):
    return [connection_data(c) for c in connections_list(store=store_of(request))]


@connections_router.delete(
    "/{connection_id}",
    response={204: None, **error_responses(401, 403, 404, 422)},
    summary="Disconnect",
)
def connection_delete_api(request: HttpRequest, connection_id: UUID):
    connection_delete(
        connection=connection_get(store=store_of(request), connection_id=connection_id)
    )
    return 204, None


@inbound_router.post(
    "/{token}",
    auth=None,
    response={
        200: InboundOrderOut,
        201: InboundOrderOut,
        202: InboundIgnoredOut,
        **error_responses(401, 404, 413, 422),
    },
    summary="A platform posts its own order format here (verified by its signature or API key)",
    description="201 with the order when created, 200 when the platform's order is already "
    "here, 202 when the request holds no order (a platform's own check). 401: the signature "
    "or API key is missing or does not match.",
)
def inbound(request: HttpRequest, token: str) -> HttpResponse:
    outcome = inbound_receive(token=token, headers=request.headers, body=request.body)
    return JsonResponse(
        outcome.body, status=outcome.status_code, json_dumps_params={"ensure_ascii": False}
    )


def import_data(order_import: OrderImport) -> dict[str, Any]:
    return {
        "id": str(order_import.pk),
        "store": order_import.store.slug,
        "file_name": order_import.file_name,
        "status": order_import.status,
        "orders": [
            {
                "external_id": o["external_id"],
                "rows": o["rows"],
                "items": o["items"],
                "exists": o["exists"],
                "errors": o["errors"],
                "result": o.get("result"),
            }
            for o in order_import.orders
        ],
        "row_errors": order_import.row_errors,
        "created": order_import.created_count,
        "existing": order_import.existing_count,
        "failed": order_import.failed_count,
    }


@imports_router.post(
    "",
    response={201: OrderImportOut, **error_responses(401, 403, 404, 413, 422)},
    summary="Check a CSV or Excel file of orders (supervisor or admin token); nothing is stored",
)
def import_preview(request: HttpRequest, store: Form[str], file: File[UploadedFile]):
    user = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    target = import_stores_for(user=user).filter(slug=store).first()
    if target is None:
        raise Http404(f"store {store} not found")
    order_import = order_import_preview(
        store=target, user=user, file_name=file.name or "upload.csv", data=upload_read(file)
    )
    return 201, import_data(order_import)


@imports_router.post(
    "/{import_id}/run",
    response={200: OrderImportOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Store the previewed orders without errors; those already there are not duplicated",
)
def import_run(request: HttpRequest, import_id: UUID):
    user = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    order_import = order_import_get(user=user, import_id=import_id)
    return import_data(order_import_run(order_import=order_import, user=user))
