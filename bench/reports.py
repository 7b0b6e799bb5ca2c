"""The KPI report over a year of a busy contact center: 1,000,000 orders with their calls,
decisions and deliveries; `GET /api/v1/reports/kpis` grouped by day for 30 days and by
operator for a month, against the plain aggregate query over the same raw tables.

    createdb -h 127.0.0.1 -U postgres orderdesk_reports_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_reports_bench
    .venv/bin/orderdesk migrate
    .venv/bin/python bench/reports.py          # --orders 1000000 --repeat 20

The database must be migrated and hold no orders (`--reuse` measures an earlier fill again).
The fill is SQL (`INSERT … SELECT` over `generate_series`, through Django's cursor, table and
column names from the models): one store in Almaty, 200,000 customers, 40 operators, orders
spread evenly over the 365 days before `--until`; 8% still awaiting confirmation, 25%
cancelled, 12% confirmed, 40% delivered, 15% returned; 1–3 calls per order (the last one
reaching the customer when the order was decided), each decision and each end of delivery on
the order's timeline with its instant.

The API is called in-process through Django's test client with an admin's token (the whole
stack: authentication, rate limit, the router, the report, JSON), `--repeat` times per shape
after one unmeasured call. The baseline is the aggregate a person would write by hand for the
same figures (counts, sums and the median per group) over the raw tables, in one statement per
source table, run the same number of times. Where the time goes: each step of the report is
timed once more on its own. The last line printed is JSON:
{"day_p95_ms", "operator_p95_ms", "baseline_day_p95_ms", "baseline_operator_p95_ms",
 "day_ratio", "operator_ratio", "steps_ms": {...}}
"""

import os
import sys

# bench/ holds a `queue.py`, named like the standard library's module: keep it off the path.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
os.environ.setdefault("ORDERDESK_API_RATE_LIMIT", "0")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from orderdesk.accounts.models import User  # noqa: E402
from orderdesk.accounts.services import user_create  # noqa: E402
from orderdesk.calling.models import CallAttempt  # noqa: E402
from orderdesk.orders.models import Customer, Order, OrderEvent  # noqa: E402
from orderdesk.reports import kpis  # noqa: E402
from orderdesk.stores.models import Store  # noqa: E402

