"""The customer's private links: signed, expiring, carrying no personal data.

The self-service token is the order's id and the day the link started to count, signed with
the site's secret (`django.core.signing`): the same order always has the same link, so the
order's representation and every message carry one URL. It expires the store's number of days
after the order came in; a token that does not verify or has expired is not found."""

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from orderdesk.core.links import public_url

SELF_SERVICE_SALT = "orderdesk.messaging.self-service"
UNSUBSCRIBE_SALT = "orderdesk.messaging.unsubscribe"


def self_service_token(*, order_id: uuid.UUID, issued_at: datetime) -> str:
    value = f"{order_id.hex}-{int(issued_at.timestamp()):x}"
    return signing.Signer(salt=SELF_SERVICE_SALT).sign(value)


def self_service_url(*, order_id: uuid.UUID, issued_at: datetime) -> str:
    return public_url(f"/o/{self_service_token(order_id=order_id, issued_at=issued_at)}")


def self_service_token_read(token: str) -> tuple[uuid.UUID, datetime] | None:
    """(order id, issued at) of a genuine token, else None (expiry is the caller's: it
    depends on the store)."""
    try:
        value = signing.Signer(salt=SELF_SERVICE_SALT).unsign(token)
        order_hex, issued_hex = value.split("-")
        return uuid.UUID(hex=order_hex), datetime.fromtimestamp(int(issued_hex, 16), tz=UTC)
    except (signing.BadSignature, ValueError):
        return None


def self_service_expired(*, issued_at: datetime, days: int, now: datetime) -> bool:
    return now >= issued_at + timedelta(days=days)


def unsubscribe_token(*, customer_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(customer_id))


def unsubscribe_url(*, customer_id: int) -> str:
    return public_url(f"/m/unsubscribe/{unsubscribe_token(customer_id=customer_id)}")


def unsubscribe_token_read(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


TELEGRAM_SALT = "orderdesk.messaging.telegram"


def telegram_start_token(*, customer_id: int) -> str:
    """The deep link's `start` value: Telegram allows 64 characters of A-Z, a-z, 0-9, _ and -,
    so this is the customer's id and a short HMAC of it (no personal data)."""
    digest = salted_hmac(TELEGRAM_SALT, str(customer_id)).hexdigest()[:24]
    return f"c{customer_id}-{digest}"


def telegram_start_token_read(token: str) -> int | None:
    head, _sep, digest = token.partition("-")
    if not head.startswith("c") or not head[1:].isdigit():
        return None
    customer_id = int(head[1:])
    expected = telegram_start_token(customer_id=customer_id)
    return customer_id if constant_time_compare(expected, f"{head}-{digest}") else None


def telegram_deep_link(*, customer_id: int) -> str:
    """Empty when the deployment has no bot."""
    bot = settings.ORDERDESK_TELEGRAM_BOT_NAME
    if not (bot and settings.ORDERDESK_TELEGRAM_BOT_TOKEN):
        return ""
    return f"https://t.me/{bot}?start={telegram_start_token(customer_id=customer_id)}"
