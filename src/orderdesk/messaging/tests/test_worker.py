"""With `orderdesk worker` running, the "order received" message leaves within 60 s of intake
(speed to first contact), through the real SMTP server on loopback; and a worker killed in the
middle of sending leaves the message to the next worker, which sends it once.

The worker runs against the test database (committed rows: `transactional_db`)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.test import override_settings

from orderdesk.core.tests.test_workers_shared import _database_url
from orderdesk.messaging.defaults import default_templates_install
from orderdesk.messaging.models import Message, MessageStatus, MessageTemplate, StoreMessaging
from orderdesk.orders.services import orders_intake
from orderdesk.stores.services import store_create

from .conftest import PUBLIC_URL
from .peers import SmtpPeer

pytestmark = pytest.mark.postgres
FIRST_CONTACT_LIMIT = 60.0


@pytest.fixture
def smtp_slow():
    peer = SmtpPeer()
    yield peer
    peer.close()


@pytest.fixture
def worker_start(transactional_db, tmp_path):
    started: list[subprocess.Popen] = []

    def start(smtp_port: int, *, wait_ready: bool = True) -> subprocess.Popen:
        n = len(started) + 1
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "DEFAULT_FROM_EMAIL": "shop@example.kz",
            "ORDERDESK_SMS_URL": "",
            "ORDERDESK_PUBLIC_URL": PUBLIC_URL,
            "ORDERDESK_WORKER_HEALTH_FILE": str(tmp_path / f"worker{n}.json"),
            "ORDERDESK_DATA_DIR": str(tmp_path / f"data{n}"),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("NOTIFY_SOCKET", None)
        log = (tmp_path / f"worker{n}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "orderdesk", "worker"], env=env, stdout=log, stderr=log
        )
        started.append(process)
        health = tmp_path / f"worker{n}.json"
        if wait_ready:  # its periodic jobs run: the worker is up
            assert _wait(lambda: '"last_job_at": "' in _read(health), 120), "worker did not start"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _intake(smtp_port: int, external_id: str, make_payload):
    default_templates_install(MessageTemplate)  # an earlier transactional test emptied the table
    store, _key = store_create(name="Мебель Плюс", slug=f"mebel-{external_id.lower()}")
    # Speed to first contact is measured at any hour: the calling window is not the subject.
    StoreMessaging.objects.create(
        store=store, channels="email", quiet_hours_follow_calling_window=False
    )
    with override_settings(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_port,
        ORDERDESK_SMS_URL="",
        ORDERDESK_PUBLIC_URL=PUBLIC_URL,
    ):
        (result,) = orders_intake(
            store=store, payloads=[make_payload(external_id)], actor_label="test"
        )
    assert result.created
    return result.order


def _read(path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _wait(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_order_received_leaves_within_60_seconds_of_intake(
    worker_start, smtp_slow, make_payload, tmp_path
):
    worker_start(smtp_slow.port)
    started = time.monotonic()
    order = _intake(smtp_slow.port, "SPEED-1", make_payload)
    assert _wait(lambda: smtp_slow.mails, FIRST_CONTACT_LIMIT), (
        tmp_path / "worker1.log"
    ).read_text()[-3000:]
    elapsed = time.monotonic() - started
    print(f"\norder received left {elapsed:.1f} s after intake")
    (mail,) = smtp_slow.mails
    assert mail["Subject"].strip() == "SPEED-1 тапсырысы қабылданды"
    assert f"{PUBLIC_URL}/o/" in mail.get_content()
    assert elapsed < FIRST_CONTACT_LIMIT
    assert _wait(lambda: Message.objects.get(order=order).status == MessageStatus.SENT, 10)


def test_a_worker_killed_mid_send_leaves_the_message_to_the_next_which_sends_it_once(
    worker_start, smtp_slow, make_payload, tmp_path
):
    smtp_slow.stall = 30.0  # the server takes its time: the worker is killed while it waits
    first = worker_start(smtp_slow.port)
    order = _intake(smtp_slow.port, "CRASH-1", make_payload)
    assert _wait(lambda: smtp_slow.sessions, 60), (
        Message.objects.filter(order=order).values("status", "not_before", "attempts", "error"),
        (tmp_path / "worker1.log").read_text()[-3000:],
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert smtp_slow.mails == []
    message = Message.objects.get(order=order)
    assert message.status == MessageStatus.SENDING
    smtp_slow.stall = 0.0
    worker_start(smtp_slow.port)
    # The claim runs out (60 s), the second worker sends the same message, once.
    assert _wait(lambda: Message.objects.get(pk=message.pk).status == MessageStatus.SENT, 120)
    time.sleep(3)
    assert [m["Message-ID"].strip() for m in smtp_slow.mails] == [f"<{message.pk.hex}@example.kz>"]
    assert Message.objects.filter(order=order).count() == 1
    assert Message.objects.get(pk=message.pk).attempts == 2
