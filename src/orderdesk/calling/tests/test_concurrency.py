"""Hundreds of claims at once on PostgreSQL: never two operators on one order."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState, Lease
from orderdesk.calling.services import call_next_claim, call_outcome_record
from orderdesk.orders.models import Customer, Order, OrderStatus
from orderdesk.stores.services import store_create

THREADS = 50
ORDERS = 500


def _orders_bulk(store, count: int) -> None:
    """`count` queued orders of `count // 2` customers (two orders each) in Almaty."""
    now = timezone.now()
    customers = Customer.objects.bulk_create(
        Customer(store=store, phone=f"+7701{n:07d}", name="Тест") for n in range(count // 2)
    )
    orders = Order.objects.bulk_create(
        Order(
            store=store,
            customer=customers[n // 2],
            external_id=f"C-{n}",
            status=OrderStatus.AWAITING_CONFIRMATION,
            payment_method="cash_on_delivery",
            locality_name="Алматы",
            timezone="Asia/Almaty",
        )
        for n in range(count)
    )
    CallTask.objects.bulk_create(
        CallTask(
            store=store,
            customer=order.customer,
            order=order,
            purpose=CallPurpose.CONFIRMATION,
            state=CallTaskState.QUEUED,
            due_at=now - timedelta(minutes=n % 60),
            timezone="Asia/Almaty",
            created_at=now,
        )
        for n, order in enumerate(orders)
    )


def _all_hours_window(store) -> None:
    from orderdesk.calling.models import CallingPolicy

    CallingPolicy.objects.update_or_create(
        store=store,
        defaults={
            "windows": {str(d): ["00:00", "23:59"] for d in range(1, 8)},
            "min_gap_minutes": 0,
        },
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_claim_five_hundred_orders_each_exactly_once():
    store, _ = store_create(name="Конкурс", slug="race")
    _all_hours_window(store)
    _orders_bulk(store, ORDERS)
    operators = [
        user_create(username=f"race{n}", role="operator", store_slugs=["race"])[0]
        for n in range(THREADS)
    ]
    claimed: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(operator) -> None:
        try:
            start.wait()
            while (claim := call_next_claim(operator=operator)) is not None:
                with lock:
                    claimed.extend(claim.lease.order_ids)
                call_outcome_record(
                    lease_id=claim.lease.pk,
                    operator=operator,
                    result="cancelled",
                    reason="test_order",
                )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(op,)) for op in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    counts = Counter(claimed)
    assert len(counts) == ORDERS
    assert max(counts.values()) == 1
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == ORDERS
    assert Lease.objects.filter(ended_at__isnull=True).count() == 0
    # Each lease took both orders of its customer together.
    assert all(len(lease.held) == 2 for lease in Lease.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claim_passes_over_every_order_other_claimers_hold():
    """More heads held by other transactions than the first read of candidates covers: the
    claim still finds the oldest order nobody holds."""
    from orderdesk.calling.selectors import QUEUE_HEAD_DEPTHS

    store, _ = store_create(name="Занято", slug="held")
    _all_hours_window(store)
    held_count = QUEUE_HEAD_DEPTHS[0] + 4  # even: two orders per customer
    _orders_bulk(store, held_count + 2)
    operator = user_create(username="free", role="operator", store_slugs=["held"])[0]
    oldest_tasks = list(CallTask.objects.order_by("due_at", "id").values_list("pk", "order_id"))
    oldest = [order_id for _task, order_id in oldest_tasks]
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                held = [task for task, _order in oldest_tasks[:held_count]]
                list(CallTask.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        claim = call_next_claim(operator=operator)
    finally:
        release.set()
        holder.join(timeout=60)
    assert claim is not None
    # The oldest order nobody holds, with its customer's other order (also free).
    assert sorted(claim.lease.order_ids) == sorted(str(pk) for pk in oldest[held_count:])
    assert not set(claim.lease.order_ids) & {str(pk) for pk in oldest[:held_count]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_candidate_leased_by_another_claimer_meanwhile_is_passed_over_unlocked():
    """The head's candidates are read, another operator leases the first of them, then the lock
    is taken: the claim locks the next one, and the leased order stays free for its own call's
    outcome (no lock of this claim waits on it)."""
    from orderdesk.calling.selectors import queue_head_lock, queue_scope_for

    store, _ = store_create(name="Гонка", slug="epq")
    _all_hours_window(store)
    _orders_bulk(store, 4)
    first, second = (
        user_create(username=name, role="operator", store_slugs=["epq"])[0]
        for name in ("first", "second")
    )
    oldest_tasks = list(CallTask.objects.order_by("due_at", "id").values_list("pk", "order_id"))
    oldest = [order_id for _task, order_id in oldest_tasks]
    candidates_read, leased = threading.Event(), threading.Event()
    outcome: dict = {}

    def claim_after_reading_candidates() -> None:
        from orderdesk.calling import selectors

        locking = selectors._candidate_lock

        def wait_then_lock(**kwargs):
            if not candidates_read.is_set():
                candidates_read.set()
                leased.wait(timeout=30)
            return locking(**kwargs)

        try:
            selectors._candidate_lock = wait_then_lock
            with transaction.atomic():
                scope = queue_scope_for(operator=second, at=timezone.now())
                outcome["head"] = queue_head_lock(
                    scope=scope, operator=second, at=timezone.now(), skipped=()
                )
                outcome["first_call_free"] = _row_free(oldest_tasks[0][0])
        finally:
            selectors._candidate_lock = locking
            connections.close_all()

    claimer = threading.Thread(target=claim_after_reading_candidates)
    claimer.start()
    try:
        assert candidates_read.wait(timeout=30)
        claim = call_next_claim(operator=first)
        assert str(oldest[0]) in claim.lease.order_ids
    finally:
        leased.set()
        claimer.join(timeout=60)
    taken = {task for task, _order in oldest_tasks[:2]}
    assert outcome["head"] is not None and outcome["head"].id not in taken
    assert outcome["first_call_free"] is True


def _row_free(task_id) -> bool:
    """Whether another connection can lock the call task right now."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        try:
            other.execute("SET lock_timeout = '200ms'")
            table = CallTask._meta.db_table
            other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [task_id])
        except psycopg.errors.LockNotAvailable:
            return False
    return True
