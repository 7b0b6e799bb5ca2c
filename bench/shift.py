"""Operators one node serves: simulated operators work their shift through the web pages, as a
browser does, against `orderdesk serve` on the PostgreSQL server of `DATABASE_URL`.

    createdb -h 127.0.0.1 -U postgres orderdesk_shift_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_shift_bench
    .venv/bin/orderdesk migrate
    .venv/bin/python bench/shift.py                            # ramp
    .venv/bin/python bench/shift.py --operators 200 --seconds 180   # a fixed load

The database must be migrated and hold no orders. The benchmark creates a store calling at any
hour (so the figure does not depend on the time of the run), `--orders` orders through the
intake, and the operators, then starts `orderdesk serve` (`--web-workers` gthread workers) on a
free loopback port.

Each simulated operator keeps one HTTP connection (a browser's keep-alive) and works as the desk
asks: signs in, goes ready, then in a loop takes the next call (`desk/next/`, then the card),
rings for 15–30 s and records "no answer" (30% of the calls) or talks for 60–120 s (uniform),
sending a heartbeat every 15 s, makes one or two edits (the checklist asked with the decision;
the address saved), and records the outcome (confirmed, with the card's date), then waits the
store's wrap-up time (10 s) before the next call, as progressive mode does. An empty queue is
asked again after 10 s.

Ramp (the default): `--step` operators join every `--step-seconds` (their sign-ins spread over
the step; the first step after `--warm-up` seconds of work, unmeasured, as a running server
is warm); after each step the pages' p99 over that step is compared with 200 ms. The ramp stops
at the first step over it, or with errors (a 5xx, a refused connection, or a page slower than
10 s), and reports the last step within it. `--operators N --seconds S`: N operators for S
seconds, measured after every operator signed in.

Page times are measured from the request's start to the last byte, for every page and action
(sign-in reported apart: it runs once a shift and is a password hash by design). The CPU split
is the CPU time of the web server's processes and of this database's PostgreSQL backends over
the measured window, and this process's own (the simulated browsers share the machine). The
last line printed is JSON: {"operators": …, "p50_ms": …, "p99_ms": …, "errors": …, …}.
"""

import os
import sys

# bench/queue.py is named like the standard library's `queue`: keep this folder off the path.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import http.client
import json
import random
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402

from orderdesk.accounts.models import User  # noqa: E402
from orderdesk.calling.models import CallingPolicy  # noqa: E402
from orderdesk.orders.models import Order  # noqa: E402
from orderdesk.orders.services import orders_intake  # noqa: E402
from orderdesk.stores.models import Store  # noqa: E402

P99_LIMIT_MS = 200.0
PAGE_TIMEOUT_S = 10.0  # a page slower than this is an error
SOCKET_TIMEOUT_S = 120.0  # sign-ins queue behind each other's password hashing
PASSWORD = "shift-bench-password-1"
SIGN_IN_SPACING_S = 0.5  # operators arrive for their shift, not all in one second
HEARTBEAT_S = 15.0
WRAP_UP_S = 10.0
EMPTY_RETRY_S = 10.0
NO_ANSWER_SHARE = 0.3
ALL_DAY = {str(day): ["00:00", "23:59"] for day in range(1, 8)}

