"""A hand-built month of two stores, with every figure known in advance (test_kpis.py).

Almaty is UTC+5, Moscow UTC+3; both stores call 10:00–19:00 local every day. The report's
period is 10–11 November 2026 (local days), "now" is 11 November 12:00 in Almaty."""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallAttempt
from orderdesk.orders.models import Customer, Order, OrderEvent, OrderEventType, OrderStatus
from orderdesk.stores.services import store_create

ALMATY = ZoneInfo("Asia/Almaty")
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=ALMATY)
_numbers = itertools.count(1)


def local(zone: ZoneInfo, day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def order_at(store, created_at: datetime, *, source: str = "website", **fields) -> Order:
    number = next(_numbers)
    customer = Customer.objects.create(store=store, phone=f"+7701{number:07d}", name="Тест")
    order = Order.objects.create(
        store=store, customer=customer, external_id=f"R-{number}", source=source,
        status=fields.pop("status", OrderStatus.AWAITING_CONFIRMATION),
        payment_method="cash_on_delivery", locality_name="Алматы",
        timezone=fields.pop("timezone", str(ALMATY)), **fields,
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(created_at=created_at)
    order.created_at = created_at
    return order


def decide(order: Order, *, to: str, at: datetime, actor, reason: str = "") -> None:
    """What order_status_change leaves behind: the columns and the timeline's event, one instant."""
    changes = {"status": to, "status_changed_at": at}
    if to == OrderStatus.CONFIRMED:
        changes["confirmed_at"] = at
    if to == OrderStatus.CANCELLED:
        changes["cancel_reason"] = reason
    Order.objects.filter(pk=order.pk).update(**changes)
    OrderEvent.objects.create(
        order=order, type=OrderEventType.STATUS_CHANGED, actor=actor, created_at=at,
        data={"from": order.status, "to": to},
    )  # fmt: skip
    order.refresh_from_db()


def finish(order: Order, *, to: str, at: datetime) -> None:
    Order.objects.filter(pk=order.pk).update(status=to, status_changed_at=at)
    OrderEvent.objects.create(
        order=order, type=OrderEventType.STATUS_CHANGED, created_at=at, actor_label="carrier",
        data={"to": to},
    )  # fmt: skip


def call(order: Order, *, operator, at: datetime, seconds: int, result: str) -> CallAttempt:
    attempt = CallAttempt.objects.create(
        store_id=order.store_id, customer_id=order.customer_id, operator=operator,
        started_at=at, ended_at=at + timedelta(seconds=seconds), result=result,
    )  # fmt: skip
    attempt.orders.add(order)
    return attempt


@dataclass
class Scenario:
    almaty: object
    moscow: object
    almaty_key: str
    moscow_key: str
    op1: object
    op2: object
    orders: dict[str, Order]


@pytest.fixture
def scenario(db) -> Scenario:
    almaty, almaty_key = store_create(name="Алматы Маркет", slug="almaty")
    moscow, moscow_key = store_create(name="Москва Маркет", slug="moscow")
    moscow.default_timezone = "Europe/Moscow"
    moscow.save(update_fields=["default_timezone"])
    op1, _, _ = user_create(username="op1", role="operator", store_slugs=["almaty", "moscow"])
    op2, _, _ = user_create(username="op2", role="operator", store_slugs=["almaty"])
    A, M = ALMATY, MOSCOW
    o = {}
    # o1: in at 09:00, first call 10:05 (300 s of window), reached on the second call, confirmed.
    o["o1"] = order_at(almaty, local(A, 10, 9))
    call(o["o1"], operator=op1, at=local(A, 10, 10, 5), seconds=60, result="no_answer")
    call(o["o1"], operator=op1, at=local(A, 10, 10, 40), seconds=120, result="confirmed")
    decide(o["o1"], to=OrderStatus.CONFIRMED, at=local(A, 10, 10, 42), actor=op1)
    # o2: in at 18:55, first call next morning 10:10 (5 + 10 minutes of window: exactly 900 s).
    o["o2"] = order_at(almaty, local(A, 10, 18, 55), source="kaspi")
    call(o["o2"], operator=op2, at=local(A, 11, 10, 10), seconds=30, result="busy")
    call(o["o2"], operator=op2, at=local(A, 11, 11, 0), seconds=90, result="cancelled")
    decide(o["o2"], to=OrderStatus.CANCELLED, at=local(A, 11, 11, 1), actor=op2,
           reason="changed_mind")  # fmt: skip
    # o3: 10 Nov 19:30 UTC is 11 Nov 00:30 in Almaty; never called: 2 h of window by now.
    o["o3"] = order_at(almaty, datetime(2026, 11, 10, 19, 30, tzinfo=UTC))
    # o4: in ten minutes before now; a claim that ended without a call is no call.
    o["o4"] = order_at(almaty, local(A, 11, 11, 50))
    abandoned = call(o["o4"], operator=op1, at=local(A, 11, 11, 55), seconds=20, result="abandoned")
    assert abandoned.result == "abandoned"
    # o5, o6: confirmed before the period; their deliveries end inside it.
    o["o5"] = order_at(almaty, local(A, 1, 12))
    decide(o["o5"], to=OrderStatus.CONFIRMED, at=local(A, 2, 12), actor=op1)
    finish(o["o5"], to=OrderStatus.DELIVERED, at=local(A, 10, 15))
    o["o6"] = order_at(almaty, local(A, 1, 12))
    decide(o["o6"], to=OrderStatus.CONFIRMED, at=local(A, 2, 13), actor=op2)
    finish(o["o6"], to=OrderStatus.RETURNED, at=local(A, 11, 9))
    # Moscow: 9 Nov 21:30 UTC is 10 Nov 00:30 there (in the period); called at 10:00 sharp.
    o["o7"] = order_at(moscow, datetime(2026, 11, 9, 21, 30, tzinfo=UTC), timezone=str(M))
    call(o["o7"], operator=op1, at=local(M, 10, 10), seconds=45, result="no_answer")
    # o8: 11 Nov 21:30 UTC is 12 Nov 00:30 in Moscow: after the period, though the UTC day is in.
    o["o8"] = order_at(moscow, datetime(2026, 11, 11, 21, 30, tzinfo=UTC), timezone=str(M))
    return Scenario(almaty, moscow, almaty_key, moscow_key, op1, op2, o)
