"""Fixtures for messaging: the local SMTP server and SMS provider, configured as a deployment
would configure them, and orders of a customer with a phone and an e-mail."""

import itertools

import pytest
from django.test import override_settings

from orderdesk.calling.tests.conftest import NOW, clock, order_make  # noqa: F401
from orderdesk.orders.models import Customer, Order

from .peers import SmsPeer, SmtpPeer

SMS_TOKEN = "sms-provider-token"
PUBLIC_URL = "https://desk.example.kz"
_numbers = itertools.count(1)


@pytest.fixture
def smtp_peer():
    peer = SmtpPeer()
    yield peer
    peer.close()


@pytest.fixture
def sms_peer():
    peer = SmsPeer()
    yield peer
    peer.close()


@pytest.fixture
def channels(smtp_peer, sms_peer):
    """Both channels on, pointed at the local peers."""
    with override_settings(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_peer.port,
        EMAIL_USE_TLS=False,
        DEFAULT_FROM_EMAIL="shop@example.kz",
        ORDERDESK_SMS_URL=sms_peer.url,
        ORDERDESK_SMS_TOKEN=SMS_TOKEN,
        ORDERDESK_PUBLIC_URL=PUBLIC_URL,
    ):
        yield smtp_peer, sms_peer


@pytest.fixture
def make_customer_order(store):
    """An order awaiting confirmation (with its confirmation call) of a customer with a phone
    and an e-mail; `email=""` for one without."""

    def make(*, email: str = "aigul@example.kz", language: str = "ru", **fields) -> Order:
        number = next(_numbers)
        phone = fields.pop("phone", f"+7702{number:07d}")
        Customer.objects.get_or_create(
            store=store,
            phone=phone,
            defaults={"name": "Айгуль Тестова", "language": language, "email": email},
        )
        return order_make(store=store, phone=phone, language=language, **fields)

    return make
