"""Two dispatches of the same carrier and date at once, on PostgreSQL: each order in one."""

import threading

import pytest
from django.db import connection

from orderdesk.core.errors import ApplicationError
from orderdesk.delivery.models import Carrier
from orderdesk.fulfilment.models import DispatchOrder
from orderdesk.fulfilment.services import DISPATCH_EMPTY, dispatch_create
from orderdesk.orders.models import Order, OrderStatus, StoreEvent
from orderdesk.stores.services import store_create

from .conftest import DELIVERY_ON, confirmed_order_make

ORDERS = 20
ROUNDS = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatches_never_take_one_order_twice():
    store, _ = store_create(name="Гонка", slug="dispatch-race")
    # Tests outside a transaction empty the tables after them: the reference carrier may be gone.
    carrier, _ = Carrier.objects.get_or_create(code="garanta", defaults={"name": "ГарантА"})
    for round_ in range(ROUNDS):
        delivery_on = DELIVERY_ON.replace(day=DELIVERY_ON.day + round_)
        for _ in range(ORDERS):
            confirmed_order_make(store=store, carrier=carrier, delivery_on=delivery_on)
        results: list[object] = []
        start = threading.Barrier(2)

        def dispatch(delivery_on=delivery_on, start=start, results=results):
            try:
                start.wait()
                results.append(
                    dispatch_create(store=store, carrier=carrier, delivery_on=delivery_on)
                )
            except ApplicationError as exc:
                results.append(exc.code)
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=dispatch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # One dispatch took every order; the other found none waiting (or took the rest).
        assert len(results) == 2
        assert all(not isinstance(r, str) or r == DISPATCH_EMPTY for r in results), results
        orders = Order.objects.filter(store=store, delivery_on=delivery_on)
        assert orders.filter(status=OrderStatus.IN_FULFILMENT).count() == ORDERS
        assert DispatchOrder.objects.filter(order__in=orders).count() == ORDERS
        published = StoreEvent.objects.filter(order__in=orders, type="order.in_fulfilment")
        assert published.count() == ORDERS
