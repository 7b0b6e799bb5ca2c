import threading

import pytest
from django.db import connection

from orderdesk.orders.models import Customer, Order, OrderEvent, OrderEventType, StoreEvent
from orderdesk.orders.services import orders_intake

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _post_together(store, batches: list[list[dict]]) -> list:
    """Every batch posted by its own thread (own connection), all released at once; the
    results of all of them. A failure in any thread fails the test."""
    barrier = threading.Barrier(len(batches))
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
    return results


def test_ten_concurrent_posts_of_one_new_order_create_exactly_one(store, make_payload):
    results = _post_together(store, [[make_payload("RACE-1")] for _ in range(10)])
    assert Order.objects.count() == 1
    assert Customer.objects.count() == 1
    assert sum(r.created for r in results) == 1
    assert {str(r.order.pk) for r in results} == {str(Order.objects.get().pk)}
    assert StoreEvent.objects.count() == 1
    assert OrderEvent.objects.count() == 1


def test_concurrent_batches_sharing_orders_store_each_order_once(store, make_payload):
    """Two bulk posts overlap in half their orders: whichever writes second finds the shared ones
    stored (its COPY is refused by the unique constraint and it falls back to the skipping
    insert) and answers with the stored orders."""
    results = _post_together(
        store,
        [
            [make_payload(f"OVERLAP-{n}") for n in range(0, 40)],
            [make_payload(f"OVERLAP-{n}") for n in range(20, 60)],
        ],
    )
    stored = dict(Order.objects.values_list("external_id", "id"))
    assert len(stored) == 60 and len(results) == 80
    assert all(r.order is not None and r.order.pk == stored[r.order.external_id] for r in results)
    assert sum(r.created for r in results) == 60
    # one `created` event per order (screening adds its notes: these orders are duplicates)
    created_events = OrderEvent.objects.filter(type=OrderEventType.CREATED)
    assert created_events.count() == 60 and StoreEvent.objects.count() == 60
