"""WhatsApp's webhook (Meta's Cloud API): `statuses[]` are delivery receipts for the messages we
sent (sent, delivered, read, failed: a failed one goes on to the customer's next channel);
`messages[]` are the customer's own messages, replies in their conversation (STOP opts out).

The payload is Meta's, untrusted past its signature: anything not shaped as documented is
skipped, never an error (Meta would only send it again)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from ..channels import WHATSAPP_STATES, WhatsAppCloud
from ..models import Channel, Message
from .inbound import reply_receive
from .sending import message_receipt_record


@dataclass
class WebhookOutcome:
    statuses: int = 0  # receipts that found their message
    messages: int = 0  # replies that found their customer


def _changes(payload: dict):
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                yield value


def _message_id_of(status: dict):
    """Our id, echoed in `biz_opaque_callback_data`; else the message that Meta's id names."""
    try:
        return UUID(str(status.get("biz_opaque_callback_data") or ""))
    except ValueError:
        pass
    wamid = status.get("id")
    if not isinstance(wamid, str) or not wamid:
        return None
    return (
        Message.objects.filter(
            channel=Channel.WHATSAPP, provider_id=f"{WhatsAppCloud.PREFIX}{wamid}"[:100]
        )
        .values_list("pk", flat=True)
        .first()
    )


def _status_error(status: dict) -> str:
    errors = status.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    code = first.get("code") if isinstance(first, dict) else None
    return f"WhatsApp failed (code {code})" if isinstance(code, int) else "WhatsApp failed"


def whatsapp_webhook_receive(*, payload: dict, at: datetime | None = None) -> WebhookOutcome:
    at = at or timezone.now()
    outcome = WebhookOutcome()
    for value in _changes(payload):
        for status in value.get("statuses") or []:
            if not isinstance(status, dict):
                continue
            state = WHATSAPP_STATES.get(str(status.get("status")))
            message_id = _message_id_of(status) if state else None
            if message_id is None:
                continue
            error = _status_error(status) if state == "failed" else ""
            if message_receipt_record(message_id=message_id, status=state, error=error, at=at):
                outcome.statuses += 1
        for incoming in value.get("messages") or []:
            if not isinstance(incoming, dict) or incoming.get("type") != "text":
                continue
            sender, wamid = incoming.get("from"), incoming.get("id")
            text = (incoming.get("text") or {}).get("body")
            if not all(isinstance(part, str) and part for part in (sender, wamid, text)):
                continue
            reply = reply_receive(
                channel=Channel.WHATSAPP, sender=f"+{sender}", text=text, provider_id=wamid, at=at
            )
            outcome.messages += reply is not None
    return outcome
