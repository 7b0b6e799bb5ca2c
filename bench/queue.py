"""The call queue under load: claim throughput against a bare SKIP LOCKED queue, claim latency
in an open loop, and throughput while another transaction pins the xmin horizon.

    createdb -h 127.0.0.1 -U postgres orderdesk_queue_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_queue_bench
    .venv/bin/orderdesk migrate
    .venv/bin/python bench/queue.py            # --orders 1000000 --claimers 64 --rate 100

The database must be migrated and hold no orders: the benchmark creates its store and operators
and fills the orders table with `--orders` rows by SQL, each with its confirmation call task:
40% queued and due (half new, half retries) spread over the eleven Russian zones and
Kazakhstan, 20% waiting for a future retry or callback, 40% decided (their tasks closed).

The queue runs at a simulated moment, `--at` (default: today 04:00 UTC) advancing with the wall
clock, so that whatever the hour of the run 7 of the 12 zones are inside the 10:00-19:00 window
and 5 are outside it. Every call goes through the real services (`call_next_claim`, then
`call_outcome_record` with `no_answer`, which moves the orders 30 minutes ahead).

- Saturation: `--claimers` operators (default 64; `--also-claimers`, default 300, is reported
  too) in a closed loop claim → outcome for `--seconds`. The baseline is the same loop on the
  simplest possible queue: `DELETE … WHERE id = (SELECT id … LIMIT 1 FOR UPDATE SKIP LOCKED)`
  on a table holding only the eligible order ids, at the same concurrency, in the same run.
  Workers are `--procs` processes of threads (each process started as the web server's workers
  are: `worker_process_start`), one database connection per thread, at most
  `--max-connections` (default 64, below PostgreSQL's default limit of 100): with more claimers
  than that, each connection works for several operators in turn, as behind a pool.
- Latency: claims issued at `--rate` per second (open loop: the schedule does not wait for
  answers) to a pool of operators; latency is from the scheduled moment to the claim's return.
  Each operator's connection first makes one unmeasured claim and outcome, as the kept
  connections of a running server have (their first calls prepare statements and fill the
  server's catalogue caches: some 50 ms).
- Pinned horizon: the saturation loop again while another connection holds a transaction with
  an xid open for the whole run.

Double claims: an order in the leases of two claims in the run (outcomes move orders 30 minutes
ahead, so no order is legitimately claimed twice here). The last line printed is JSON:
{"claims_per_s": …, "baseline_claims_per_s": …, "ratio": …, "p50_ms": …, "p99_ms": …,
 "double_claims": …, "pinned_ratio": …}
"""

import os
import sys

# This file is named like the standard library's `queue`: keep its folder off the import path.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import gc
import json
import multiprocessing
import queue as queue_module
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
django.setup()

from django.db import connection, connections  # noqa: E402

from orderdesk.accounts.models import User  # noqa: E402
from orderdesk.calling.models import CallingPolicy, CallTask  # noqa: E402
from orderdesk.calling.services import call_next_claim, call_outcome_record  # noqa: E402
from orderdesk.orders.models import Customer, Order  # noqa: E402
from orderdesk.stores.models import Store  # noqa: E402

ZONES = [
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
    "Asia/Kamchatka", "Asia/Almaty",
]  # fmt: skip
BASELINE_TABLE = "bench_queue_eligible"
OPEN_LOOP_WARM_UP_S = 5.0  # every worker's connection makes one call before the schedule starts


def log(message: str) -> None:
    print(message, flush=True)


# Data ------------------------------------------------------------------------------------------


KIND = "(i % 10)"  # 0-3 queued and due, 4-5 waiting (retry/callback ahead), 6-9 decided


def _order_id_sql(store_id: int) -> str:
    """The order's id from the series value, so its call task can point at it."""
    return f"md5('{store_id}-' || i)::uuid"


def _zone_sql() -> str:
    zones = "ARRAY[" + ",".join(f"'{z}'" for z in ZONES) + "]"
    return f"({zones})[1 + (i / 10) % {len(ZONES)}]"


