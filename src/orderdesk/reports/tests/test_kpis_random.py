"""The grouped report against a plain recomputation in Python, on random orders and calls in
three zones: every row's counts, and the totals equal to the sum of the rows."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.accounts.services import user_create
from orderdesk.orders.models import OrderStatus
from orderdesk.reports.kpis import KpiQuery, kpi_report
from orderdesk.stores.services import store_create

from .conftest import call, decide, finish, order_at

ZONES = ("Asia/Almaty", "Europe/Kaliningrad", "Asia/Kamchatka")
SINCE, UNTIL = date(2026, 3, 1), date(2026, 3, 10)


@pytest.fixture
def random_month(db):
    rng = random.Random(17)
    stores = []
    for n, zone in enumerate(ZONES):
        store, _ = store_create(name=f"Магазин {n}", slug=f"s{n}")
        store.default_timezone = zone
        store.save(update_fields=["default_timezone"])
        stores.append(store)
    operator, _, _ = user_create(username="opr", role="operator", store_slugs=["s0", "s1", "s2"])
    expected = {"orders": Counter(), "confirmed": Counter(), "cancelled": Counter(),
                "delivered": Counter(), "returned": Counter(), "attempts": Counter()}  # fmt: skip
    start = datetime(2026, 2, 27, tzinfo=UTC)

    def day(store, at):
        return at.astimezone(ZoneInfo(store.default_timezone)).date()

    for _ in range(120):
        store = rng.choice(stores)
        created = start + timedelta(minutes=rng.randrange(0, 14 * 24 * 60))
        order = order_at(store, created, timezone=store.default_timezone)
        expected["orders"][day(store, created)] += 1
        first = created + timedelta(minutes=rng.randrange(1, 600))
        for k in range(rng.randrange(0, 3)):
            at = first + timedelta(minutes=30 * k)
            call(order, operator=operator, at=at, seconds=40, result="no_answer")
            expected["attempts"][day(store, at)] += 1
        fate = rng.random()
        decided = first + timedelta(hours=5)
        if fate < 0.3:
            decide(order, to=OrderStatus.CANCELLED, at=decided, actor=operator, reason="other")
            expected["cancelled"][day(store, decided)] += 1
        elif fate < 0.9:
            decide(order, to=OrderStatus.CONFIRMED, at=decided, actor=operator)
            expected["confirmed"][day(store, decided)] += 1
            if fate > 0.5:
                ended = decided + timedelta(days=rng.randrange(1, 4), hours=rng.randrange(24))
                to = OrderStatus.DELIVERED if fate < 0.8 else OrderStatus.RETURNED
                finish(order, to=to, at=ended)
                expected[str(to)][day(store, ended)] += 1
    return stores, expected


def test_rows_match_a_plain_recomputation(random_month):
    stores, expected = random_month
    query = KpiQuery(
        store_ids=tuple(s.pk for s in stores), since_on=SINCE, until_on=UNTIL, group_by="day"
    )
    report = kpi_report(query)
    rows = {row["key"]: row for row in report["rows"]}
    days = [SINCE + timedelta(days=n) for n in range((UNTIL - SINCE).days + 1)]
    for name, per_day in expected.items():
        for one in days:
            got = rows.get(one.isoformat(), {}).get(name, 0)
            assert got == per_day[one], (name, one)
        assert report["totals"][name] == sum(per_day[one] for one in days), name
    assert set(rows) <= {one.isoformat() for one in days}
