"""The queue's move from the orders table into call tasks loses nothing of a live queue."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("calling", "0004_indexes_fewer"), ("orders", "0007_outbox_customer_indexes_fewer")]
AFTER = [("calling", "0005_call_tasks"), ("orders", "0008_queue_moves_to_call_tasks")]
AT = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """The tests after this one expect every migration applied, later ones included."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_queue(apps):
    """A store with three awaiting orders as the old columns held them: a personal callback, a
    pending check, and one in a live lease; and a confirmed order that had been called."""
    Store = apps.get_model("stores", "Store")
    User = apps.get_model("accounts", "User")
    Customer = apps.get_model("orders", "Customer")
    Order = apps.get_model("orders", "Order")
    Lease = apps.get_model("calling", "Lease")
    CallAttempt = apps.get_model("calling", "CallAttempt")
    store = Store.objects.create(name="Миграция", slug="migration")
    operator = User.objects.create(username="op-migration", role="operator")
    customer = Customer.objects.create(store=store, phone="+77010001111", name="Тест")

    def order(external_id, **queue):
        return Order.objects.create(
            store=store, customer=customer, external_id=external_id, payment_method="cash_on_delivery",
            locality_name="Алматы", timezone="Asia/Almaty", language="kk",
            status=queue.pop("status", "awaiting_confirmation"), **queue,
        )  # fmt: skip

    callback = order("M-1", queue_state="callback", next_call_at=AT + timedelta(hours=2),
                     callback_user=operator, attempts_count=2, first_call_at=AT)  # fmt: skip
    check = order("M-2", queue_state="pending_check", next_call_at=AT + timedelta(hours=1),
                  callback_user=operator, attempts_count=1)  # fmt: skip
    lease = Lease.objects.create(
        operator=operator, store=store, customer=customer, claimed_at=AT,
        expires_at=AT + timedelta(minutes=5),
        held=[{"id": "", "queue_state": "queued", "next_call_at": AT.isoformat(),
               "callback_user_id": None}],
    )  # fmt: skip
    in_call = order("M-3", queue_state="in_call", next_call_at=AT, lease_id=lease.pk,
                    lease_user=operator, lease_expires_at=lease.expires_at)  # fmt: skip
    lease.held[0]["id"] = str(in_call.pk)
    lease.save()
    confirmed = order("M-4", status="confirmed", queue_state="", attempts_count=3,
                      first_call_at=AT, cancel_reason="")  # fmt: skip
    attempt = CallAttempt.objects.create(
        operator=operator, store=store, customer=customer, started_at=AT, ended_at=AT,
        result="no_answer",
    )  # fmt: skip
    attempt.orders.add(callback, confirmed)
    return operator, lease, (callback, check, in_call, confirmed), attempt


@pytest.mark.django_db(transaction=True)
def test_migration_moves_callback_pending_check_and_live_lease_into_tasks(back_to_latest):
    old = _migrate(BEFORE)
    operator, lease, (callback, check, in_call, confirmed), attempt = _old_queue(old)
    new = _migrate(AFTER)
    CallTask = new.get_model("calling", "CallTask")
    Lease = new.get_model("calling", "Lease")
    CallAttempt = new.get_model("calling", "CallAttempt")

    def task(order):
        return CallTask.objects.get(order_id=order.pk)

    got = task(callback)
    assert (got.purpose, got.state, got.due_at, got.callback_user_id, got.attempts_count) == (
        "confirmation", "callback", AT + timedelta(hours=2), operator.pk, 2,
    )  # fmt: skip
    assert (got.first_call_at, got.timezone, got.language) == (AT, "Asia/Almaty", "kk")
    got = task(check)
    assert (got.state, got.due_at, got.callback_user_id) == (
        "pending_check", AT + timedelta(hours=1), operator.pk,
    )  # fmt: skip
    got = task(in_call)
    assert (got.state, got.lease_id) == ("in_call", lease.pk)
    held = Lease.objects.get(pk=lease.pk).held
    assert held == [
        {"id": str(got.pk), "order_id": str(in_call.pk), "state": "queued",
         "due_at": AT.isoformat(), "callback_user_id": None},
    ]  # fmt: skip
    got = task(confirmed)
    assert (got.state, got.attempts_count, got.due_at) == ("done", 3, None)
    linked = set(CallAttempt.objects.get(pk=attempt.pk).tasks.values_list("order_id", flat=True))
    assert linked == {callback.pk, confirmed.pk}
