"""Every write of shipping. Callers (API, public pages, workspace, jobs) import from here."""

from .feedback import (
    FEEDBACK_COMMENT_TOO_LONG,
    FEEDBACK_EXISTS,
    FEEDBACK_NOT_DELIVERED,
    FEEDBACK_RATING_INVALID,
    feedback_record,
    feedback_requests_send,
)
from .problems import (
    ADDRESS_FIELD_UNKNOWN,
    RETURN_REASON_MISSING,
    problem_decide,
    problem_open,
    shipping_policy_of,
)
from .shipments import (
    CARRIER_UNKNOWN,
    ORDER_ALREADY_SHIPPED,
    ORDER_NOT_SHIPPABLE,
    ORDER_UNKNOWN,
    TRACKING_NUMBER_INVALID,
    TRACKING_NUMBER_TAKEN,
    ImportRow,
    shipment_record,
    shipment_rows_read,
    shipments_import,
)
from .tracking import (
    TRACKING_NUMBER_UNKNOWN,
    TRACKING_REASON_INVALID,
    TRACKING_STATUS_INVALID,
    TrackingResult,
    tracking_event_applies,
    tracking_event_record,
)

__all__ = [
    "ADDRESS_FIELD_UNKNOWN",
    "CARRIER_UNKNOWN",
    "FEEDBACK_COMMENT_TOO_LONG",
    "FEEDBACK_EXISTS",
    "FEEDBACK_NOT_DELIVERED",
    "FEEDBACK_RATING_INVALID",
    "ORDER_ALREADY_SHIPPED",
    "ORDER_NOT_SHIPPABLE",
    "ORDER_UNKNOWN",
    "RETURN_REASON_MISSING",
    "TRACKING_NUMBER_INVALID",
    "TRACKING_NUMBER_TAKEN",
    "TRACKING_NUMBER_UNKNOWN",
    "TRACKING_REASON_INVALID",
    "TRACKING_STATUS_INVALID",
    "ImportRow",
    "TrackingResult",
    "feedback_record",
    "feedback_requests_send",
    "problem_decide",
    "problem_open",
    "shipment_record",
    "shipment_rows_read",
    "shipments_import",
    "shipping_policy_of",
    "tracking_event_applies",
    "tracking_event_record",
]
