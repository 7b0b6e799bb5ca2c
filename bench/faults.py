"""A scripted fault run, on loopback only and bounded in time (a minute or two):

    .venv/bin/python bench/faults.py [--seconds 30] [--clients 4]

It starts a PostgreSQL cluster of its own (initdb in a temporary folder, its own free port on
127.0.0.1: never another server of the machine), migrates it, starts `orderdesk serve` and one
`orderdesk worker`, registers a webhook endpoint to a receiver of its own on 127.0.0.1, and
leaves a few expired call leases for the worker to free. Then clients post orders through the
API (each one until it is acknowledged; a repeat of an `external_id` is the idempotent answer
the API promises) while the faults come, one after the other:

- the worker is killed (SIGKILL) while it is sending a webhook, and started again;
- the database is restarted (`pg_ctl restart -m fast`);
- the web server is killed (SIGKILL, master and workers) under load, and started again.

When the load stops it waits (bounded) for the webhooks to drain and prints: requests, faults
injected, orders expected (acknowledged) vs found, duplicates, stuck leases, webhooks sent vs
delivered (and whether every repeat carried the id of its first send), and one JSON line.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

# This folder also holds queue.py, which would shadow the standard library's queue module.
sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
]

from orderdesk.core.tests.webhook_receiver import Receiver  # noqa: E402

LEASES = 5
RECEIVER_DELAY = 0.3  # per webhook until the worker is killed: a send is in flight often
SETUP = """
from datetime import UTC, datetime, timedelta
from orderdesk.accounts.services import user_create
from orderdesk.calling.services import call_next_claim
from orderdesk.calling.tests.conftest import order_make
from orderdesk.stores.models import Store
store = Store.objects.get(slug={slug!r})
at = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # inside the calling window in Almaty
for n in range({leases}):
    operator, _, _ = user_create(username=f"fault-op{{n}}", role="operator",
                                 store_slugs=[store.slug], languages=["ru"])
    order_make(store=store, next_call_at=at - timedelta(minutes=5), external_id=f"LEASE-{{n}}")
    call_next_claim(operator=operator, at=at)
