"""Messaging's routers: an order's messages, the customer's private page as JSON, and the
providers' delivery receipts and customers' replies (SMS, e-mail, Telegram, WhatsApp)."""

import hashlib
import hmac
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from orderdesk.accounts.principals import principal_of
from orderdesk.core.errors import ApplicationError
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import json_checked
from orderdesk.orders.models import ViewedVia
from orderdesk.orders.selectors import order_get
from orderdesk.orders.services import order_view_record

from .models import Channel, Message, OptOut
from .schemas import (
    EmailInboundIn,
    InboundOut,
    MessagesOut,
    ReceiptIn,
    ReceiptOut,
    SelfCancelIn,
    SelfConfirmIn,
    SelfServiceOut,
    SmsInboundIn,
    WhatsAppChallengeOut,
    WhatsAppWebhookOut,
)
from .selectors import order_messages_list, self_service_data
from .services.inbound import reply_receive
from .services.self_service import (
    self_service_cancel,
    self_service_confirm,
    self_service_order_get,
)
from .services.sending import message_receipt_record
from .services.telegram import telegram_update_receive
from .services.whatsapp import whatsapp_webhook_receive

orders_router = Router(tags=["messages"])
self_router = Router(tags=["self-service"])
receipts_router = Router(tags=["messages"])
RECEIPT_UNAUTHENTICATED = "receipt_unauthenticated"
MESSAGE_NOT_FOUND = "message_not_found"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def message_data(message: Message) -> dict:
    return {
        "id": str(message.pk),
        "direction": message.direction,
        "channel": message.channel,
        "template": message.event,
        "to": message.to,
        "status": message.status,
        "subject": message.subject,
        "body": message.body,
        "at": message.created_at.isoformat(),
        "not_before": message.not_before.isoformat(),
        "sent_at": _iso(message.sent_at),
        "delivered_at": _iso(message.delivered_at),
        "error": message.error,
    }


@orders_router.get(
    "/{order_id}/messages",
    response={200: MessagesOut, **error_responses(401, 404, 422)},
    summary="The order's messages to and from the customer, oldest first",
)
def order_messages(request: HttpRequest, order_id: UUID):
    principal = principal_of(request)
    order = order_get(order_id=order_id, store=principal.store, user=principal.user)
    if principal.user is not None:
        order_view_record(order=order, actor=principal.user, via=ViewedVia.API)
    return {"items": [message_data(m) for m in order_messages_list(order=order)]}


@self_router.get(
    "/{token}",
    auth=None,
    response={200: SelfServiceOut, **error_responses(404, 422)},
    summary="The customer's private page: the order, the dates allowed, what is missing",
    description="No credentials: the signed token is the credential. 404 when it is forged "
    "or expired.",
)
def self_service(request: HttpRequest, token: str):
    order = self_service_order_get(token=token)
    return self_service_data(order=order, now=timezone.now())


@self_router.post(
    "/{token}/confirm",
    auth=None,
    response={200: SelfServiceOut, **error_responses(404, 409, 413, 422)},
    summary="The customer confirms: a delivery date among the allowed, the address, a wish",
    description="The same checks as a call's confirmation (422 naming each field); 409 when "
    "the order is already confirmed or cancelled.",
)
def self_service_confirm_api(request: HttpRequest, token: str, payload: SelfConfirmIn):
    order = self_service_order_get(token=token)
    address = payload.address.model_dump(exclude_none=True) if payload.address else {}
    self_service_confirm(
        order=order,
        delivery_on=payload.delivery_date,
        address=address,
        time_wish=payload.time_wish,
    )
    return self_service_data(order=self_service_order_get(token=token), now=timezone.now())


