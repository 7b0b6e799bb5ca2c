"""Every write to orders. Callers import from here: `from orderdesk.orders.services import …`."""

from .audit import call_card_view_record, order_view_record, orders_view_record
from .intake import IntakeResult, orders_intake
from .items import (
    ITEM_LAST_ONE,
    ITEM_NOT_FOUND,
    ITEM_QUANTITY_INVALID,
    PHONE_INVALID,
    PRODUCT_NOT_AVAILABLE,
    customer_phone_add,
    order_item_add,
    order_item_quantity_set,
    order_item_remove,
    order_items_replace,
)
from .lifecycle import (
    ORDER_CANCEL_REASON_MISSING,
    ORDER_FIELD_NOT_EDITABLE,
    ORDER_NOT_EDITABLE,
    ORDER_TRANSITION_NOT_ALLOWED,
    STATUS_EVENTS,
    actor_label_of,
    order_event_record,
    order_lock,
    order_status_change,
    order_update,
    store_event_publish,
)
from .store_changes import order_cancel_by_store, order_change_by_store

__all__ = [
    "ITEM_LAST_ONE",
    "ITEM_NOT_FOUND",
    "ITEM_QUANTITY_INVALID",
    "ORDER_CANCEL_REASON_MISSING",
    "ORDER_FIELD_NOT_EDITABLE",
    "ORDER_NOT_EDITABLE",
    "ORDER_TRANSITION_NOT_ALLOWED",
    "PHONE_INVALID",
    "PRODUCT_NOT_AVAILABLE",
    "STATUS_EVENTS",
    "IntakeResult",
    "actor_label_of",
    "call_card_view_record",
    "customer_phone_add",
    "order_cancel_by_store",
    "order_change_by_store",
    "order_event_record",
    "order_item_add",
    "order_item_quantity_set",
    "order_item_remove",
    "order_items_replace",
    "order_lock",
    "order_status_change",
    "order_update",
    "order_view_record",
    "orders_intake",
    "orders_view_record",
    "store_event_publish",
]
