"""Two `orderdesk worker` processes on one database share the periodic jobs and the task queue:
each webhook is delivered once, each expired lease is closed once, each queued task runs once.

The workers run against the test database (committed rows: `transactional_db`); the webhooks go
to a receiver of the test's own on 127.0.0.1."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallAttempt, CallResult, Lease, LeaseEnd
from orderdesk.calling.services import call_next_claim
from orderdesk.calling.tests.conftest import order_make
from orderdesk.core.tests.webhook_receiver import Receiver
from orderdesk.integrations.models import DeliveryStatus, WebhookDelivery
from orderdesk.integrations.services import webhook_endpoint_create
from orderdesk.orders.services import orders_intake

from .worker_tasks import line_append

pytestmark = pytest.mark.postgres
WAIT = 120.0
LEASES = 6
ORDERS = 12
TASKS = 10
# Tuesday 24 November 2026, 06:00 UTC: inside the calling window in Almaty; long past by now, so
# the leases taken then (5 minutes each) have expired.
CLAIMED_AT = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture
def receiver(settings):
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = settings.ORDERDESK_WEBHOOKS_ALLOW_HTTP = True
    receiver = Receiver()
    yield receiver
    receiver.close()


def _database_url() -> str:
    """The test database's URL; a socket folder as host (the embedded server) is quoted, as
    the settings read it back."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = urllib.parse.quote(s["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{s['USER']}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Starts two workers on the test database when called; stops them at the end."""
    started = []

    def start() -> list[subprocess.Popen]:
        for n in (1, 2):
            env = {
                **os.environ,
                "DATABASE_URL": _database_url(),
                "ORDERDESK_WEBHOOKS_ALLOW_PRIVATE": "1",
                "ORDERDESK_WEBHOOKS_ALLOW_HTTP": "1",
                "ORDERDESK_WORKER_HEALTH_FILE": str(tmp_path / f"worker{n}.json"),
                "ORDERDESK_DATA_DIR": str(tmp_path / f"data{n}"),
                "PYTHONUNBUFFERED": "1",
            }
            env.pop("NOTIFY_SOCKET", None)
            log = (tmp_path / f"worker{n}.log").open("w")
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "orderdesk", "worker"], env=env, stdout=log, stderr=log
                )
            )
        return started

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(condition, what: str, tmp_path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    logs = "\n".join(p.read_text()[-3000:] for p in sorted(tmp_path.glob("worker*.log")))
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _leases_expired(store) -> list[Lease]:
    leases = []
    for n in range(LEASES):
        operator, _, _ = user_create(
            username=f"shared-op{n}", role="operator", store_slugs=[store.slug], languages=["ru"]
        )
        order_make(store=store, next_call_at=CLAIMED_AT - timedelta(minutes=5))
        claim = call_next_claim(operator=operator, at=CLAIMED_AT)
        leases.append(claim.lease)
    return leases


def test_two_workers_deliver_each_webhook_and_expire_each_lease_once(
    store, make_payload, receiver, workers, tmp_path
):
    webhook_endpoint_create(store=store, url=receiver.url, events=["order.created"])
    results = orders_intake(
        store=store,
        payloads=[make_payload(f"SHARED-{n}") for n in range(ORDERS)],
        actor_label="test",
    )
    assert all(not r.errors for r in results)
    leases = _leases_expired(store)
    assert Lease.objects.filter(
        ended_at__isnull=True, expires_at__lt=datetime.now(UTC)
    ).count() == (LEASES)
    lines = tmp_path / "tasks.txt"
    for n in range(TASKS):
        line_append.enqueue(str(lines), f"task-{n}")

    processes = workers()

    def all_done() -> bool:
        return (
            not Lease.objects.filter(ended_at__isnull=True).exists()
            and WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == ORDERS
            and lines.exists()
            and len(lines.read_text().splitlines()) >= TASKS
        )

    _wait_for(all_done, "the leases, the webhooks and the tasks", tmp_path)
    time.sleep(3)  # a repeat, if any, would come in a later turn of either worker
    assert all(p.poll() is None for p in processes)

    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == ORDERS
    assert {d.attempts for d in deliveries} == {1}
    with receiver.lock:
        received = Counter(receiver.ids)
    assert sorted(received) == sorted(str(d.event_id) for d in deliveries)
    assert set(received.values()) == {1}

    for lease in leases:
        lease.refresh_from_db()
        assert lease.end_reason == LeaseEnd.EXPIRED
        attempts = CallAttempt.objects.filter(lease=lease)
        assert [a.result for a in attempts] == [CallResult.ABANDONED]

    assert Counter(lines.read_text().splitlines()) == Counter(f"task-{n}" for n in range(TASKS))
    for log in tmp_path.glob("worker*.log"):
        assert "Traceback" not in log.read_text()