@self_router.post(
    "/{token}/cancel",
    auth=None,
    response={200: SelfServiceOut, **error_responses(404, 409, 413, 422)},
    summary="The customer cancels, with a reason from the store's list",
)
def self_service_cancel_api(request: HttpRequest, token: str, payload: SelfCancelIn):
    order = self_service_order_get(token=token)
    self_service_cancel(order=order, reason=payload.reason)
    return self_service_data(order=self_service_order_get(token=token), now=timezone.now())


def _secret_matches(given: str, expected: str) -> bool:
    """A shared secret a caller presented: never a match when none is configured."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _bearer_is(request: HttpRequest, token: str) -> bool:
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return _secret_matches(given, token)


# A provider's webhook body, read raw (its signature covers the bytes) and checked as JSON.
JSON_OBJECT_BODY = {
    "requestBody": {
        "content": {"application/json": {"schema": {"type": "object"}}},
        "required": True,
    }
}


@receipts_router.post(
    "/receipts/sms",
    auth=None,
    response={200: ReceiptOut, **error_responses(401, 404, 413, 422)},
    summary="The SMS provider's delivery receipt (sent, delivered, failed) for a message",
    description="Authenticated with the provider's own token: `Authorization: Bearer "
    "$ORDERDESK_SMS_TOKEN`. A `failed` receipt sends the message's event on the customer's "
    "next channel. Repeats change nothing.",
)
def sms_receipt(request: HttpRequest, payload: ReceiptIn):
    if not _bearer_is(request, settings.ORDERDESK_SMS_TOKEN):
        raise ApplicationError(
            RECEIPT_UNAUTHENTICATED, "missing or invalid provider token", status_code=401
        )
    try:
        message_id = UUID(payload.id)
    except ValueError:
        message_id = None
    message = (
        message_receipt_record(message_id=message_id, status=payload.status, error=payload.error)
        if message_id
        else None
    )
    if message is None:
        raise ApplicationError(MESSAGE_NOT_FOUND, "id: no such message", status_code=404)
    return {"id": str(message.pk), "status": message.status}


def _inbound_data(message: Message | None) -> dict:
    if message is None:
        return {"id": None, "order_id": None, "opted_out": False}
    opted_out = OptOut.objects.filter(customer_id=message.customer_id).exists()
    return {"id": str(message.pk), "order_id": str(message.order_id), "opted_out": opted_out}


@receipts_router.post(
    "/inbound/sms",
    auth=None,
    response={200: InboundOut, **error_responses(401, 413, 422)},
    summary="An SMS from a customer, forwarded by the SMS provider",
    description="Authenticated like receipts (`Bearer $ORDERDESK_SMS_TOKEN`). The reply joins "
    "the conversation on the order card; STOP opts the customer out.",
)
def sms_inbound(request: HttpRequest, payload: SmsInboundIn):
    if not _bearer_is(request, settings.ORDERDESK_SMS_TOKEN):
        raise ApplicationError(
            RECEIPT_UNAUTHENTICATED, "missing or invalid provider token", status_code=401
        )
    message = reply_receive(
        channel=Channel.SMS, sender=payload.sender, text=payload.text, provider_id=payload.id
    )
    return _inbound_data(message)


@receipts_router.post(
    "/inbound/email",
    auth=None,
    response={200: InboundOut, **error_responses(401, 413, 422)},
    summary="An e-mail reply from a customer, forwarded by the mail system",
    description="Authenticated with `Bearer $ORDERDESK_INBOUND_EMAIL_TOKEN`. `in_reply_to` "
    "(the Message-ID we sent) finds the order; else the sender's address does.",
)
def email_inbound(request: HttpRequest, payload: EmailInboundIn):
    if not _bearer_is(request, settings.ORDERDESK_INBOUND_EMAIL_TOKEN):
        raise ApplicationError(
            RECEIPT_UNAUTHENTICATED, "missing or invalid inbound token", status_code=401
        )
    message = reply_receive(
        channel=Channel.EMAIL,
        sender=payload.sender,
        text=payload.text,
        subject=payload.subject,
        provider_id=payload.message_id,
        reply_to_id=_message_id_of(payload.in_reply_to),
    )
    return _inbound_data(message)


def _message_id_of(header: str) -> UUID | None:
    """`<hex@domain>` as the e-mail channel writes Message-IDs → the message's id."""
    local = header.strip().strip("<>").partition("@")[0]
    try:
        return UUID(hex=local)
    except ValueError:
        return None


