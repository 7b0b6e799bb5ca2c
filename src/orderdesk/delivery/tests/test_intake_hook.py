"""The intake shows the earliest possible date next to the date the customer asked for."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderdesk.orders.models import Order

pytestmark = pytest.mark.django_db

AFTER_NOON_IN_ALMATY = dt.datetime(2026, 11, 24, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))


def _post(api, payload) -> dict:
    response = api.post("/api/v1/orders", payload)
    assert response.status_code == 201, response.content
    return response.json()["delivery"]


@time_machine.travel(AFTER_NOON_IN_ALMATY, tick=False)
def test_request_no_longer_possible_is_kept_and_the_earliest_date_shown(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["date"] = "2026-11-24"
    delivery = _post(store_api, payload)
    assert (delivery["requested_date"], delivery["earliest_date"], delivery["date"]) == (
        "2026-11-24",
        "2026-11-25",
        None,
    )
    order = Order.objects.get()
    assert (order.requested_delivery_on, order.earliest_delivery_on, order.delivery_on) == (
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
        None,
    )


@time_machine.travel(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC), tick=False)
def test_other_city_gets_next_day_even_in_the_morning(store_api, make_payload):
    payload = make_payload()
    payload["delivery"] |= {"locality": "Караганда", "date": None}
    delivery = _post(store_api, payload)
    assert (delivery["requested_date"], delivery["earliest_date"]) == (None, "2026-11-25")


@time_machine.travel(AFTER_NOON_IN_ALMATY, tick=False)
def test_unmatched_locality_has_no_earliest_date(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["locality"] = "Нетакогогорода"
    delivery = _post(store_api, payload)
    assert (delivery["requested_date"], delivery["earliest_date"]) == ("2026-11-25", None)


@time_machine.travel(AFTER_NOON_IN_ALMATY, tick=False)
def test_bulk_reads_zones_once_whatever_the_batch_size(store_api, make_payload):
    def bulk(prefix: str, count: int) -> int:
        orders = [make_payload(f"{prefix}-{i}") for i in range(count)]
        for i, order in enumerate(orders):
            order["delivery"]["locality"] = ("Алматы", "Астана", "Караганда")[i % 3]
        with CaptureQueriesContext(connection) as queries:
            response = store_api.post("/api/v1/orders/bulk", {"orders": orders})
        assert response.json()["created"] == count
        return sum("delivery_deliveryzone" in q["sql"] for q in queries.captured_queries)

    assert bulk("S", 2) == bulk("L", 30) == 1
    earliest = dict(
        Order.objects.values_list("locality__name_ru", "earliest_delivery_on").distinct()
    )
    assert earliest == {
        "Алматы": dt.date(2026, 11, 25),
        "Астана": dt.date(2026, 11, 25),
        "Караганда": dt.date(2026, 11, 25),
    }


@time_machine.travel(AFTER_NOON_IN_ALMATY, tick=False)
def test_out_of_city_address_is_flagged_for_a_feasibility_check(store_api, make_payload):
    payload = make_payload()
    payload["delivery"]["out_of_city"] = True
    delivery = _post(store_api, payload)
    assert (delivery["out_of_city"], delivery["needs_address_check"]) == (True, True)
    assert delivery["earliest_date"] == "2026-11-25"