LEASE = re.compile(r'name="lease" value="([0-9a-f-]{36})"')
DECISION = re.compile(r'id="decision-([0-9a-f-]{36})"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(message: str) -> None:
    print(message, flush=True)


# --- the data --------------------------------------------------------------------------------


def order_payload(n: int) -> dict:
    return {
        "external_id": f"SB-{n}", "source": "website",
        "customer": {"name": f"Клиент {n}", "phone": f"+7701{n:07d}", "language": "ru"},
        "items": [{"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"}],
        "delivery": {"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25",
                     "entrance": "2", "floor": "5", "intercom": "25", "elevator": "passenger"},
        "payment": {"method": "cash_on_delivery"},
    }  # fmt: skip


def data_fill(*, orders: int, operators: int) -> list[str]:
    if Order.objects.exists():
        sys.exit("the database must hold no orders (a migrated, empty database)")
    store = Store.objects.create(name="Shift bench", slug="shift-bench")
    CallingPolicy.objects.create(store=store, windows=ALL_DAY, wrap_up_seconds=int(WRAP_UP_S))
    began = time.perf_counter()
    for start in range(0, orders, 500):
        payloads = [order_payload(n) for n in range(start, min(start + 500, orders))]
        results = orders_intake(store=store, payloads=payloads, actor_label="bench")
        failed = [r.errors for r in results if r.errors]
        if failed:
            sys.exit(f"intake refused bench orders: {failed[:2]}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"fill: {orders:,} orders in {time.perf_counter() - began:.1f}s")
    password = make_password(PASSWORD)  # one hash for every operator: setup, not the run
    users = User.objects.bulk_create(
        User(username=f"shift-op-{n}", role="operator", languages=["ru", "kk"], password=password)
        for n in range(operators)
    )
    User.stores.through.objects.bulk_create(
        User.stores.through(user_id=user.pk, store_id=store.pk) for user in users
    )
    return [user.username for user in users]


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pages: list[tuple[float, str, float]] = field(default_factory=list)  # (at, name, ms)
    logins: list[float] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)
    outcomes: int = 0

    def page(self, name: str, ms: float) -> None:
        with self.lock:
            self.pages.append((time.monotonic(), name, ms))

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append((time.monotonic(), what))

    def window(self, since: float, until: float) -> tuple[list[float], int]:
        with self.lock:
            times = [ms for at, _n, ms in self.pages if since <= at < until]
            errors = sum(1 for at, _w in self.errors if since <= at < until)
        return times, errors


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds of the web server's processes, this database's backends and this process."""

    def __init__(self, web_pgid: int) -> None:
        self.web_pgid = web_pgid
        self.start = self.read()

    def read(self) -> dict[str, dict[int, float]]:
        return {
            "web": {pid: process_cpu(pid) for pid in group_pids(self.web_pgid)},
            "database": {pid: process_cpu(pid) for pid in backend_pids()},
            "browsers": {os.getpid(): process_cpu(os.getpid())},
        }

    def used(self) -> dict[str, float]:
        end = self.read()
        return {
            part: round(sum(v - self.start[part].get(pid, 0.0) for pid, v in end[part].items()), 1)
            for part in end
        }


# --- one simulated operator --------------------------------------------------------------------


class Browser:
    """One operator's browser: one kept-alive connection, its cookies, the CSRF token."""

    def __init__(self, host: str, port: int, stats: Stats) -> None:
        self.host, self.port, self.stats = host, port, stats
        self.conn = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT_S)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, *, name: str,
                htmx: bool = False, measure: bool = True) -> tuple[int, str, str]:  # fmt: skip
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        if htmx:
            headers["HX-Request"] = "true"
        began = time.perf_counter()
        try:
            response, text = self.send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.stats.error(f"{name}: {type(exc).__name__}")
            return 0, "", ""
        ms = (time.perf_counter() - began) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.status >= 500:
            self.stats.error(f"{name}: {response.status}")
        elif measure and ms > PAGE_TIMEOUT_S * 1000:
            self.stats.error(f"{name}: slower than {PAGE_TIMEOUT_S:.0f} s")
        elif measure:
            self.stats.page(name, ms)
        return response.status, response.getheader("Location") or "", text

    def send(self, method: str, path: str, body, headers) -> tuple:
        """As a browser does: a kept-alive connection the server closed while it sat idle
        (gunicorn keeps one a few seconds) is opened again and the request sent on the new one."""
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response, response.read().decode()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                self.conn.close()
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")


