"""Two operators confirm the last unit at once on PostgreSQL: one order gets it, the other's
outcome is refused with 422 naming the item, and nothing of the refused call is recorded."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.utils.translation import gettext as _

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallAttempt, CallTaskState
from orderdesk.catalog.models import Product, ProductStock, Reservation
from orderdesk.conftest import ApiClient
from orderdesk.delivery.models import Carrier, DeliveryZone, Locality
from orderdesk.orders.models import Order, OrderItem, OrderStatus

from .conftest import fresh, order_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ADDRESS = {"street": "Абая", "house": "10", "apartment": "25", "entrance": "2", "floor": "5",
           "intercom": "25К"}  # fmt: skip


def _almaty_next_day():
    locality, _created = Locality.objects.get_or_create(
        country="KZ", name_ru="Алматы",
        defaults={"region": "Алматы", "name_en": "Almaty", "timezone": "Asia/Almaty"},
    )  # fmt: skip
    carrier = Carrier.objects.create(code="race-courier", name="Race courier")
    DeliveryZone.objects.create(
        carrier=carrier, country="KZ", locality=locality, lead_days=1, weekdays="1-7",
        skips_holidays=False,
    )  # fmt: skip
    return locality, carrier


def _outcomes_together(calls: list[tuple[ApiClient, str, str]]) -> list:
    barrier = threading.Barrier(len(calls))
    answers: dict[int, object] = {}

    def confirm(n: int, api: ApiClient, lease_id: str, order_id: str) -> None:
        try:
            body = {"result": "confirmed", "orders": [
                {"id": order_id, "decision": "confirm", "delivery_date": "2026-11-25"}]}  # fmt: skip
            barrier.wait()
            answers[n] = api.post(f"/api/v1/calls/{lease_id}/outcome", body)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(n, *c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answers[n] for n in range(len(calls))]


def test_the_last_unit_is_promised_once(clock, store):
    locality, carrier = _almaty_next_day()
    product = Product.objects.create(store=store, sku="SOFA-1", name="Диван", price="150000.00",
                                     stock_quantity=1)  # fmt: skip
    ProductStock.objects.create(product=product, warehouse="main", quantity=1)
    calls = []
    for n in range(2):
        order = order_make(store=store, locality=locality, carrier=carrier, **ADDRESS)
        OrderItem.objects.create(order=order, sku="LAMP-9", name="Лампа", quantity=1,
                                 price="5000.00", position=0)  # fmt: skip
        OrderItem.objects.create(order=order, sku="SOFA-1", name="Диван", quantity=1,
                                 price="150000.00", position=1)  # fmt: skip
        _user, _key, token = user_create(username=f"racer{n}", role="operator",
                                      store_slugs=[store.slug])  # fmt: skip
        api = ApiClient(token)
        lease = api.post("/api/v1/calls/next").json()["lease"]
        calls.append((api, lease["id"], str(order.pk)))

    answers = _outcomes_together(calls)

    assert sorted(a.status_code for a in answers) == [200, 422]
    won, lost = sorted(zip(answers, calls, strict=True), key=lambda a: a[0].status_code)
    lost_order_id = lost[1][2]
    assert lost[0].json()["errors"] == [
        {"field": f"orders[{lost_order_id}].items[1]", "code": "stock_insufficient",
         "message": _("%(sku)s: %(needed)s needed, %(available)s available.")
         % {"sku": "SOFA-1", "needed": 1, "available": 0}, "sku": "SOFA-1", "available": 0},
    ]  # fmt: skip
    assert fresh(Order.objects.get(pk=won[1][2])).status == OrderStatus.CONFIRMED
    refused = fresh(Order.objects.get(pk=lost_order_id))
    assert (refused.status, refused.queue_state) == (
        OrderStatus.AWAITING_CONFIRMATION,
        CallTaskState.IN_CALL,
    )
    assert list(Reservation.objects.values_list("order_id", "quantity")) == [
        (Order.objects.get(pk=won[1][2]).pk, 1)
    ]
    assert CallAttempt.objects.count() == 1
    assert date(2026, 11, 25) == Order.objects.get(pk=won[1][2]).delivery_on
