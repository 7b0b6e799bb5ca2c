"""Every write to orders. Callers import from here: `from orderdesk.orders.services import …`."""

from .audit import order_view_record
from .intake import IntakeResult, orders_intake
from .lifecycle import (
    ORDER_CANCEL_REASON_MISSING,
    ORDER_FIELD_NOT_EDITABLE,
    ORDER_NOT_EDITABLE,
    ORDER_QUEUE_CONFLICT,
    ORDER_TRANSITION_NOT_ALLOWED,
    STATUS_EVENTS,
    order_event_record,
    order_lock,
    order_queue_state_set,
    order_status_change,
    order_update,
    orders_queue_move,
    store_event_publish,
)

__all__ = [
    "ORDER_CANCEL_REASON_MISSING",
    "ORDER_FIELD_NOT_EDITABLE",
    "ORDER_NOT_EDITABLE",
    "ORDER_QUEUE_CONFLICT",
    "ORDER_TRANSITION_NOT_ALLOWED",
    "STATUS_EVENTS",
    "IntakeResult",
    "order_event_record",
    "order_lock",
    "order_queue_state_set",
    "order_status_change",
    "order_update",
    "order_view_record",
    "orders_intake",
    "orders_queue_move",
    "store_event_publish",
]