@receipts_router.post(
    "/inbound/telegram",
    auth=None,
    response={200: InboundOut, **error_responses(401, 413, 422)},
    summary="The Telegram bot's updates (its webhook)",
    description="Authenticated by `X-Telegram-Bot-Api-Secret-Token` (the secret given to "
    "setWebhook, `ORDERDESK_TELEGRAM_WEBHOOK_SECRET`). `/start <token>` from the deep link "
    "links the chat to the customer; other text joins the conversation.",
    openapi_extra=JSON_OBJECT_BODY,
)
def telegram_inbound(request: HttpRequest):
    update = json_checked(request.body)
    secret = settings.ORDERDESK_TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not _secret_matches(given, secret):
        raise ApplicationError(
            RECEIPT_UNAUTHENTICATED, "missing or invalid bot secret", status_code=401
        )
    result = telegram_update_receive(update=update)
    return _inbound_data(result if isinstance(result, Message) else None)


WHATSAPP_VERIFY_REFUSED = "whatsapp_verify_refused"


@receipts_router.get(
    "/inbound/whatsapp",
    auth=None,
    response={200: WhatsAppChallengeOut, **error_responses(403, 422)},
    summary="WhatsApp's webhook subscription handshake",
    description="Meta calls it once when the webhook is set up: with `hub.mode=subscribe` and "
    "`hub.verify_token` equal to `ORDERDESK_WHATSAPP_VERIFY_TOKEN`, the answer is "
    "`hub.challenge` as plain text; anything else is a 403.",
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in ("hub.mode", "hub.verify_token", "hub.challenge")
        ],
        "responses": {
            200: {
                "description": "The challenge, as given",
                "content": {
                    "text/plain": {"schema": {"$ref": "#/components/schemas/WhatsAppChallengeOut"}}
                },
            }
        },
    },
)
def whatsapp_verify(request: HttpRequest):
    expected = settings.ORDERDESK_WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if request.GET.get("hub.mode") != "subscribe" or not _secret_matches(given, expected):
        raise ApplicationError(
            WHATSAPP_VERIFY_REFUSED, "hub.verify_token: not this webhook's", status_code=403
        )
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def _signature_valid(request: HttpRequest) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body with the app secret."""
    secret = settings.ORDERDESK_WHATSAPP_APP_SECRET
    given = request.headers.get("X-Hub-Signature-256", "").removeprefix("sha256=")
    if not secret:
        return False
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return _secret_matches(given, expected)


@receipts_router.post(
    "/inbound/whatsapp",
    auth=None,
    response={200: WhatsAppWebhookOut, **error_responses(401, 413, 422)},
    summary="WhatsApp's webhook: delivery statuses and the customers' messages",
    description="Authenticated by `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with "
    "`ORDERDESK_WHATSAPP_APP_SECRET`). `statuses[]` (sent, delivered, read, failed) land on "
    "the messages sent; a failed one sends the event on the customer's next channel. Text "
    "`messages[]` join the conversation; STOP opts the customer out. Repeats change nothing.",
    openapi_extra=JSON_OBJECT_BODY,
)
def whatsapp_inbound(request: HttpRequest):
    payload = json_checked(request.body)
    if not _signature_valid(request):
        raise ApplicationError(
            RECEIPT_UNAUTHENTICATED, "missing or invalid X-Hub-Signature-256", status_code=401
        )
    outcome = whatsapp_webhook_receive(payload=payload if isinstance(payload, dict) else {})
    return {"statuses": outcome.statuses, "messages": outcome.messages}
