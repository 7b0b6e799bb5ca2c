"""`orderdesk worker` outlives its database: restarted under it, and gone for a while, the server
is waited for, the outage logged once, and the periodic jobs and the task queue carry on. Its
health (last beat, last job, the database's state) is in its file, in systemd's notify socket
and in the database.

Run against a PostgreSQL cluster the test starts, stops and restarts itself (pgcluster.py)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime

import psycopg
import pytest

from .pgcluster import Cluster, postgres_bindir_or_skip

# One run is enough: the cluster is the test's own, whatever database the suite runs on.
pytestmark = pytest.mark.postgres
WAIT = 90.0


def _orderdesk(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orderdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def _wait_for(condition, what: str, worker=None, timeout: float = WAIT):
    """Polls until `condition()` is truthy; bounded, so a broken worker fails the test (with
    its threads' stacks and its log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    log = ""
    if worker is not None:
        worker["process"].send_signal(signal.SIGUSR1)
        time.sleep(1)
        log = (worker["tmp"] / "worker.log").read_text()[-6000:]
    raise AssertionError(f"timed out waiting for {what}\n{log}")


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(postgres_bindir_or_skip())
    try:
        cluster.init()
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE orderdesk")
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def worker(cluster, tmp_path):
    """A running `orderdesk worker` on the cluster, its log, health file and notify socket."""
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(0)
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(),
        "ORDERDESK_WORKER_HEALTH_FILE": str(tmp_path / "worker.json"),
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "ORDERDESK_DATA_DIR": str(tmp_path / ".orderdesk"),
        "PYTHONUNBUFFERED": "1",
    }
    migrated = _orderdesk("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "orderdesk", "worker"], env=env, stdout=log, stderr=log
    )
    try:
        yield {"process": process, "env": env, "tmp": tmp_path, "notify": notify}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        log.close()
        notify.close()


def _health(worker) -> dict | None:
    try:
        return json.loads((worker["tmp"] / "worker.json").read_text())
    except (OSError, ValueError):
        return None


def _job_after(worker, moment: datetime):
    """The health once the database is back and a job has run since `moment`."""
    health = _health(worker)
    if not health or health["database"] != "ok" or not health["last_job_at"]:
        return None
    return health if datetime.fromisoformat(health["last_job_at"]) > moment else None


def _now(cluster) -> datetime:
    with psycopg.connect(cluster.url()) as conn:
        return conn.execute("SELECT now()").fetchone()[0]


def _beat_row_after(cluster, moment: datetime):
    """The worker's newest beat in the database (written every 10 s), once it is past `moment`."""
    with psycopg.connect(cluster.url()) as conn:
        row = conn.execute(
            "SELECT beat_at, last_job_at FROM core_workerbeat ORDER BY beat_at DESC LIMIT 1"
        ).fetchone()
    return row if row and row[0] > moment else None


def _task_enqueue(worker, marker) -> None:
    code = (
        "from orderdesk.core.tests.worker_tasks import file_write; "
        f"file_write.enqueue({str(marker)!r})"
    )
    enqueued = _orderdesk("shell", "-c", code, env=worker["env"])
    assert enqueued.returncode == 0, enqueued.stderr


def test_worker_survives_a_restart_and_an_outage_and_reports_its_health(cluster, worker):
    process = worker["process"]
    _wait_for(
        lambda: _job_after(worker, datetime.fromtimestamp(0).astimezone()), "a first job", worker
    )

    restarted_at = _now(cluster)
    cluster.restart()
    _wait_for(lambda: _job_after(worker, restarted_at), "a job after the restart", worker)
    assert process.poll() is None

    cluster.stop()
    down = _wait_for(
        lambda: (h := _health(worker)) and h["database"] == "unreachable" and h, "the outage"
    )
    assert down["database_down_since"] and down["database_error"]
    time.sleep(3)  # a few tries fail meanwhile: the worker waits and keeps beating
    during = _health(worker)
    assert process.poll() is None
    assert during["beat_at"] > down["beat_at"] and during["database"] == "unreachable"
    checked = _orderdesk("worker", "--check", env=worker["env"])
    assert checked.returncode == 0
    assert "alive" in checked.stdout and "database unreachable since" in checked.stdout

    cluster.start()
    started_at = _now(cluster)
    _wait_for(lambda: _job_after(worker, started_at), "a job after the outage", worker)

    marker = worker["tmp"] / "task-ran"
    _task_enqueue(worker, marker)
    _wait_for(marker.exists, "the queued task", worker)
    assert process.poll() is None

    beat_at, last_job_at = _wait_for(
        lambda: _beat_row_after(cluster, started_at), "a beat row", worker
    )
    assert beat_at > started_at and last_job_at > started_at

    log = (worker["tmp"] / "worker.log").read_text()
    assert log.count("database unreachable") >= 2  # the restart and the outage, once each
    assert log.count("database reachable again") >= 2
    assert "Traceback" not in log

    messages = []
    while True:
        try:
            messages.append(worker["notify"].recv(4096).decode())
        except BlockingIOError:
            break
    assert messages[0] == "READY=1" or "READY=1" in messages
    assert any(m.startswith("WATCHDOG=1\nSTATUS=pid ") for m in messages)

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    stale = _orderdesk("worker", "--check", "--max-age", "0", env=worker["env"])
    assert stale.returncode == 1 and "STALE" in stale.stdout
