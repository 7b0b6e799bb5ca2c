"""The channels a message can go out on, behind one interface (architecture: Messages and
self-service). Each adapter speaks a real protocol to a peer a deployment configures through the
environment: e-mail over SMTP (Django's email settings), SMS over the generic HTTP provider
(`ORDERDESK_SMS_URL`) or Mobizon, a Telegram bot, WhatsApp template messages (Cloud API). An adapter answers what became of one send; it never raises for a
peer's refusal or absence, and never logs the customer's address."""

import json
import smtplib
import urllib.error
import urllib.parse
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

    def address_of(self, *, customer) -> str: ...

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult: ...


# The channel is SMTP whatever EMAIL_BACKEND says (test runners swap that one for memory).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class EmailChannel:
    """SMTP with Django's settings. The Message-ID is the message's own id, so a send repeated
    after a worker died mid-way is recognisably the same e-mail."""

    name = Channel.EMAIL

    def is_configured(self) -> bool:
        return bool(settings.EMAIL_HOST)

    def address_of(self, *, customer) -> str:
        return customer.email

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

    def address_of(self, *, customer) -> str:
        return customer.phone if customer.phone.startswith("+") else ""

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


class MobizonSms:
    """SMS through Mobizon (Kazakhstan), as its public API documents it: `POST
    {base}/service/message/sendsmsmessage?output=json&api=v1&apiKey=…` with the form fields
    `recipient` (digits, no plus), `text` and `from` (the sender name, when the account has
    one); the answer is `{"code": 0, "data": {"messageId": …}, "message": ""}`, a non-zero code
    being a refusal. Delivery is read back with `getsmsstatus` (`mobizon_statuses_poll`)."""

    name = Channel.SMS
    PREFIX = "mobizon:"

    def is_configured(self) -> bool:
        return bool(settings.ORDERDESK_MOBIZON_API_KEY)

    def address_of(self, *, customer) -> str:
        return customer.phone if customer.phone.startswith("+") else ""

    def _url(self, method: str) -> str:
        query = urllib.parse.urlencode(
            {"output": "json", "api": "v1", "apiKey": settings.ORDERDESK_MOBIZON_API_KEY}
        )
        return f"{settings.ORDERDESK_MOBIZON_URL.rstrip('/')}/service/message/{method}?{query}"

    def call(self, method: str, fields: list[tuple[str, str]]) -> tuple[SendResult | None, dict]:
        """(a failure, or None) and the answer's `data`."""
        request = urllib.request.Request(  # noqa: S310 (the deployment's configured https URL)
            self._url(method),
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "User-Agent": "orderdesk-messages/1"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=settings.ORDERDESK_SMS_TIMEOUT) as answer:  # noqa: S310
                reply = json.loads(answer.read(65536) or b"{}")
        except urllib.error.HTTPError as exc:
            status = SendStatus.RETRY if exc.code >= 500 or exc.code == 429 else SendStatus.FAILED
            return SendResult(status, error=f"Mobizon answered {exc.code}"), {}
        except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
            return SendResult(
                SendStatus.RETRY, error=f"Mobizon unreachable: {type(exc).__name__}"
            ), {}
        code = reply.get("code") if isinstance(reply, dict) else None
        if code != 0:
            # 0 is success; 99 and 999 are Mobizon's own trouble, worth another try.
            status = SendStatus.RETRY if code in (99, 999) else SendStatus.FAILED
            return SendResult(status, error=f"Mobizon code {code}"), {}
        data = reply.get("data")
        return None, data if isinstance(data, dict | list) else {}

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult:
        fields = [("recipient", message.to.lstrip("+")), ("text", message.body)]
        if settings.ORDERDESK_SMS_SENDER:
            fields.append(("from", settings.ORDERDESK_SMS_SENDER))
        failure, data = self.call("sendsmsmessage", fields)
        if failure is not None:
            return failure
        provider_id = str(data.get("messageId") or "") if isinstance(data, dict) else ""
        return SendResult(SendStatus.SENT, provider_id=f"{self.PREFIX}{provider_id}")


class TelegramBot:
    """A Telegram bot (Bot API over HTTPS, base URL configurable): `POST {base}/bot{token}/
    sendMessage` `{"chat_id", "text"}` to the chat the customer linked through the bot's deep
    link; the answer is `{"ok": true, "result": {"message_id": …}}` or `{"ok": false,
    "error_code": …}` (403: the customer blocked the bot)."""

    name = Channel.TELEGRAM

    def is_configured(self) -> bool:
        return bool(settings.ORDERDESK_TELEGRAM_BOT_TOKEN)

    def address_of(self, *, customer) -> str:
        link = getattr(customer, "telegram_link", None)
        return str(link.chat_id) if link is not None else ""

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult:
        base = settings.ORDERDESK_TELEGRAM_API_URL.rstrip("/")
        token = settings.ORDERDESK_TELEGRAM_BOT_TOKEN
        body = json.dumps({"chat_id": int(message.to), "text": message.body})
        request = urllib.request.Request(  # noqa: S310 (the deployment's configured https URL)
            f"{base}/bot{token}/sendMessage",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "orderdesk-messages/1"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.ORDERDESK_SMS_TIMEOUT) as answer:  # noqa: S310
                reply = json.loads(answer.read(65536) or b"{}")
        except urllib.error.HTTPError as exc:
            status = SendStatus.RETRY if exc.code >= 500 or exc.code == 429 else SendStatus.FAILED
            return SendResult(status, error=f"Telegram answered {exc.code}")
        except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
            return SendResult(SendStatus.RETRY, error=f"Telegram unreachable: {type(exc).__name__}")
        if not isinstance(reply, dict) or not reply.get("ok"):
            return SendResult(SendStatus.FAILED, error="Telegram refused the message")
        result = reply.get("result") or {}
        return SendResult(SendStatus.SENT, provider_id=f"tg:{result.get('message_id', '')}")


