"""Fixtures for calling: orders straight in the queue, a second operator, a frozen clock."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from orderdesk.accounts.services import user_create
from orderdesk.orders.models import Customer, Order, OrderStatus, QueueState

# Tuesday 24 November 2026, 06:00 UTC: 11:00 in Almaty (UTC+5), 09:00 in Moscow (UTC+3).
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture
def clock():
    """The clock frozen at NOW; `clock.move_to(dt)` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def order_make(
    *,
    store,
    phone: str | None = None,
    timezone: str = "Asia/Almaty",
    language: str = "ru",
    next_call_at: datetime | None = None,
    queue_state: str = QueueState.QUEUED,
    attempts: int = 0,
    callback_user=None,
    **fields,
) -> Order:
    number = next(_numbers)
    phone = phone or f"+7701{number:07d}"
    customer, _ = Customer.objects.get_or_create(
        store=store, phone=phone, defaults={"name": "Тест Тестов", "language": language}
    )
    defaults = {
        "external_id": f"T-{number}",
        "status": OrderStatus.AWAITING_CONFIRMATION,
        "payment_method": "cash_on_delivery",
        "locality_name": "Алматы",
    }
    return Order.objects.create(
        store=store,
        customer=customer,
        queue_state=queue_state,
        language=language,
        timezone=timezone,
        next_call_at=next_call_at or NOW - timedelta(minutes=5),
        attempts_count=attempts,
        callback_user=callback_user,
        **(defaults | fields),
    )


@pytest.fixture
def make_order(store):
    def make(**kwargs) -> Order:
        kwargs.setdefault("store", store)
        return order_make(**kwargs)

    return make


@pytest.fixture
def operator2(store):
    user, _, _ = user_create(
        username="op2", role="operator", store_slugs=[store.slug], languages=["ru", "kk"]
    )
    return user


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)
