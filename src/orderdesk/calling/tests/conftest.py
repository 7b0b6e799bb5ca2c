"""Fixtures for calling: orders straight in the queue, a second operator, a frozen clock."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.calling.selectors import confirmation_task_of
from orderdesk.orders.models import Customer, Order, OrderStatus

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
    queue_state: str = CallTaskState.QUEUED,
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
        "street": "Абая",
        "house": "10",
    }
    order = Order.objects.create(
        store=store, customer=customer, language=language, timezone=timezone,
        **(defaults | fields),
    )  # fmt: skip
    if order.status == OrderStatus.AWAITING_CONFIRMATION:
        CallTask.objects.create(
            store=store, customer=customer, order=order, purpose=CallPurpose.CONFIRMATION,
            state=queue_state, due_at=next_call_at or NOW - timedelta(minutes=5),
            timezone=timezone, language=language, attempts_count=attempts,
            callback_user=callback_user, created_at=order.created_at,
        )  # fmt: skip
    return fresh(order)


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


def task_of(order: Order) -> CallTask | None:
    """The order's confirmation task: the open one, else the last closed one."""
    return confirmation_task_of(order=order)


def fresh(order: Order) -> Order:
    """The order as stored, with its queue as its confirmation task has it now: `queue_state`
    (empty once the order left awaiting confirmation), `next_call_at`, `callback_user`,
    `lease_id`, `attempts_count`, `first_call_at`."""
    order = Order.objects.get(pk=order.pk)
    task = task_of(order)
    awaiting = order.status == OrderStatus.AWAITING_CONFIRMATION
    order.queue_state = task.state if task is not None and awaiting else ""
    order.next_call_at = task.due_at if task is not None and awaiting else None
    order.callback_user_id = task.callback_user_id if task is not None and awaiting else None
    order.callback_user = task.callback_user if order.callback_user_id else None
    order.lease_id = task.lease_id if task is not None else None
    order.attempts_count = task.attempts_count if task is not None else 0
    order.first_call_at = task.first_call_at if task is not None else None
    return order