class Operator(threading.Thread):
    def __init__(self, username: str, host: str, port: int, stats: Stats, stop: threading.Event,
                 start_after: float, seed: int) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.username, self.stats, self.stop = username, stats, stop
        self.browser = Browser(host, port, stats)
        self.start_after, self.random = start_after, random.Random(seed)
        self.signed_in = threading.Event()

    def wait(self, seconds: float) -> bool:
        """Think time; False when the run is over."""
        return not self.stop.wait(seconds)

    def run(self) -> None:
        if not self.wait(self.start_after) or not self.sign_in():
            return
        self.signed_in.set()
        b = self.browser
        b.request("POST", "/desk/state/", {"state": "ready"}, name="state", htmx=True)
        while not self.stop.is_set():
            status, location, _ = b.request("POST", "/desk/next/", {}, name="next")
            if status != 302:
                self.stats.error(f"next: {status}")
                self.wait(EMPTY_RETRY_S)
                continue
            status, _, card = b.request("GET", urllib.parse.urlparse(location).path +
                                        ("?empty=1" if "empty" in location else ""), name="card")  # fmt: skip
            lease = LEASE.search(card)
            if "empty" in location or lease is None:
                self.wait(EMPTY_RETRY_S)
                continue
            if not self.call(lease.group(1), card):
                return
            if not self.wait(WRAP_UP_S):
                return

    def sign_in(self) -> bool:
        b = self.browser
        _, _, page = b.request("GET", "/login/", name="login", measure=False)
        token = CSRF_INPUT.search(page)
        began = time.perf_counter()
        status, _, _ = b.request(
            "POST", "/login/",
            {"username": self.username, "password": PASSWORD,
             "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="login", measure=False,
        )  # fmt: skip
        self.stats.logins.append((time.perf_counter() - began) * 1000)
        if status != 302:
            self.stats.error(f"login: {status}")
            return False
        b.request("GET", "/desk/", name="desk")
        return True

    def call(self, lease: str, card: str) -> bool:
        b = self.browser
        answered = self.random.random() >= NO_ANSWER_SHARE
        length = self.random.uniform(60, 120) if answered else self.random.uniform(15, 30)
        orders = DECISION.findall(card)
        dates = {o: self.date_of(card, o) for o in orders}
        form = {"lease": lease}
        for order in orders:
            form[f"decision_{order}"] = "confirm"
            form[f"date_{order}"] = dates[order] or ""
        edits = [self.edit_checks, self.edit_address][: self.random.choice((1, 2))]
        began = time.monotonic()
        moments = sorted(self.random.uniform(5, length - 5) for _ in edits) if answered else []
        next_beat = began + HEARTBEAT_S
        while True:
            now = time.monotonic()
            if now - began >= length:
                break
            upcoming = min([next_beat, began + length] + [began + m for m in moments])
            if not self.wait(max(0.0, upcoming - now)):
                return False
            now = time.monotonic()
            if now >= next_beat:
                b.request("POST", "/desk/heartbeat/", {"lease": lease}, name="heartbeat",
                          htmx=True)  # fmt: skip
                next_beat += HEARTBEAT_S
            while moments and now >= began + moments[0]:
                moments.pop(0)
                edits.pop(0)(form, orders)
        if answered:
            outcome = {**form, "result": "confirmed"}
        else:
            outcome = {"lease": lease, "result": "no_answer"}
        status, _, _ = b.request("POST", "/desk/outcome/", outcome, name="outcome", htmx=True)
        if status != 200:
            self.stats.error(f"outcome: {status}")
        else:
            with self.stats.lock:
                self.stats.outcomes += 1
        b.request("GET", "/desk/", name="desk")
        return True

    def edit_checks(self, form: dict, orders: list[str]) -> None:
        self.browser.request("POST", "/desk/checks/", form, name="checks", htmx=True)

    def edit_address(self, form: dict, orders: list[str]) -> None:
        if not orders:
            return
        address = {"street": "Абая", "house": "10", "apartment": "25", "entrance": "2",
                   "floor": "5", "intercom": "25К", **form}  # fmt: skip
        self.browser.request("POST", f"/desk/orders/{orders[0]}/address/", address,
                             name="address", htmx=True)  # fmt: skip

    @staticmethod
    def date_of(card: str, order: str) -> str | None:
        select = re.search(rf'id="date-{order}"[^>]*>(.*?)</select>', card, re.S)
        if not select:
            return None
        chosen = re.search(r'value="([\d-]+)" selected', select.group(1)) or re.search(
            r'value="([\d-]+)"', select.group(1)
        )
        return chosen.group(1) if chosen else None


# --- the server and the run ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, workers: int, threads: int, folder: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "shift-bench-" + "x" * 50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "600",
        "ORDERDESK_DATA_DIR": str(folder),
    }
    log_file = (folder / "web.log").open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "orderdesk", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads),
         "--control-socket", str(folder / "web.ctl")],
        env=env, stdout=log_file, stderr=log_file, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("the web server did not start")