def order_columns_sql(*, store_id: int, at: datetime) -> dict[str, str]:
    """SQL for every column of orders_order, in terms of the series value `i`."""
    kind = KIND
    at_sql = f"TIMESTAMPTZ '{at.isoformat()}'"
    return {
        "id": _order_id_sql(store_id),
        "store_id": str(store_id),
        "customer_id": "c0 + (i % ccount)",
        "external_id": "'Q-' || i",
        "source": "'website'",
        "status": f"CASE WHEN {kind} < 6 THEN 'awaiting_confirmation' "
        f"WHEN {kind} < 9 THEN 'confirmed' ELSE 'cancelled' END",
        "status_changed_at": at_sql,
        "cancel_reason": f"CASE WHEN {kind} = 9 THEN 'changed_mind' ELSE '' END",
        "language": "CASE WHEN i % 3 = 0 THEN 'kk' ELSE 'ru' END",
        "recipient_name": "'Тест'",
        "recipient_phone": "''",
        "payment_method": "'cash_on_delivery'",
        "currency": "'KZT'",
        "total": "1000",
        "comment": "''",
        "locality_id": "NULL",
        "locality_name": "'Город'",
        "address_line": "''",
        "street": "''", "house": "''", "apartment": "''", "entrance": "''", "floor": "''",
        "intercom": "''",
        "elevator": "'none'",
        "is_out_of_city": "false",
        "needs_address_check": "false",
        "delivery_comment": "''",
        "time_wish": "''",
        "timezone": _zone_sql(),
        "carrier_id": "NULL",
        "requested_delivery_on": "NULL",
        "earliest_delivery_on": "NULL",
        "delivery_on": "NULL",
        "confirmed_at": f"CASE WHEN {kind} BETWEEN 6 AND 8 THEN {at_sql} END",
        "created_at": f"{at_sql} - (i % 86400) * INTERVAL '1 second'",
        "updated_at": at_sql,
    }  # fmt: skip


def task_columns_sql(*, store_id: int, at: datetime) -> dict[str, str]:
    """SQL for every column of the call tasks: each order's confirmation task, open while the
    order awaits confirmation (queued and due, a retry or a callback ahead), closed after."""
    kind = KIND
    at_sql = f"TIMESTAMPTZ '{at.isoformat()}'"
    return {
        "id": "gen_random_uuid()",
        "store_id": str(store_id),
        "customer_id": "c0 + (i % ccount)",
        "order_id": _order_id_sql(store_id),
        "purpose": "'confirmation'",
        "state": f"CASE WHEN {kind} < 5 THEN 'queued' WHEN {kind} = 5 THEN 'callback' "
        f"WHEN {kind} < 9 THEN 'done' ELSE 'cancelled' END",
        "reason": "''",
        "due_at": f"CASE WHEN {kind} < 4 THEN {at_sql} - (i % 7200) * INTERVAL '1 second' "
        f"WHEN {kind} < 6 THEN {at_sql} + (600 + i % 36000) * INTERVAL '1 second' END",
        "timezone": _zone_sql(),
        "language": "CASE WHEN i % 3 = 0 THEN 'kk' ELSE 'ru' END",
        "callback_user_id": "NULL",
        "lease_id": "NULL",
        "attempts_count": f"CASE WHEN {kind} IN (1, 3, 4) THEN 1 + i % 3 ELSE 0 END",
        "first_call_at": "NULL",
        "created_at": f"{at_sql} - (i % 86400) * INTERVAL '1 second'",
        "closed_at": f"CASE WHEN {kind} >= 6 THEN {at_sql} END",
    }  # fmt: skip


def _rows_fill(cursor, *, model, columns: dict[str, str], series: str) -> None:
    model_columns = [f.column for f in model._meta.concrete_fields]
    missing = sorted(set(model_columns) - set(columns))
    if missing:
        sys.exit(f"bench/queue.py does not know how to fill {model.__name__}: {missing}")
    names = ", ".join(model_columns)
    values = ", ".join(columns[c] for c in model_columns)
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {values} FROM {series}")


