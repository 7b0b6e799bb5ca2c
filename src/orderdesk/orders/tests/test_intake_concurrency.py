import threading

import pytest
from django.db import connection

from orderdesk.orders.models import Customer, Order, OrderEvent, StoreEvent
from orderdesk.orders.services import orders_intake


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_posts_of_one_new_order_create_exactly_one(store, make_payload):
    barrier = threading.Barrier(10)
    results, failures = [], []

    def post() -> None:
        try:
            barrier.wait()
            results.extend(
                orders_intake(store=store, payloads=[make_payload("RACE-1")], actor_label="test")
            )
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Order.objects.count() == 1
    assert Customer.objects.count() == 1
    assert sum(r.created for r in results) == 1
    assert {str(r.order.pk) for r in results} == {str(Order.objects.get().pk)}
    assert StoreEvent.objects.count() == 1
    assert OrderEvent.objects.count() == 1
