"""The JSON shapes of messaging's endpoints."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, RootModel

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


class SmsInboundIn(BaseModel):
    id: str = Field(
        "", max_length=100, description="the provider's id of the SMS (repeats are dropped)"
    )
    sender: str = Field(alias="from", max_length=40, description="the customer's phone")
    text: str = Field(max_length=4000)


class EmailInboundIn(BaseModel):
    message_id: str = Field("", max_length=300, description="the reply's own Message-ID")
    sender: str = Field(alias="from", max_length=254, description="the customer's address")
    subject: str = Field("", max_length=300)
    text: str = Field(max_length=20000, description="the reply's plain text")
    in_reply_to: str = Field("", max_length=300, description="the Message-ID it answers")


class InboundOut(BaseModel):
    id: str | None = Field(description="the incoming message; null when the sender is unknown")
    order_id: str | None
    opted_out: bool


class WhatsAppWebhookOut(BaseModel):
    statuses: int = Field(description="delivery statuses that found their message")
    messages: int = Field(description="customer messages that found their conversation")


class WhatsAppChallengeOut(RootModel[str]):
    """The `hub.challenge` Meta sent, answered back as plain text."""
