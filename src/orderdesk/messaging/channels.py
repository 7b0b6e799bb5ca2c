"""The channels a message can go out on, behind one interface (architecture: Messages and
self-service). Each adapter speaks a real protocol to a peer a deployment configures through the
environment: e-mail over SMTP (Django's email settings), SMS over the generic HTTP provider
(`ORDERDESK_SMS_URL`). An adapter answers what became of one send; it never raises for a
peer's refusal or absence, and never logs the customer's address."""

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import Channel, Message


class SendStatus:
    SENT = "sent"  # the peer took it
    RETRY = "retry"  # the peer was away or answered 5xx: try again later
    FAILED = "failed"  # the peer refused it for good: the next channel


@dataclass(frozen=True)
class SendResult:
    status: str
    provider_id: str = ""
    error: str = ""


class ChannelAdapter(Protocol):
    name: str

    def is_configured(self) -> bool: ...

    def address_of(self, *, phone: str, email: str) -> str: ...

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult: ...


# The channel is SMTP whatever EMAIL_BACKEND says (test runners swap that one for memory).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class EmailChannel:
    """SMTP with Django's settings. The Message-ID is the message's own id, so a send repeated
    after a worker died mid-way is recognisably the same e-mail."""

    name = Channel.EMAIL

    def is_configured(self) -> bool:
        return bool(settings.EMAIL_HOST)

    def address_of(self, *, phone: str, email: str) -> str:
        return email

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "orderdesk"
        message_id = f"<{message.pk.hex}@{domain}>"
        headers = {"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
        if unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers=headers,
            connection=get_connection(SMTP_BACKEND, timeout=settings.EMAIL_TIMEOUT),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            return SendResult(SendStatus.FAILED, error=f"recipient refused ({codes[0]})")
        except smtplib.SMTPResponseException as exc:
            status = SendStatus.FAILED if 500 <= exc.smtp_code < 600 else SendStatus.RETRY
            return SendResult(status, error=f"SMTP {exc.smtp_code}")
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(SendStatus.RETRY, error=f"SMTP unavailable: {type(exc).__name__}")
        return SendResult(SendStatus.SENT, provider_id=message_id)


class HttpSmsChannel:
    """The generic HTTP SMS provider: `POST $ORDERDESK_SMS_URL` `{"to", "text", "id"}` with
    `Authorization: Bearer $ORDERDESK_SMS_TOKEN`. `id` is the message's own id: the provider
    drops a repeat, and its delivery receipts name it."""

    name = Channel.SMS

    def is_configured(self) -> bool:
        return bool(settings.ORDERDESK_SMS_URL)

    def address_of(self, *, phone: str, email: str) -> str:
        return phone if phone.startswith("+") else ""

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult:
        body = json.dumps({"to": message.to, "text": message.body, "id": str(message.pk)})
        request = urllib.request.Request(  # noqa: S310 (the deployment's own https URL)
            settings.ORDERDESK_SMS_URL,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.ORDERDESK_SMS_TOKEN}",
                "User-Agent": "orderdesk-messages/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.ORDERDESK_SMS_TIMEOUT) as answer:  # noqa: S310
                reply = answer.read(4096)
        except urllib.error.HTTPError as exc:
            retry = exc.code >= 500 or exc.code == 429
            status = SendStatus.RETRY if retry else SendStatus.FAILED
            return SendResult(status, error=f"SMS provider answered {exc.code}")
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            return SendResult(
                SendStatus.RETRY, error=f"SMS provider unreachable: {type(exc).__name__}"
            )
        return SendResult(SendStatus.SENT, provider_id=_provider_id(reply) or str(message.pk))


def _provider_id(reply: bytes) -> str:
    try:
        data = json.loads(reply or b"{}")
    except ValueError:
        return ""
    value = data.get("id") if isinstance(data, dict) else None
    return str(value)[:100] if value else ""


ADAPTERS: dict[str, ChannelAdapter] = {
    Channel.EMAIL: EmailChannel(),
    Channel.SMS: HttpSmsChannel(),
}


def adapter_for(channel: str) -> ChannelAdapter:
    return ADAPTERS[channel]
