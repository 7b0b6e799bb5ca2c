"""Every write to orders. Callers import from here: `from orderdesk.orders.services import …`."""

from .audit import call_card_view_record, order_view_record, orders_view_record
from .back_in_stock import PRODUCT_NOT_FOLLOWED, order_back_in_stock_subscribe
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
    order_item_replace,
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
from .upsell import UPSELL_OUTCOME_INVALID, UPSELL_RULE_NOT_FOUND, order_upsell_record

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
    "PRODUCT_NOT_FOLLOWED",
    "STATUS_EVENTS",
    "UPSELL_OUTCOME_INVALID",
    "UPSELL_RULE_NOT_FOUND",
    "IntakeResult",
    "actor_label_of",
    "call_card_view_record",
    "customer_phone_add",
    "order_back_in_stock_subscribe",
    "order_cancel_by_store",
    "order_change_by_store",
    "order_event_record",
    "order_item_add",
    "order_item_quantity_set",
    "order_item_remove",
    "order_item_replace",
    "order_items_replace",
    "order_lock",
    "order_status_change",
    "order_update",
    "order_upsell_record",
    "order_view_record",
    "orders_intake",
    "orders_view_record",
    "store_event_publish",
]