def fill(*, orders: int, at: datetime, claimers: int) -> Store:
    if Order.objects.exists():
        sys.exit("the database must hold no orders (a migrated, empty database)")
    store = Store.objects.create(name="Queue bench", slug="queue-bench")
    CallingPolicy.objects.create(store=store, min_gap_minutes=0)
    customers = max(1, orders * 4 // 5)
    orders_sql = order_columns_sql(store_id=store.pk, at=at)
    tasks_sql = task_columns_sql(store_id=store.pk, at=at)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_customer (store_id, phone, name, email, language, "
            "additional_phones, erased_at, created_at, updated_at) "
            "SELECT %s, '+7700' || lpad(n::text, 8, '0'), 'Тест', '', 'ru', '[]', NULL, %s, %s "
            "FROM generate_series(0, %s - 1) AS n",
            [store.pk, at, at, customers],
        )
        cursor.execute("SELECT min(id) FROM orders_customer WHERE store_id = %s", [store.pk])
        first_customer = cursor.fetchone()[0]
        step = 100_000
        for start in range(0, orders, step):
            series = (
                f"(SELECT i, {first_customer}::bigint AS c0, {customers}::bigint AS ccount "
                f"FROM generate_series({start}, {min(start + step, orders) - 1}) AS i) AS s"
            )
            _rows_fill(cursor, model=Order, columns=orders_sql, series=series)
            _rows_fill(cursor, model=CallTask, columns=tasks_sql, series=series)
            log(f"  filled {min(start + step, orders):,} orders")
    settle()
    log(f"fill: {orders:,} orders, {customers:,} customers in {time.perf_counter() - began:.1f}s")
    operators_create(store=store, count=claimers)
    return store


def settle() -> None:
    """Measure the queue, not the aftermath of loading it: vacuum and analyze the filled tables
    (hint bits, visibility map, statistics), as autovacuum would have in a running system. No
    forced checkpoint: one right before the run would put a full-page image of every page the
    run first touches into the measured window, which a steady state spreads over minutes."""
    with connection.cursor() as cursor:
        tables = ", ".join(m._meta.db_table for m in (Order, Customer, CallTask))
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def operators_create(*, store: Store, count: int) -> None:
    existing = User.objects.filter(username__startswith="bench-op-").count()
    users = User.objects.bulk_create(
        User(username=f"bench-op-{n}", role="operator", languages=["ru", "kk"], password="!")
        for n in range(existing, count)
    )
    User.stores.through.objects.bulk_create(
        User.stores.through(user_id=user.pk, store_id=store.pk) for user in users
    )


def operators(count: int) -> list[int]:
    ids = list(
        User.objects.filter(username__startswith="bench-op-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(ids) < count:
        sys.exit("not enough bench operators")
    return ids[:count]


def baseline_fill(*, at: datetime) -> int:
    """The bare queue: ids of the call tasks eligible now (due, in an open zone), nothing else."""
    from orderdesk.calling.selectors import queue_scope_for

    operator = User.objects.get(pk=operators(1)[0])
    scope = queue_scope_for(operator=operator, at=at)
    eligible = CallTask.objects.filter(
        scope.q(), state__in=["queued", "callback"], due_at__lte=at
    ).values_list("id", flat=True)
    sql, params = eligible.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} (id uuid PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (id) {sql}", params)
        cursor.execute(f"ANALYZE {BASELINE_TABLE}")
        cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE}")
        return cursor.fetchone()[0]


# Workers ---------------------------------------------------------------------------------------


class SimClock:
    """The simulated moment: `at0` plus the wall-clock time since the phase began."""

    def __init__(self, at0: datetime, started: float):
        self.at0, self.started = at0, started

    def now(self) -> datetime:
        return self.at0 + timedelta(seconds=time.time() - self.started)


def claim_loop(operator_ids: list[int], clock: SimClock, until: float, out: dict) -> None:
    """One connection working for its operators in turn (one operator when there are as many
    connections as operators)."""
    team = list(User.objects.filter(pk__in=operator_ids))
    claims, empty = 0, 0
    claimed: list[str] = []
    durations: list[float] = []
    turn = 0
    time.sleep(max(0.0, clock.started - time.time()))
    while time.time() < until:
        operator = team[turn % len(team)]
        turn += 1
        began = time.perf_counter()
        claim = call_next_claim(operator=operator, at=clock.now())
        durations.append((time.perf_counter() - began) * 1000)
        if claim is None:
            empty += 1
            time.sleep(0.01)
            continue
        claims += 1
        claimed.extend(claim.lease.order_ids)
        call_outcome_record(
            lease_id=claim.lease.pk, operator=operator, result="no_answer", at=clock.now()
        )
    with out["lock"]:
        out["claims"] += claims
        out["empty"] += empty
        out["claimed"].extend(claimed)
        out["claim_ms"].extend(durations)
    connections.close_all()


def baseline_loop(operator_ids: list[int], clock: SimClock, until: float, out: dict) -> None:
    claims = 0
    claimed: list[str] = []
    sql = (
        f"DELETE FROM {BASELINE_TABLE} WHERE id = (SELECT id FROM {BASELINE_TABLE} "
        "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id"
    )
    time.sleep(max(0.0, clock.started - time.time()))
    with connection.cursor() as cursor:
        while time.time() < until:
            cursor.execute(sql)
            row = cursor.fetchone()
            if row is None:
                time.sleep(0.01)
                continue
            claims += 1
            claimed.append(str(row[0]))
    with out["lock"]:
        out["claims"] += claims
        out["claimed"].extend(claimed)
    connections.close_all()


def worker_process_start() -> None:
    """A worker process starts as the web server's do (config/wsgi.py): what is loaded is kept
    out of the garbage collector's scans, so a full collection does not stall every call in the
    process for tens of milliseconds."""
    connections.close_all()
    gc.freeze()


def closed_loop_process(args) -> dict:
    kind, operator_ids, at0, started, seconds, connections_count = args
    worker_process_start()
    out = {"claims": 0, "empty": 0, "claimed": [], "claim_ms": [], "lock": threading.Lock()}
    clock = SimClock(at0, started)
    until = started + seconds
    target = claim_loop if kind == "ours" else baseline_loop
    teams = split(operator_ids, connections_count)
    threads = [threading.Thread(target=target, args=(team, clock, until, out)) for team in teams]
    for thread in threads:
        thread.start()
    cpu_before = sum(os.times()[:2])
    for thread in threads:
        thread.join()
    out["cpu_s"] = sum(os.times()[:2]) - cpu_before
    del out["lock"]
    return out


def open_loop_process(args) -> dict:
    operator_ids, at0, started, seconds, rate = args
    worker_process_start()
    clock = SimClock(at0, started)
    work: queue_module.Queue = queue_module.Queue()
    latencies: list[float] = []
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(operator_id: int) -> None:
        operator = User.objects.get(pk=operator_id)
        try:
            call_warm_up(operator=operator, at=clock.now())
        finally:
            ready.wait()  # a failed warm-up must not leave the schedule waiting forever
        while (scheduled := work.get()) is not None:
            claim = call_next_claim(operator=operator, at=clock.now())
            done = time.time()
            with lock:
                latencies.append((done - scheduled) * 1000)
                if claim is not None:
                    claimed.extend(claim.lease.order_ids)
            if claim is not None:
                call_outcome_record(
                    lease_id=claim.lease.pk, operator=operator, result="no_answer", at=clock.now()
                )
        connections.close_all()

    ready = threading.Barrier(len(operator_ids) + 1)
    threads = [threading.Thread(target=worker, args=(op,)) for op in operator_ids]
    for thread in threads:
        thread.start()
    ready.wait()
    if time.time() > started:
        log("  warning: warming the connections took longer than the time allowed for it")
    interval, next_at = 1.0 / rate, started
    while next_at < started + seconds:
        delay = next_at - time.time()
        if delay > 0:
            time.sleep(delay)
        work.put(next_at)
        next_at += interval
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "claimed": claimed}


def call_warm_up(*, operator: User, at: datetime) -> None:
    """One claim and outcome on a new connection, not measured: a running server's connections
    are kept (DATABASE_CONN_MAX_AGE) and have their statements prepared and the catalogue
    cached; a new one spends tens of milliseconds on that in its first calls."""
    claim = call_next_claim(operator=operator, at=at)
    if claim is not None:
        call_outcome_record(lease_id=claim.lease.pk, operator=operator, result="no_answer", at=at)


def split(items: list[int], parts: int) -> list[list[int]]:
    return [items[n::parts] for n in range(parts) if items[n::parts]]


def closed_loop(
    *, kind: str, claimers: int, seconds: float, at0: datetime, procs: int, max_connections: int
) -> dict:
    groups = split(operators(claimers), procs)
    per_process = max(1, min(claimers, max_connections) // len(groups))
    connections.close_all()  # no connection may cross the fork
    started = time.time() + 1.0  # every process starts together
    jobs = [(kind, ids, at0, started, seconds, per_process) for ids in groups]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        results = pool.map(closed_loop_process, jobs)
    claims = sum(r["claims"] for r in results)
    claimed = [order for r in results for order in r["claimed"]]
    claim_ms = sorted(ms for r in results for ms in r["claim_ms"])
    return {
        "claims": claims,
        "claims_per_s": claims / seconds,
        "claimed": claimed,
        "claim_ms": claim_ms,
        "client_cpu_ms": 1000 * sum(r["cpu_s"] for r in results) / max(claims, 1),
    }


def open_loop(*, rate: float, seconds: float, at0: datetime, procs: int, pool_size: int) -> dict:
    groups = split(operators(pool_size), procs)
    connections.close_all()  # no connection may cross the fork
    started = time.time() + OPEN_LOOP_WARM_UP_S
    jobs = [(ids, at0, started, seconds, rate / procs) for ids in groups]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        results = pool.map(open_loop_process, jobs)
    latencies = sorted(ms for r in results for ms in r["latencies"])
    claimed = [order for r in results for order in r["claimed"]]
    return {"latencies": latencies, "claimed": claimed}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(share * len(values)))]