class WhatsAppCloud:
    """WhatsApp template messages through Meta's Cloud API (Graph API over HTTPS, base URL
    configurable): `POST {base}/{version}/{phone_number_id}/messages` with `Authorization:
    Bearer {token}` and `{"messaging_product": "whatsapp", "to", "type": "template",
    "template": {"name", "language": {"code"}, "components": [{"type": "body", "parameters":
    [{"type": "text", "text"}...]}]}}`; the answer names the message: `{"messages": [{"id":
    "wamid..."}]}`. `biz_opaque_callback_data` carries our own id, which the status webhook
    echoes back (`whatsapp_webhook_receive`)."""

    name = Channel.WHATSAPP
    PREFIX = "wa:"

    def is_configured(self) -> bool:
        return bool(
            settings.ORDERDESK_WHATSAPP_TOKEN and settings.ORDERDESK_WHATSAPP_PHONE_NUMBER_ID
        )

    def address_of(self, *, customer) -> str:
        return customer.phone if customer.phone.startswith("+") else ""

    def send(self, message: Message, *, unsubscribe_url: str = "") -> SendResult:
        template = message.whatsapp_template or {}
        if not template.get("name"):
            return SendResult(SendStatus.FAILED, error="no WhatsApp template for this message")
        parameters = [{"type": "text", "text": value} for value in template.get("parameters", [])]
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.lstrip("+"),
            "type": "template",
            "template": {
                "name": template["name"],
                "language": {"code": template.get("language") or message.language},
                "components": [{"type": "body", "parameters": parameters}] if parameters else [],
            },
            "biz_opaque_callback_data": str(message.pk),
        }
        base = settings.ORDERDESK_WHATSAPP_URL.rstrip("/")
        version = settings.ORDERDESK_WHATSAPP_API_VERSION.strip("/")
        request = urllib.request.Request(  # noqa: S310 (the deployment's configured https URL)
            f"{base}/{version}/{settings.ORDERDESK_WHATSAPP_PHONE_NUMBER_ID}/messages",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.ORDERDESK_WHATSAPP_TOKEN}",
                "User-Agent": "orderdesk-messages/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.ORDERDESK_SMS_TIMEOUT) as answer:  # noqa: S310
                reply = json.loads(answer.read(65536) or b"{}")
        except urllib.error.HTTPError as exc:
            status = SendStatus.RETRY if exc.code >= 500 or exc.code == 429 else SendStatus.FAILED
            return SendResult(status, error=f"WhatsApp answered {exc.code}{_graph_code(exc)}")
        except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
            return SendResult(SendStatus.RETRY, error=f"WhatsApp unreachable: {type(exc).__name__}")
        sent = reply.get("messages") if isinstance(reply, dict) else None
        wamid = sent[0].get("id") if sent and isinstance(sent[0], dict) else None
        if not isinstance(wamid, str) or not wamid:
            return SendResult(SendStatus.FAILED, error="WhatsApp answered without a message id")
        return SendResult(SendStatus.SENT, provider_id=f"{self.PREFIX}{wamid}"[:100])


def _graph_code(exc: urllib.error.HTTPError) -> str:
    """The Graph API's own error code (`{"error": {"code": 131026, ...}}`), when it gave one."""
    try:
        error = json.loads(exc.read(65536) or b"{}").get("error") or {}
    except (ValueError, AttributeError, OSError):
        return ""
    code = error.get("code") if isinstance(error, dict) else None
    return f" (code {code})" if isinstance(code, int) else ""


# WhatsApp's message statuses (the webhook's `statuses[].status`) and what they make of ours.
WHATSAPP_STATES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "failed": "failed",
}


# Mobizon's delivery states (getsmsstatus) and what they make of a message.
MOBIZON_STATES = {
    "DELIVRD": "delivered",
    "UNDELIV": "failed",
    "REJECTD": "failed",
    "EXPIRED": "failed",
    "DELETED": "failed",
}


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
    Channel.TELEGRAM: TelegramBot(),
    Channel.WHATSAPP: WhatsAppCloud(),
}


MOBIZON = MobizonSms()


def adapter_for(channel: str) -> ChannelAdapter:
    """The deployment's adapter for `channel` (SMS: the generic provider, or Mobizon when
    ORDERDESK_SMS_PROVIDER=mobizon)."""
    if channel == Channel.SMS and settings.ORDERDESK_SMS_PROVIDER == "mobizon":
        return MOBIZON
    return ADAPTERS[channel]
