"""The answers of the integrations routers (webhooks, connections, imports), as their `*_data`
functions in `apis` build them. Every key those functions write is a field here: ninja answers
with the schema's fields only."""

from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BaseModel, Field

from orderdesk.core.schemas import IsoDateTime
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.schemas import OrderOut

from .models import AttemptOutcome, ImportStatus, LogKind, Platform


class WebhookEndpointOut(Schema):
    id: UUID
    url: str
    events: list[StoreEventType] = Field(description="the events sent to this endpoint")
    description: str
    is_active: bool
    disabled_at: IsoDateTime | None
    disabled_reason: str | None
    failing_since: IsoDateTime | None = Field(
        description="start of the current run of failed deliveries; null when the last succeeded"
    )
    created_at: IsoDateTime


class WebhookEndpointSecretOut(WebhookEndpointOut):
    """On registration and rotation only: the secret is never shown again."""

    secret: str = Field(
        description="Standard Webhooks secret (whsec_ + base64) that signs every delivery"
    )
    previous_secret_expires_at: IsoDateTime | None = Field(
        description="until then the replaced secret signs too (a second signature)"
    )


class WebhookRequestOut(Schema):
    url: str
    headers: dict[str, str]
    body_bytes: int | None
    body: dict[str, Any] | None = Field(
        description='the document sent: {"type", "timestamp", "data": the order then}'
    )


class WebhookLogEntryOut(Schema):
    id: int
    kind: LogKind
    at: IsoDateTime
    event_id: UUID | None = Field(description="the event's id: the webhook-id of its deliveries")
    event_type: StoreEventType | None
    attempt: int | None = Field(description="1 for the first delivery of the event, then 2, …")
    request: WebhookRequestOut | None = Field(description="for a delivery attempt")
    response_status: int | None
    response_body: str | None
    error: str | None = Field(description="why no answer came (timeout, refused connection…)")
    duration_ms: int | None
    outcome: AttemptOutcome | None
    next_attempt_at: IsoDateTime | None
    message: str | None


class WebhookLogOut(Schema):
    items: list[WebhookLogEntryOut]
    count: int
    offset: int
    limit: int


class ReplayOut(Schema):
    scheduled: int = Field(description="how many deliveries were scheduled")


class ConnectionOut(Schema):
    id: UUID
    platform: Platform
    name: str
    is_active: bool
    token_prefix: str = Field(description="the start of the inbound URL's token, to recognise it")
    last_received_at: IsoDateTime | None
    created_at: IsoDateTime
    api_key_name: str = Field(None, description="Tilda only: the name its API key comes under")


class ConnectionCreatedOut(ConnectionOut):
    """On creation only: the inbound URL is not shown again."""

    inbound_url: str = Field(
        description="where the platform posts its orders", examples=["/api/v1/inbound/in_…"]
    )


class InboundOrderOut(Schema):
    id: UUID
    external_id: str
    status: OrderStatus


class InboundIgnoredOut(Schema):
    status: Literal["ignored"]
    reason: str = Field(description="what the platform sent instead of an order (a ping…)")


class RowErrorOut(Schema):
    row: int = Field(description="the spreadsheet row, the header being row 1")
    column: str
    message: str


class ImportOrderOut(Schema):
    external_id: str
    rows: list[int]
    items: int
    exists: bool = Field(description="the store already has an order with this external_id")
    errors: list[RowErrorOut]
    result: Literal["created", "existing", "failed"] | None = Field(
        description="after the import; null in a preview"
    )


class OrderImportOut(Schema):
    id: UUID
    store: str
    file_name: str
    status: ImportStatus
    orders: list[ImportOrderOut]
    row_errors: list[RowErrorOut] = Field(description="rows that belong to no order")
    created: int
    existing: int
    failed: int


class StoreEventDocument(BaseModel):
    """The body of every webhook delivery (`services.delivery.webhook_body`): the event and
    the order as it was when the event happened, the same bytes on every attempt."""

    type: StoreEventType
    timestamp: IsoDateTime = Field(description="when the event happened")
    data: OrderOut
