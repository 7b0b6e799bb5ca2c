"""The staffing plan from the history: arrivals per local weekday and hour over 8 weeks, the
measured handling time, and the operators who were logged in."""

from datetime import timedelta

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import OperatorStateSlice
from orderdesk.reports.staffing import staffing_table
from orderdesk.stores.services import store_create

from .conftest import ALMATY, call, local, order_at

# Tuesday 24 November 2026, 12:00 in Almaty; the 8 weeks before it hold 8 Tuesdays.
NOW = local(ALMATY, 24, 12)


def test_plan_for_a_busy_tuesday_morning(db):
    store, _ = store_create(name="Штат", slug="staff")
    op, _, _ = user_create(username="op-staff", role="operator", store_slugs=["staff"])
    for week in range(8):  # this morning and the seven Tuesdays before
        tuesday_10 = local(ALMATY, 24, 10) - timedelta(weeks=week)
        for minute in (5, 35):  # two orders an hour, each called once for 3 minutes
            order = order_at(store, tuesday_10 + timedelta(minutes=minute))
            call(order, operator=op, at=order.created_at + timedelta(minutes=10), seconds=180,
                 result="confirmed")  # fmt: skip
        if week < 4:  # logged in 10:00–11:00 on four of the Tuesdays
            OperatorStateSlice.objects.create(
                operator=op, state="ready", started_at=tuesday_10,
                ended_at=tuesday_10 + timedelta(hours=1),
            )  # fmt: skip
    table = staffing_table(
        store_ids=[store.pk], operator_ids=[op.pk], zone="Asia/Almaty", now=NOW, shrinkage=0.3
    )
    assert table.aht_s == 180.0
    assert table.calls_per_order == 1.0
    [tuesday] = [h for h in table.hours if (h.weekday, h.hour) == (2, 10)]
    assert tuesday.calls_per_hour == 2.0
    assert (tuesday.plan.agents, tuesday.plan.scheduled) == (1, 2)
    assert round(tuesday.plan.occupancy, 2) == 0.1  # 2 calls × 180 s = 0.1 erlang
    assert tuesday.logged_in == 0.5  # 4 hours over 8 Tuesdays
    [quiet] = [h for h in table.hours if (h.weekday, h.hour) == (3, 3)]
    assert (quiet.calls_per_hour, quiet.plan.agents, quiet.logged_in) == (0.0, 0, 0.0)
