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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_sharing_orders_store_each_order_once(store, make_payload):
    """Two bulk posts overlap in half their orders: whichever writes second finds the shared ones
    stored (its COPY is refused by the unique constraint and it falls back to the skipping
    insert) and answers with the stored orders."""
    batches = [
        [make_payload(f"OVERLAP-{n}") for n in range(0, 40)],
        [make_payload(f"OVERLAP-{n}") for n in range(20, 60)],
    ]
    barrier = threading.Barrier(2)
    results, failures = [], []

    def post(payloads) -> None:
        try:
            barrier.wait()
            results.extend(orders_intake(store=store, payloads=payloads, actor_label="test"))
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    stored = dict(Order.objects.values_list("external_id", "id"))
    assert len(stored) == 60 and len(results) == 80
    assert all(r.order is not None and r.order.pk == stored[r.order.external_id] for r in results)
    assert sum(r.created for r in results) == 60
    assert OrderEvent.objects.count() == 60 and StoreEvent.objects.count() == 60
