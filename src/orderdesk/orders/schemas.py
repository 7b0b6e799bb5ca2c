"""The order as the API answers it: the schemas of `representations.order_data`, for the
OpenAPI document and for every router that answers with orders (orders, calls).

`order_data` builds the payload (webhooks carry the same one); these schemas describe it, and
the tests hold the two together: a key the representation gains must be added here, or the API
would drop it. A new part of the order is a field on `OrderOut` with a schema of its own.

Plain pydantic models rather than ninja's `Schema`: they read the representation's dicts in
compiled code, without ninja's attribute getter around every nested object, which keeps the
bulk intake's answer (up to 1,000 orders) several times cheaper to check."""

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from orderdesk.core.schemas import IsoDate, IsoDateTime, Money

from .models import Elevator, OrderStatus, PaymentMethod, Source


class CustomerOut(BaseModel):
    name: str
    phone: str = Field(description="E.164", examples=["+77011234567"])
    email: str | None
    language: str = Field(description="ru, kk or en: the language to speak and write in")
    additional_phones: list[str] = Field(description="other numbers of the customer, E.164")


class RecipientOut(BaseModel):
    name: str
    phone: str | None = Field(description="E.164, when someone else receives the order")


class ItemOut(BaseModel):
    sku: str
    name: str
    category: str
    quantity: int
    price: Money
    attributes: dict[str, Any] = Field(description="the store's own attributes, free-form")
    added_by_operator: bool


class DeliveryOut(BaseModel):
    locality: str = Field(description="the matched locality's name, else the name as given")
    locality_as_given: str
    locality_matched: bool
    country: str | None
    timezone: str = Field(description="the customer's IANA time zone", examples=["Asia/Almaty"])
    address_line: str = Field(description="the address as one line, verbatim, when sent so")
    street: str
    house: str
    apartment: str
    entrance: str
    floor: str
    intercom: str
    elevator: Elevator
    out_of_city: bool
    needs_address_check: bool
    requested_date: IsoDate | None = Field(description="the date the customer asked for")
    earliest_date: IsoDate | None = Field(description="the earliest date the zone can deliver")
    date: IsoDate | None = Field(description="the date promised at confirmation")
    time_wish: str
    comment: str
    carrier: str | None = Field(description="the carrier's code")


class PaymentOut(BaseModel):
    method: PaymentMethod


class CallTaskOut(BaseModel):
    id: UUID
    purpose: str = Field(
        description="why the contact center calls: confirmation, delivery_problem, feedback, "
        "back_in_stock"
    )
    state: str = Field(description="queued, in_call, callback, pending_check or unreachable")
    due_at: IsoDateTime | None = Field(description="when the call is due; null when unreachable")
    reason: str = Field(description="why the task was opened (free text; empty for a confirmation)")


class ShipmentOut(BaseModel):
    carrier: str = Field(description="the carrier's code")
    tracking_number: str
    tracking_url: str = Field(description="the public tracking page of the order")
    status: str | None = Field(
        description="the latest tracking status: info_received, in_transit, out_for_delivery, "
        "failed_attempt, delivered, returned, exception"
    )
    status_at: IsoDateTime | None
    delivered_at: IsoDateTime | None
    cash_collected: Money | None = Field(description="cash collected on delivery")
    returned_at: IsoDateTime | None
    return_reason: str | None


class DeliveryProblemOut(BaseModel):
    reason: str = Field(description="customer_absent, address_not_found, refused, damaged or other")
    opened_at: IsoDateTime
    deadline_at: IsoDateTime = Field(description="resolve by")
    decision: str | None = Field(
        description="redeliver or return; carrier when the parcel was delivered or returned "
        "before anyone decided; null while open"
    )
    decided_at: IsoDateTime | None
    delivery_date: IsoDate | None = Field(description="the new date of a redelivery")


class FeedbackOut(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str
    at: IsoDateTime


class OrderOut(BaseModel):
    id: UUID
    external_id: str = Field(description="the store's own id of the order")
    store: str = Field(description="the store's slug")
    source: Source
    status: OrderStatus
    queue_state: str | None = Field(
        description="where an order awaiting confirmation is in calling (its confirmation call "
        "task's state); null otherwise"
    )
    cancel_reason: str | None
    customer: CustomerOut
    recipient: RecipientOut
    items: list[ItemOut]
    total: Money
    currency: str = Field(examples=["KZT"])
    delivery: DeliveryOut
    payment: PaymentOut
    comment: str
    created_at: IsoDateTime
    updated_at: IsoDateTime
    tasks: list[CallTaskOut] = Field(description="the order's open call tasks")
    shipment: ShipmentOut | None = Field(
        default=None, description="the parcel, once the order is shipped"
    )
    delivery_problem: DeliveryProblemOut | None = Field(
        default=None, description="the latest delivery problem of the parcel"
    )
    feedback_url: str | None = Field(
        default=None, description="the customer's feedback page, once the order is delivered"
    )
    feedback: FeedbackOut | None = Field(default=None, description="the customer's answer")
    self_service_url: str | None = Field(
        default=None,
        description="the customer's private page (confirm, choose a date, complete the address "
        "or cancel); null when messaging is not installed",
    )


class OrderEventOut(BaseModel):
    type: str = Field(description="what happened, e.g. created, status_changed, call_attempt")
    at: IsoDateTime
    actor: str | None = Field(description="the user's name, or the program's label")
    data: dict[str, Any] = Field(description="the event's own details, free-form")


class OrderDetailOut(OrderOut):
    timeline: list[OrderEventOut] = Field(description="what happened to the order, oldest first")