OPERATORS = 40
CUSTOMERS = 200_000
CHUNK = 100_000
# A pseudo-random percentile per order, the same on every run.
P = "((i * 7919 + 13) % 100)"
REASONS = "(ARRAY['changed_mind','found_cheaper','delivery_terms','duplicate'])[1 + i % 4]"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ts(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def order_columns_sql(*, store_id: int, starts_at: datetime, seconds_per_order: float) -> dict:
    created = f"({_ts(starts_at)} + (i * {seconds_per_order}) * INTERVAL '1 second')"
    decided = f"({created} + ((1 + i % 3) * 600 + i % 300 + 120) * INTERVAL '1 second')"
    ended = f"({decided} + (3 + i % 4) * INTERVAL '1 day')"
    return {
        "id": "md5('rb-' || i)::uuid",
        "store_id": str(store_id),
        "customer_id": f"c0 + (i % {CUSTOMERS})",
        "external_id": "'RB-' || i",
        "source": "(ARRAY['website','website','kaspi','phone','marketplace'])[1 + i % 5]",
        "status": f"CASE WHEN {P} < 8 THEN 'awaiting_confirmation' WHEN {P} < 33 THEN "
        f"'cancelled' WHEN {P} < 45 THEN 'confirmed' WHEN {P} < 85 THEN 'delivered' "
        "ELSE 'returned' END",
        "status_changed_at": f"CASE WHEN {P} < 8 THEN {created} WHEN {P} < 45 THEN {decided} "
        f"ELSE {ended} END",
        "cancel_reason": f"CASE WHEN {P} BETWEEN 8 AND 32 THEN {REASONS} ELSE '' END",
        "language": "'ru'",
        "recipient_name": "''", "recipient_phone": "''",
        "payment_method": "'cash_on_delivery'", "currency": "'KZT'", "total": "1000",
        "comment": "''", "locality_id": "NULL", "locality_name": "'Алматы'",
        "address_line": "''", "street": "''", "house": "''", "apartment": "''",
        "entrance": "''", "floor": "''", "intercom": "''", "elevator": "'none'",
        "is_out_of_city": "false", "needs_address_check": "false", "delivery_comment": "''",
        "time_wish": "''", "timezone": "'Asia/Almaty'", "carrier_id": "NULL",
        "requested_delivery_on": "NULL", "earliest_delivery_on": "NULL", "delivery_on": "NULL",
        "confirmed_at": f"CASE WHEN {P} >= 33 THEN {decided} END",
        "erased_at": "NULL",
        "created_at": created,
        "updated_at": created,
    }  # fmt: skip


def _rows_fill(cursor, *, model, columns: dict[str, str], source: str) -> None:
    """INSERT … SELECT of every concrete column (an auto id is left to its sequence)."""
    model_columns = [
        f.column
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField"))
        or f.column in columns
    ]
    missing = sorted(set(model_columns) - set(columns))
    if missing:
        sys.exit(f"bench/reports.py does not know how to fill {model.__name__}: {missing}")
    names = ", ".join(model_columns)
    values = ", ".join(columns[c] for c in model_columns)
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {values} FROM {source}")


def fill(*, orders: int, until: datetime) -> Store:
    if Order.objects.exists():
        sys.exit("the database must hold no orders (a migrated, empty database), or --reuse")
    store = Store.objects.create(name="Reports bench", slug="reports-bench")
    users = User.objects.bulk_create(
        User(username=f"rb-op-{n}", role="operator", languages=["ru"], password="!")
        for n in range(OPERATORS)
    )
    User.stores.through.objects.bulk_create(
        User.stores.through(user_id=user.pk, store_id=store.pk) for user in users
    )
    ops = [user.pk for user in users]
    starts_at = until - timedelta(days=365)
    spacing = 365 * 86400 / orders
    order_sql = order_columns_sql(store_id=store.pk, starts_at=starts_at, seconds_per_order=spacing)
    created, decided = order_sql["created_at"], order_sql["confirmed_at"]
    decided = f"({created} + ((1 + i % 3) * 600 + i % 300 + 120) * INTERVAL '1 second')"
    operator = f"(ARRAY{ops})[1 + i % {OPERATORS}]"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Customer._meta.db_table} (store_id, phone, name, email, language, "
            "additional_phones, erased_at, created_at, updated_at) "
            "SELECT %s, '+7700' || lpad(n::text, 8, '0'), 'Тест', '', 'ru', '[]', NULL, %s, %s "
            "FROM generate_series(0, %s - 1) AS n",
            [store.pk, starts_at, starts_at, CUSTOMERS],
        )
        cursor.execute(
            f"SELECT min(id) FROM {Customer._meta.db_table} WHERE store_id = %s", [store.pk]
        )
        first_customer = cursor.fetchone()[0]
        through = CallAttempt.orders.through
        for start in range(0, orders, CHUNK):
            end = min(start + CHUNK, orders) - 1
            series = f"(SELECT i, {first_customer}::bigint AS c0 FROM generate_series({start}::bigint, {end}) AS i) AS s"
            _rows_fill(cursor, model=Order, columns=order_sql, source=series)
            event = {
                "order_id": "md5('rb-' || i)::uuid", "type": "'status_changed'",
                "actor_label": "''",
            }  # fmt: skip
            _rows_fill(
                cursor, model=OrderEvent, source=f"{series} WHERE {P} >= 8",
                columns=event | {
                    "actor_id": operator, "created_at": decided,
                    "data": f"jsonb_build_object('to', CASE WHEN {P} < 33 THEN 'cancelled' ELSE 'confirmed' END)",
                },
            )  # fmt: skip
            _rows_fill(
                cursor, model=OrderEvent, source=f"{series} WHERE {P} >= 45",
                columns=event | {
                    "actor_id": "NULL", "created_at": order_sql["status_changed_at"],
                    "data": f"jsonb_build_object('to', CASE WHEN {P} < 85 THEN 'delivered' ELSE 'returned' END)",
                },
            )  # fmt: skip
            calls = f"{series} CROSS JOIN LATERAL generate_series(1, 1 + i % 3) AS j"
            started = f"({created} + (j * 600 + i % 300) * INTERVAL '1 second')"
            last = "j = 1 + i % 3"
            _rows_fill(
                cursor, model=CallAttempt, source=calls,
                columns={
                    "id": "i * 3 + j", "lease_id": "NULL", "operator_id": operator,
                    "store_id": str(store.pk), "customer_id": f"c0 + (i % {CUSTOMERS})",
                    "started_at": started,
                    "ended_at": f"{started} + (CASE WHEN {last} THEN 120 ELSE 30 END) * INTERVAL '1 second'",
                    "result": f"CASE WHEN NOT {last} OR {P} < 8 THEN 'no_answer' "
                    f"WHEN {P} < 33 THEN 'cancelled' ELSE 'confirmed' END",
                    "notes": "''", "callback_at": "NULL", "reason": "''",
                },
            )  # fmt: skip
            _rows_fill(
                cursor,
                model=through,
                source=calls,
                columns={"callattempt_id": "i * 3 + j", "order_id": "md5('rb-' || i)::uuid"},
            )
            log(f"  filled {end + 1:,} orders ({time.perf_counter() - began:.0f} s)")
        table = CallAttempt._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
        tables = [Order, Customer, OrderEvent, CallAttempt, through]
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(m._meta.db_table for m in tables)}")
    log(f"fill: {orders:,} orders in {time.perf_counter() - began:.0f} s")
    return store