"""


class Run:
    def __init__(self, cluster, folder: Path, web_port: int) -> None:
        self.cluster, self.folder, self.web_port = cluster, folder, web_port
        self.env = {
            **os.environ,
            "DATABASE_URL": cluster.url(),
            "DJANGO_SECRET_KEY": "fault-run-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "ORDERDESK_DATA_DIR": str(folder / "data"),
            "ORDERDESK_WORKER_HEALTH_FILE": str(folder / "worker.json"),
            "ORDERDESK_WEBHOOKS_ALLOW_PRIVATE": "1",
            "ORDERDESK_WEBHOOKS_ALLOW_HTTP": "1",
            "ORDERDESK_API_RATE_LIMIT": "1000000",
            "DATABASE_CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("NOTIFY_SOCKET", None)
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.log = (folder / "processes.log").open("a")

    def command(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "orderdesk", *args],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"orderdesk {args[0]} failed: {done.stderr[-2000:]}")
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "orderdesk", *args],
            env=self.env, stdout=self.log, stderr=self.log, start_new_session=True,
        )  # fmt: skip

    def web_start(self) -> None:
        self.web = self.start(
            "serve", "--bind", f"127.0.0.1:{self.web_port}", "--workers", "2", "--threads", "8",
            "--control-socket", str(self.folder / "web.ctl"),
        )  # fmt: skip

    def worker_start(self) -> None:
        self.worker = self.start("worker")

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.web, self.worker):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def request(url: str, *, key: str, body: dict | None = None, timeout: float = 10.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method="POST" if data else "GET",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def order_payload(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "source": "website",
        "customer": {"name": "Айгуль", "phone": "+77011234567", "language": "ru"},
        "items": [{"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"}],
        "delivery": {"locality": "Алматы", "address_line": "ул. Абая, д. 10, кв. 25"},
        "payment": {"method": "cash_on_delivery"},
    }


class Load:
    """Clients posting orders; each order is posted until it is acknowledged (2xx)."""

    def __init__(self, base: str, key: str, clients: int) -> None:
        self.base, self.key, self.clients = base, key, clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.requests = self.failures = 0
        self.acknowledged: set[str] = set()
        self.threads = [threading.Thread(target=self.client, args=(n,)) for n in range(clients)]

    def client(self, n: int) -> None:
        number = 0
        while not self.stop.is_set():
            self.order_send(f"F-{n}-{number}")
            number += 1

    def order_send(self, external_id: str) -> None:
        """Until acknowledged; after the load stops, an order in doubt is still retried for a
        while (the web server may be starting again), so it is resolved either way."""
        deadline = None
        while not self.post(external_id):
            if self.stop.is_set():
                deadline = deadline or time.monotonic() + 30
                if time.monotonic() > deadline:
                    return
            time.sleep(0.2)

    def post(self, external_id: str) -> bool:
        with self.lock:
            self.requests += 1
        try:
            status, _ = request(
                f"{self.base}/api/v1/orders", key=self.key, body=order_payload(external_id)
            )
        except (urllib.error.URLError, OSError, ValueError):
            status = 0
        if 200 <= status < 300:
            with self.lock:
                self.acknowledged.add(external_id)
            return True
        with self.lock:
            self.failures += 1
        return False


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def web_up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return response.status in (200, 503)
    except (urllib.error.URLError, OSError):
        return False


def faults_inject(run: Run, receiver: Receiver, base: str, spacing: float) -> list[str]:
    injected = []
    time.sleep(spacing)
    wait_for(lambda: receiver.in_flight > 0, 15)
    os.killpg(run.worker.pid, signal.SIGKILL)
    run.worker.wait()
    injected.append("worker killed mid-send" if receiver.in_flight else "worker killed")
    receiver.delay = 0.0
    run.worker_start()

    time.sleep(spacing)
    run.cluster.restart()
    injected.append("database restarted")

    time.sleep(spacing)
    os.killpg(run.web.pid, signal.SIGKILL)
    run.web.wait()
    injected.append("web server killed under load")
    run.web_start()
    wait_for(lambda: web_up(base), 60)
    time.sleep(spacing)
    return injected


def figures(run: Run, load: Load, receiver: Receiver, store_id: int) -> dict:
    import psycopg

    with psycopg.connect(run.cluster.url()) as conn:

        def one(sql: str, *params):
            return conn.execute(sql, params).fetchone()[0]

        found = set(
            r[0]
            for r in conn.execute(
                "SELECT external_id FROM orders_order WHERE store_id = %s AND external_id LIKE 'F-%%'",
                (store_id,),
            )
        )
        duplicates = one(
            "SELECT count(*) FROM (SELECT 1 FROM orders_order WHERE store_id = %s "
            "GROUP BY external_id HAVING count(*) > 1) d",
            store_id,
        )
        stuck = one(
            "SELECT count(*) FROM calling_lease WHERE ended_at IS NULL AND expires_at < now()"
        )
        events = {
            str(r[0])
            for r in conn.execute(
                "SELECT id FROM orders_storeevent WHERE store_id = %s AND type = 'order.created'",
                (store_id,),
            )
        }
        owed = one("SELECT count(*) FROM integrations_webhookdelivery WHERE status <> 'succeeded'")
    with receiver.lock:
        sent = Counter(receiver.ids)
    return {
        "requests": load.requests,
        "failed_requests": load.failures,
        "orders_expected": len(load.acknowledged),
        "orders_found": len(found & load.acknowledged),
        "orders_lost": len(load.acknowledged - found),
        "orders_unacknowledged_stored": len(found - load.acknowledged),
        "duplicates": duplicates,
        "leases_expired_before": LEASES,
        "stuck_leases": stuck,
        "webhooks_expected": len(events),
        "webhooks_sent": sum(sent.values()),
        "webhooks_delivered": len(set(sent) & events),
        "webhooks_repeated": sum(sent.values()) - len(sent),
        "webhooks_unknown_id": len(set(sent) - events),
        "webhooks_owed": owed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=32.0, help="length of the load")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    spacing = args.seconds / 4

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import psycopg

    from orderdesk.core.tests.pgcluster import Cluster, _free_port, postgres_bindir

    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries (the embedded server's wheel or Debian's)")
    cluster = Cluster(bindir)
    folder = Path(tempfile.mkdtemp(prefix="orderdesk-faults-"))
    run = None
    started = time.monotonic()
    try:
        cluster.init()
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE orderdesk")
        run = Run(cluster, folder, _free_port())
        base = f"http://127.0.0.1:{run.web_port}"
        run.command("migrate", "--no-input")
        store = json.loads(run.command("createstore", "Fault Store", "--json"))
        run.command("shell", "-c", SETUP.format(slug=store["slug"], leases=LEASES))
        receiver = Receiver(delay=RECEIVER_DELAY)
        run.web_start()
        run.worker_start()
        if not wait_for(lambda: web_up(base), 90):
            raise SystemExit("the web server did not start")
        status, _ = request(
            f"{base}/api/v1/webhooks",
            key=store["api_key"],
            body={"url": receiver.url, "events": ["order.created"]},
        )
        assert status == 201, status

        load = Load(base, store["api_key"], args.clients)
        for thread in load.threads:
            thread.start()
        injected = faults_inject(run, receiver, base, spacing)
        load.stop.set()
        for thread in load.threads:
            thread.join(timeout=60)

        def drained() -> bool:
            with psycopg.connect(cluster.url()) as conn:
                return not conn.execute(
                    "SELECT 1 FROM integrations_webhookdelivery WHERE status <> 'succeeded' "
                    "UNION ALL SELECT 1 FROM calling_lease WHERE ended_at IS NULL "
                    "AND expires_at < now() LIMIT 1"
                ).fetchone()

        time.sleep(3)  # the fan-out of the last orders' events
        wait_for(drained, 120)
        result = {"faults_injected": len(injected), **figures(run, load, receiver, store["id"])}
    finally:
        if run is not None:
            run.stop()
        cluster.remove()
        if run is not None:
            run.log.close()
        shutil.rmtree(folder, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)

    print(f"faults injected:   {', '.join(injected)}")
    print(f"requests:          {result['requests']} ({result['failed_requests']} failed, retried)")
    print(
        f"orders:            {result['orders_expected']} expected, {result['orders_found']} found"
    )
    print(f"duplicates:        {result['duplicates']}")
    print(f"stuck leases:      {result['stuck_leases']} (of {LEASES} expired ones to free)")
    print(
        f"webhooks:          {result['webhooks_expected']} expected, {result['webhooks_sent']} "
        f"sent, {result['webhooks_delivered']} delivered, {result['webhooks_repeated']} repeats "
        f"(same id), {result['webhooks_unknown_id']} unknown ids, {result['webhooks_owed']} owed"
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
