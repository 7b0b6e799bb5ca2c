"""Fixtures for shipping: a confirmed order of the store, the webhook receiver on 127.0.0.1
(the integrations' one), a frozen clock inside the calling window."""

from datetime import UTC, datetime

import pytest
import time_machine

from orderdesk.integrations.tests.conftest import allow_local, endpoint, receiver  # noqa: F401
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.services import order_status_change, orders_intake

# Tuesday 24 November 2026, 06:00 UTC: 11:00 in Almaty, inside the calling window.
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def confirmed_order(store, make_payload):
    """Orders taken in and confirmed for 25 November (ГарантА serves Алматы)."""

    def make(external_id: str = "A-1001", phone: str = "+7 701 123 45 67", **overrides):
        payload = make_payload(external_id, **overrides)
        payload["customer"]["phone"] = phone
        (result,) = orders_intake(store=store, payloads=[payload], actor_label="test")
        assert not result.errors, result.errors
        return order_status_change(
            order=result.order, to=OrderStatus.CONFIRMED, actor_label="test",
            extra_fields={"delivery_on": NOW.date().replace(day=25)},
        )  # fmt: skip

    return make