def timed(call, repeat: int) -> list[float]:
    call()  # unmeasured: the connection's first statements, the catalogue caches
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def baseline_sql(group: str, zone: str) -> dict[str, str]:
    """The hand-written aggregate of the same figures over the raw tables, per source table."""
    o, e, a, t = (
        m._meta.db_table for m in (Order, OrderEvent, CallAttempt, CallAttempt.orders.through)
    )
    day = "((x AT TIME ZONE %(zone)s)::date)"
    if group == "day":
        key = {"o": day.replace("x", "o.created_at"), "c": day.replace("x", "o.confirmed_at"),
               "x": day.replace("x", "o.status_changed_at"), "a": day.replace("x", "a.started_at")}  # fmt: skip
        decider = "NULL"
    else:
        key = {"o": "NULL", "c": "ev.actor_id", "x": "ev.actor_id", "a": "a.operator_id"}
        decider = f"(SELECT actor_id FROM {e} ev0 WHERE ev0.order_id = o.id AND ev0.created_at = o.confirmed_at LIMIT 1)"
    cut = "BETWEEN %(since)s AND %(until)s"
    return {
        "orders": f"SELECT {key['o']} k, count(*) FROM {o} o WHERE o.store_id = %(store)s AND o.created_at >= %(lo)s AND o.created_at < %(hi)s AND {day.replace('x', 'o.created_at')} {cut} GROUP BY 1",
        "confirmed": f"SELECT {key['c']} k, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.confirmed_at - o.created_at)) FROM {o} o LEFT JOIN {e} ev ON ev.order_id = o.id AND ev.created_at = o.confirmed_at WHERE o.store_id = %(store)s AND o.confirmed_at >= %(lo)s AND o.confirmed_at < %(hi)s AND {day.replace('x', 'o.confirmed_at')} {cut} GROUP BY 1",
        "ended": f"SELECT {key['x'] if group == 'day' else decider} k, o.status, o.cancel_reason, count(*) FROM {o} o LEFT JOIN {e} ev ON ev.order_id = o.id AND ev.created_at = o.status_changed_at WHERE o.store_id = %(store)s AND o.status IN ('cancelled', 'delivered', 'returned') AND o.status_changed_at >= %(lo)s AND o.status_changed_at < %(hi)s AND {day.replace('x', 'o.status_changed_at')} {cut} GROUP BY 1, 2, 3",
        "attempts": f"SELECT {key['a']} k, count(*), count(*) FILTER (WHERE a.result IN ('callback','pending_check','confirmed','cancelled','resolved')), sum(a.ended_at - a.started_at) FROM {a} a WHERE a.store_id = %(store)s AND a.result <> 'abandoned' AND a.started_at >= %(lo)s AND a.started_at < %(hi)s AND {day.replace('x', 'a.started_at')} {cut} GROUP BY 1",
        "first_calls": "" if group != "day" else f"SELECT k, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first - created)) FROM (SELECT {key['o']} k, o.created_at created, min(a.started_at) first FROM {o} o JOIN {t} t ON t.order_id = o.id JOIN {a} a ON a.id = t.callattempt_id WHERE o.store_id = %(store)s AND a.result <> 'abandoned' AND o.created_at >= %(lo)s AND o.created_at < %(hi)s AND {day.replace('x', 'o.created_at')} {cut} GROUP BY o.id) x GROUP BY 1",
    }  # fmt: skip


