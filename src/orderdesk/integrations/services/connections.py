"""Platform connections: an unguessable inbound URL per platform, and the inbound door itself,
which verifies the platform's request and hands the order to the one intake path."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from orderdesk.core.errors import ApplicationError
from orderdesk.core.tokens import token_digest, token_generate
from orderdesk.orders.services import IntakeResult, orders_intake
from orderdesk.stores.models import Store

from .. import platforms
from ..models import Connection, Platform

CONNECTION_PLATFORM_INVALID = "connection_platform_invalid"
CONNECTION_SECRET_MISSING = "connection_secret_missing"
CONNECTION_SECRET_TOO_LONG = "connection_secret_too_long"
CONNECTION_NOT_FOUND = "connection_not_found"
SECRET_MAX_LENGTH = Connection._meta.get_field("secret").max_length

INBOUND = {
    Platform.WOOCOMMERCE: platforms.woocommerce_inbound,
    Platform.SHOPIFY: platforms.shopify_inbound,
    Platform.JSON: platforms.json_inbound,
}


@transaction.atomic
def connection_create(
    *, store: Store, platform: str, secret: str, name: str = "", api_key_name: str = ""
) -> tuple[Connection, str]:
    """Returns the connection and its inbound token, shown once (only its digest is kept)."""
    if platform not in Platform.values:
        raise ApplicationError(
            CONNECTION_PLATFORM_INVALID,
            f"platform: one of {', '.join(Platform.values)}",
            status_code=422,
            field="platform",
        )
    secret = (secret or "").strip()
    if len(secret) < 8:
        raise ApplicationError(
            CONNECTION_SECRET_MISSING,
            "secret: the platform's webhook secret (or Tilda API key), at least 8 characters",
            status_code=422,
            field="secret",
        )
    if len(secret) > SECRET_MAX_LENGTH:
        raise ApplicationError(
            CONNECTION_SECRET_TOO_LONG,
            f"secret: at most {SECRET_MAX_LENGTH} characters",
            status_code=422,
            field="secret",
        )
    token = token_generate("in")
    connection = Connection.objects.create(
        store=store,
        platform=platform,
        name=name.strip()[:200],
        secret=secret,
        api_key_name=(api_key_name or "").strip()[:100],
        token_digest=token_digest(token),
        token_prefix=token[:10],
    )
    return connection, token


@transaction.atomic
def connection_delete(*, connection: Connection) -> None:
    connection.delete()


@dataclass
class InboundOutcome:
    """What the platform is told: created (201), already there (200), ignored (202), refused."""

    status_code: int
    body: dict = field(default_factory=dict)
    result: IntakeResult | None = None


def inbound_receive(*, token: str, headers: Mapping[str, str], body: bytes) -> InboundOutcome:
    """Verify, map and take in one platform request. An unknown token is 'not found', never a
    hint that the URL exists; a bad signature is refused before the body is looked at."""
    connection = (
        Connection.objects.select_related("store")
        .filter(token_digest=token_digest(token), is_active=True, store__is_active=True)
        .first()
    )
    if connection is None:
        return InboundOutcome(404, {"error": CONNECTION_NOT_FOUND, "message": "not found"})
    try:
        inbound = _verified(connection=connection, headers=headers, body=body)
    except platforms.InboundRefused as exc:
        return InboundOutcome(exc.status_code, {"error": exc.code, "message": exc.message})
    if inbound.payload is None:
        return InboundOutcome(202, {"status": "ignored", "reason": inbound.ignored})
    Connection.objects.filter(pk=connection.pk).update(last_received_at=timezone.now())
    (result,) = orders_intake(
        store=connection.store,
        payloads=[inbound.payload],
        actor_label=f"connection:{connection.platform}",
    )
    if result.errors:
        return InboundOutcome(
            422,
            {"error": "validation_failed", "message": "validation failed", "errors": result.errors},
            result,
        )
    order = result.order
    return InboundOutcome(
        201 if result.created else 200,
        {"id": str(order.pk), "external_id": order.external_id, "status": order.status},
        result,
    )


def _verified(*, connection: Connection, headers: Mapping[str, str], body: bytes):
    if connection.platform == Platform.TILDA:
        return platforms.tilda_inbound(
            headers=headers, body=body, secret=connection.secret, key_name=connection.api_key_name
        )
    return INBOUND[connection.platform](headers=headers, body=body, secret=connection.secret)