def head_probe(*, at: datetime, samples: int = 300) -> list[float]:
    """Database time of the claim's queue query alone: the head of the queue, locked with SKIP
    LOCKED and released (no client work), `samples` times."""
    from django.db import transaction

    from orderdesk.calling.selectors import queue_head_lock, queue_scope_for

    operator = User.objects.get(pk=operators(1)[0])
    scope = queue_scope_for(operator=operator, at=at)
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        with transaction.atomic():
            queue_head_lock(scope=scope, operator=operator, at=at, skipped=())
            transaction.set_rollback(True)
        timings.append((time.perf_counter() - began) * 1000)
    return sorted(timings)


class HorizonPin:
    """Another session holding a transaction with an xid open: VACUUM cannot clean behind it."""

    def __init__(self):
        import psycopg

        settings = connection.settings_dict
        self.conn = psycopg.connect(
            host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
            password=settings["PASSWORD"] or None, dbname=settings["NAME"],
        )  # fmt: skip

    def __enter__(self):
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT txid_current()")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


# Main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--claimers", type=int, default=64)
    parser.add_argument("--also-claimers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument(
        "--max-connections",
        type=int,
        default=64,
        help="database connections at most (more claimers share them in turn, as behind a pool)",
    )
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0),
    )
    args = parser.parse_args()
    at = args.at if args.at.tzinfo else args.at.replace(tzinfo=UTC)
    most = max(args.claimers, args.also_claimers)
    fill(orders=args.orders, at=at, claimers=most)
    probe = head_probe(at=at)
    log(
        f"queue query alone (queue head, FOR UPDATE SKIP LOCKED, one connection): "
        f"p50 {percentile(probe, 0.5):.2f} ms, p99 {percentile(probe, 0.99):.2f} ms"
    )
    offset = timedelta(0)
    all_claimed: list[str] = []
    figures: dict[str, float] = {}

    def phase_at() -> datetime:
        return at + offset

    for claimers in dict.fromkeys([args.claimers, args.also_claimers]):
        eligible = baseline_fill(at=phase_at())
        base = closed_loop(
            kind="baseline", claimers=claimers, seconds=args.seconds, at0=phase_at(),
            procs=args.procs, max_connections=args.max_connections,
        )  # fmt: skip
        ours = closed_loop(
            kind="ours", claimers=claimers, seconds=args.seconds, at0=phase_at(),
            procs=args.procs, max_connections=args.max_connections,
        )  # fmt: skip
        offset += timedelta(seconds=args.seconds + 2)
        all_claimed += ours["claimed"]
        if base["claims"] >= eligible:
            log("  warning: the baseline emptied its table; use more --orders or fewer --seconds")
        ratio = ours["claims_per_s"] / base["claims_per_s"] if base["claims_per_s"] else 0.0
        shared = min(claimers, args.max_connections)
        log(
            f"saturation, {claimers} claimers over {shared} connections, {eligible:,} eligible: "
            f"{ours['claims_per_s']:.1f} claims/s (claim + outcome loop); baseline "
            f"{base['claims_per_s']:.1f} claims/s; ratio {ratio:.3f}"
        )
        log(
            f"  claim service time p50 {percentile(ours['claim_ms'], 0.5):.1f} ms, "
            f"p99 {percentile(ours['claim_ms'], 0.99):.1f} ms; client CPU per claim + outcome "
            f"{ours['client_cpu_ms']:.1f} ms (baseline: {base['client_cpu_ms']:.2f} ms per claim)"
        )
        figures.setdefault("claims_per_s", ours["claims_per_s"])
        figures.setdefault("baseline_claims_per_s", base["claims_per_s"])
        figures.setdefault("ratio", ratio)

    latency = open_loop(
        rate=args.rate, seconds=args.seconds, at0=phase_at(), procs=args.procs,
        pool_size=min(args.claimers, args.max_connections),
    )  # fmt: skip
    offset += timedelta(seconds=args.seconds + 2)
    all_claimed += latency["claimed"]
    values = latency["latencies"]
    p50, p99 = percentile(values, 0.50), percentile(values, 0.99)
    log(
        f"latency, open loop at {args.rate:.0f} claims/s for {args.seconds:.0f}s: "
        f"{len(values):,} claims, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {max(values) if values else float('nan'):.1f} ms, "
        f"mean {statistics.fmean(values) if values else float('nan'):.1f} ms"
    )

    with HorizonPin():
        pinned = closed_loop(
            kind="ours", claimers=args.claimers, seconds=args.seconds, at0=phase_at(),
            procs=args.procs, max_connections=args.max_connections,
        )  # fmt: skip
    all_claimed += pinned["claimed"]
    pinned_ratio = pinned["claims_per_s"] / figures["claims_per_s"]
    log(
        f"pinned horizon, {args.claimers} claimers: {pinned['claims_per_s']:.1f} claims/s, "
        f"{pinned_ratio:.3f} of the unpinned run"
    )
    doubles = sum(1 for count in Counter(all_claimed).values() if count > 1)
    log(f"claims checked for doubles: {len(all_claimed):,}; double claims: {doubles}")
    result = {
        "claims_per_s": round(figures["claims_per_s"], 1),
        "baseline_claims_per_s": round(figures["baseline_claims_per_s"], 1),
        "ratio": round(figures["ratio"], 3),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "double_claims": doubles,
        "pinned_ratio": round(pinned_ratio, 3),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