def baseline_run(group: str, params: dict) -> None:
    with connection.cursor() as cursor:
        for sql in baseline_sql(group, params["zone"]).values():
            if sql:
                cursor.execute(sql, params)
                cursor.fetchall()


def steps_timed(query: kpis.KpiQuery) -> dict[str, float]:
    """Each step of kpis.kpi_tallies on its own, once (after the measured runs: warm)."""
    steps = {}
    now = datetime.now(UTC)
    for name, step in (
        ("orders", lambda t: kpis._count_orders(query, t)),
        ("decisions", lambda t: kpis._count_decisions(query, t)),
        ("deliveries", lambda t: kpis._count_deliveries(query, t)),
        ("attempts", lambda t: kpis._count_attempts(query, t)),
        ("first_calls", lambda t: kpis._first_calls(query, t, now)),
    ):
        began = time.perf_counter()
        step(kpis.Tallies())
        steps[name] = round((time.perf_counter() - began) * 1000, 1)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--until", default="2026-12-01", help="the end of the filled year")
    parser.add_argument("--reuse", action="store_true", help="measure an earlier fill again")
    args = parser.parse_args()
    until = datetime.combine(date.fromisoformat(args.until), datetime.min.time(), tzinfo=UTC)
    store = (
        Store.objects.get(slug="reports-bench")
        if args.reuse
        else fill(orders=args.orders, until=until)
    )
    admin = User.objects.filter(username="rb-admin").first()
    if admin is not None:
        admin.delete()
    _, _, token = user_create(username="rb-admin", role="admin", store_slugs=[])
    client = Client(headers={"Authorization": f"Bearer {token}"}, SERVER_NAME="localhost")
    last = until.date() - timedelta(days=1)
    shapes = {
        "day": {"from": (last - timedelta(days=29)).isoformat(), "to": last.isoformat(), "group_by": "day"},
        "operator": {"from": last.replace(day=1).isoformat(), "to": last.isoformat(), "group_by": "operator"},
    }  # fmt: skip
    result: dict = {"orders": Order.objects.count()}
    for name, params in shapes.items():

        def call(params=params):
            response = client.get("/api/v1/reports/kpis", params)
            assert response.status_code == 200, response.content[:300]

        api = timed(call, args.repeat)
        since, to = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
        sql_params = {
            "store": store.pk, "zone": store.default_timezone, "since": since, "until": to,
            "lo": datetime.combine(since - timedelta(days=1), datetime.min.time(), tzinfo=UTC),
            "hi": datetime.combine(to + timedelta(days=2), datetime.min.time(), tzinfo=UTC),
        }  # fmt: skip
        base = timed(lambda name=name, p=sql_params: baseline_run(name, p), args.repeat)
        query = kpis.KpiQuery(store_ids=(store.pk,), since_on=since, until_on=to, group_by=name)
        result |= {
            f"{name}_p50_ms": round(statistics.median(api), 1),
            f"{name}_p95_ms": round(p95(api), 1),
            f"baseline_{name}_p95_ms": round(p95(base), 1),
            f"{name}_ratio": round(p95(api) / p95(base), 2),
            f"{name}_steps_ms": steps_timed(query),
        }
        log(f"{name}: API p50 {result[f'{name}_p50_ms']} ms, p95 {result[f'{name}_p95_ms']} ms; "
            f"plain aggregate p95 {result[f'baseline_{name}_p95_ms']} ms; steps {result[f'{name}_steps_ms']}")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