def summary(stats: Stats, since: float, until: float) -> dict:
    times, errors = stats.window(since, until)
    return {
        "p50_ms": round(percentile(times, 0.50), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "pages": len(times),
        "errors": errors,
    }


def slowest_pages(stats: Stats, since: float, until: float) -> dict[str, float]:
    by_name: dict[str, list[float]] = {}
    with stats.lock:
        for at, name, ms in stats.pages:
            if since <= at < until:
                by_name.setdefault(name, []).append(ms)
    return {name: round(statistics.median(v), 1) for name, v in sorted(by_name.items())}


def run_fixed(args, users, port, stats, stop, web) -> dict:
    spread = max(10.0, args.operators * SIGN_IN_SPACING_S)
    operators = [
        Operator(u, "127.0.0.1", port, stats, stop, start_after=random.uniform(0, spread), seed=i)
        for i, u in enumerate(users[: args.operators])
    ]
    for op in operators:
        op.start()
    deadline = time.monotonic() + spread + SOCKET_TIMEOUT_S
    for op in operators:
        op.signed_in.wait(timeout=max(0.0, deadline - time.monotonic()))
    stop.wait(args.warm_up)
    since = time.monotonic()
    meter = CpuMeter(web.pid)
    stop.wait(args.seconds)
    until = time.monotonic()
    working = sum(op.signed_in.is_set() for op in operators)
    result = {"operators": working, **summary(stats, since, until), "cpu_s": meter.used()}
    result["median_ms_by_page"] = slowest_pages(stats, since, until)
    stop.set()
    return result


def run_ramp(args, users, port, stats, stop, web) -> dict:
    running: list[Operator] = []
    held = {"operators": 0, "p50_ms": 0.0, "p99_ms": 0.0, "errors": 0}
    while len(running) + args.step <= len(users):
        new = [
            Operator(u, "127.0.0.1", port, stats, stop,
                     start_after=i * SIGN_IN_SPACING_S, seed=len(running) + i)
            for i, u in enumerate(users[len(running) : len(running) + args.step])
        ]  # fmt: skip
        for op in new:
            op.start()
        running += new
        deadline = time.monotonic() + args.step * SIGN_IN_SPACING_S + SOCKET_TIMEOUT_S
        for op in new:  # measured once the step's operators are at work
            op.signed_in.wait(timeout=max(0.0, deadline - time.monotonic()))
        if len(running) == len(new):
            stop.wait(args.warm_up)
        since = time.monotonic()
        meter = CpuMeter(web.pid)
        stop.wait(args.step_seconds)
        until = time.monotonic()
        working = sum(op.signed_in.is_set() for op in running)
        step = {"operators": working, **summary(stats, since, until), "cpu_s": meter.used()}
        step["median_ms_by_page"] = slowest_pages(stats, since, until)
        log(json.dumps(step, ensure_ascii=False))
        if step["errors"] or step["p99_ms"] > P99_LIMIT_MS or working < len(running):
            break
        held = step
    stop.set()
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=0, help="a fixed load of N operators")
    parser.add_argument("--seconds", type=float, default=180.0, help="length of a fixed load")
    parser.add_argument("--step", type=int, default=50, help="operators added per ramp step")
    parser.add_argument("--step-seconds", type=float, default=90.0)
    parser.add_argument("--max-operators", type=int, default=1000)
    parser.add_argument(
        "--warm-up",
        type=float,
        default=30.0,
        help="seconds of work before the first measurement: every server thread has opened its "
        "database connection and compiled its templates, as in a server that has been running",
    )
    parser.add_argument("--orders", type=int, default=0, help="default: enough for the run")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=32)
    args = parser.parse_args()

    count = args.operators or args.max_operators
    users = data_fill(orders=args.orders or max(2000, count * 12), operators=count)
    folder = Path(os.environ.get("ORDERDESK_DATA_DIR", ".orderdesk")) / "shift-bench"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    # Stopped from outside (a timeout): the web server started here stops with the benchmark.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    web = serve(port, args.web_workers, args.web_threads, folder)
    stats, stop = Stats(), threading.Event()
    try:
        if args.operators:
            result = run_fixed(args, users, port, stats, stop, web)
        else:
            result = run_ramp(args, users, port, stats, stop, web)
    finally:
        stop.set()
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
    result["login_p50_ms"] = round(percentile(stats.logins, 0.5), 1)
    result["outcomes"] = stats.outcomes
    result["web_workers"], result["web_threads"] = args.web_workers, args.web_threads
    if stats.errors:
        result["first_errors"] = sorted({what for _at, what in stats.errors})[:5]
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
