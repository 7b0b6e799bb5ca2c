"""Every write of the integrations app. Callers import from here."""

from .connections import (
    CONNECTION_PLATFORM_INVALID,
    CONNECTION_SECRET_MISSING,
    CONNECTION_SECRET_TOO_LONG,
    InboundOutcome,
    connection_create,
    connection_delete,
    inbound_receive,
)
from .delivery import (
    DeliveryOutcome,
    DeliveryRequest,
    webhook_deliveries_claim,
    webhook_deliveries_fan_out,
    webhook_delivery_prepare,
    webhook_delivery_record,
    webhook_delivery_send,
    webhook_history_purge,
    webhooks_dispatch,
)
from .endpoints import (
    WEBHOOK_EVENT_NOT_FOUND,
    WEBHOOK_EVENTS_INVALID,
    WEBHOOK_REPLAY_TARGET_MISSING,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_replay,
    webhook_secret_generate,
    webhook_secret_rotate,
)
from .imports import order_import_preview, order_import_run, upload_read
from .product_imports import product_import_preview, product_import_run

__all__ = [
    "CONNECTION_PLATFORM_INVALID",
    "CONNECTION_SECRET_MISSING",
    "CONNECTION_SECRET_TOO_LONG",
    "WEBHOOK_EVENTS_INVALID",
    "WEBHOOK_EVENT_NOT_FOUND",
    "WEBHOOK_REPLAY_TARGET_MISSING",
    "DeliveryOutcome",
    "DeliveryRequest",
    "InboundOutcome",
    "connection_create",
    "connection_delete",
    "inbound_receive",
    "order_import_preview",
    "order_import_run",
    "product_import_preview",
    "product_import_run",
    "upload_read",
    "webhook_deliveries_claim",
    "webhook_deliveries_fan_out",
    "webhook_delivery_prepare",
    "webhook_delivery_record",
    "webhook_delivery_send",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_update",
    "webhook_history_purge",
    "webhook_replay",
    "webhook_secret_generate",
    "webhook_secret_rotate",
    "webhooks_dispatch",
]
