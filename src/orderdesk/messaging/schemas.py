"""The JSON shapes of messaging's endpoints."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from orderdesk.core.schemas import IsoDate, IsoDateTime, Money


class MessageOut(BaseModel):
    id: str
    direction: Literal["out", "in"]
    channel: str = Field(examples=["sms"])
    template: str = Field(description="the event the message is about, e.g. order_received")
    to: str = Field(description="the customer's address on the channel (phone, e-mail)")
    status: str = Field(description="queued, sending, sent, delivered or failed")
    subject: str
    body: str = Field(description="the text as it was sent")
    at: IsoDateTime = Field(description="when it was queued")
    not_before: IsoDateTime = Field(description="when it may leave (quiet hours, rate limit)")
    sent_at: IsoDateTime | None
    delivered_at: IsoDateTime | None
    error: str


class MessagesOut(BaseModel):
    items: list[MessageOut]


class SelfItemOut(BaseModel):
    name: str
    quantity: int
    price: Money


class SelfDeliveryOut(BaseModel):
    locality: str
    street: str
    house: str
    apartment: str
    entrance: str
    floor: str
    intercom: str
    date: IsoDate | None
    time_wish: str


class SelfOrderOut(BaseModel):
    id: str
    number: str = Field(description="the store's order number")
    store: str = Field(description="the store's name")
    status: str
    language: str
    items: list[SelfItemOut]
    total: Money
    currency: str
    delivery: SelfDeliveryOut


class CancelReasonOut(BaseModel):
    code: str
    label: str


class SelfServiceOut(BaseModel):
    order: SelfOrderOut
    decided: bool = Field(description="true once the order is confirmed or cancelled")
    allowed_dates: list[IsoDate] = Field(description="the delivery dates the customer may choose")
    earliest_date: IsoDate | None
    missing: list[str] = Field(description="what must be given before confirming, by field")
    cancel_reasons: list[CancelReasonOut]


class SelfAddressIn(BaseModel):
    street: str | None = Field(None, max_length=200)
    house: str | None = Field(None, max_length=50)
    apartment: str | None = Field(None, max_length=50)
    entrance: str | None = Field(None, max_length=50)
    floor: str | None = Field(None, max_length=50)
    intercom: str | None = Field(None, max_length=50)


class SelfConfirmIn(BaseModel):
    delivery_date: date | None = None
    address: SelfAddressIn | None = None
    time_wish: str = Field("", max_length=200, description="kept for the courier")


class SelfCancelIn(BaseModel):
    reason: str = Field(max_length=100, description="a code from `cancel_reasons`")


class ReceiptIn(BaseModel):
    id: str = Field(description="the message's id, as sent to the provider")
    status: Literal["sent", "delivered", "failed"]
    error: str = Field("", max_length=300)


class ReceiptOut(BaseModel):
    id: str
    status: str
