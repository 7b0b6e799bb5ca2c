"""Bulk intake throughput against plain bulk_create, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_bench .venv/bin/orderdesk migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_bench .venv/bin/python bench/intake.py

The database must be migrated and hold no orders; the benchmark creates its own stores and
fills them. It sends `--orders` orders (default 200,000) through the bulk intake service in
batches of `--batch` (default 1,000: the API's limit), then stores `--baseline-orders` rows of
the same shape, built and validated beforehand, with Django's bulk_create (orders, items and
each order's confirmation call task).
Every ten batches, untimed, the tables are analyzed as autovacuum would (`analyze`).
Throughput figures are medians of the per-batch rates.

`--streams N` (default 1) runs N such senders at once, each a process with its own store (as N
stores posting together to N web workers), for the intake and then for the baseline; the
figures are then the sum of the streams' medians and the largest process's peak RSS. On a
machine with few cores this shows how far intake scales before the cores, shared with the
database, run out. The last line printed is JSON:
{"orders_per_s": …, "baseline_orders_per_s": …, "ratio": …, "peak_rss_mb": …}
"""

import argparse
import gc
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal

# This folder also holds queue.py, which would shadow the standard library's queue module.
sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
]

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
django.setup()

from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from orderdesk.calling.models import CallPurpose, CallTask  # noqa: E402
from orderdesk.core.models import uuid7  # noqa: E402
from orderdesk.delivery.models import Locality  # noqa: E402
from orderdesk.orders.models import Customer, Order, OrderItem, OrderStatus  # noqa: E402
from orderdesk.orders.services import orders_intake  # noqa: E402
from orderdesk.stores.services import store_create  # noqa: E402

CITIES = [
    "Алматы",
    "Астана",
    "Шымкент",
    "Караганда",
    "Москва",
    "Новосибирск",
    "Екатеринбург",
    "аул Кенжеколь",
]


def payload(rng: random.Random, run: str, number: int) -> dict:
    """An order as a store sends it; about one customer in five orders twice."""
    phone_no = rng.randint(0, number // 5 + 1) if rng.random() < 0.2 else number
    return {
        "external_id": f"{run}-{number}",
        "customer": {"name": "Тест Покупатель", "phone": f"+7701{phone_no % 10_000_000:07d}", "language": "ru"},
        "items": [
            {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00", "category": "fridges"},
            {"sku": "KTL-17", "name": "Чайник", "quantity": rng.randint(1, 3), "price": "12990.00"},
        ],
        "delivery": {"locality": rng.choice(CITIES), "street": "Абая", "house": str(rng.randint(1, 200)),
                     "apartment": str(rng.randint(1, 300)), "date": "2026-12-01"},
        "payment": {"method": "cash_on_delivery"},
    }  # fmt: skip


ANALYZE_EVERY = 10  # batches


def analyze() -> None:
    """Table statistics as autovacuum keeps them (it analyzes a table each time a tenth of it has
    changed), also on a server where it is off: plans made from an empty table's statistics
    would scan a store's every order to find the few a batch repeats. Not timed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE orders_order, orders_orderitem, orders_customer, orders_orderevent, "
            "orders_storeevent"
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_intake(*, total: int, batch: int, rng: random.Random, run: str) -> list[float]:
    store, _ = store_create(name=f"bench intake {run}", slug=f"bench-intake-{run}")
    rates = []
    for start in range(0, total, batch):
        if start // batch % ANALYZE_EVERY == 1:
            analyze()
        payloads = [payload(rng, run, n) for n in range(start, min(start + batch, total))]
        began = time.perf_counter()
        results = orders_intake(store=store, payloads=payloads, actor_label="bench")
        rates.append(len(payloads) / (time.perf_counter() - began))
        assert all(r.created for r in results[: len(payloads) // 2] if not r.errors)
        del payloads, results
        if start // batch % 20 == 0:
            gc.collect()
            print(
                f"  intake {start + batch:>7}: {rates[-1]:8.0f} orders/s, rss {peak_rss_mb():.0f} MB",
                file=sys.stderr,
            )
    return rates


def baseline_rows(
    store, customers: dict, payloads: list[dict], localities: dict
) -> tuple[list, list]:
    orders, items = [], []
    for p in payloads:
        locality = localities.get(p["delivery"]["locality"])
        order = Order(
            id=uuid7(), store=store, customer=customers[p["customer"]["phone"]], external_id=p["external_id"],
            status=OrderStatus.AWAITING_CONFIRMATION, language="ru",
            recipient_name=p["customer"]["name"], payment_method=p["payment"]["method"],
            locality=locality, locality_name=p["delivery"]["locality"], street=p["delivery"]["street"],
            house=p["delivery"]["house"], apartment=p["delivery"]["apartment"],
            timezone=locality.timezone if locality else "Asia/Almaty", requested_delivery_on="2026-12-01",
        )  # fmt: skip
        orders.append(order)
        for position, i in enumerate(p["items"]):
            items.append(OrderItem(order=order, sku=i["sku"], name=i["name"], quantity=i["quantity"],
                                   price=Decimal(i["price"]), category=i.get("category", ""), position=position))  # fmt: skip
    return orders, items


def confirmation_tasks(orders: list) -> list:
    """The queue's rows, as the intake writes them: each order's confirmation call task."""
    now = timezone.now()
    return [
        CallTask(store_id=o.store_id, customer_id=o.customer_id, order_id=o.pk,
                 purpose=CallPurpose.CONFIRMATION, due_at=now, timezone=o.timezone,
                 language=o.language, created_at=now)
        for o in orders
    ]  # fmt: skip


def run_baseline(*, total: int, batch: int, rng: random.Random, run: str) -> list[float]:
    store, _ = store_create(name=f"bench baseline {run}", slug=f"bench-baseline-{run}")
    localities = {loc.name_ru: loc for loc in Locality.objects.filter(name_ru__in=CITIES)}
    rates = []
    for start in range(0, total, batch):
        if start // batch % ANALYZE_EVERY == 1:
            analyze()
        payloads = [payload(rng, run + "b", n) for n in range(start, min(start + batch, total))]
        phones = {p["customer"]["phone"] for p in payloads}
        Customer.objects.bulk_create(
            [Customer(store=store, phone=ph) for ph in phones], ignore_conflicts=True
        )
        customers = {c.phone: c for c in Customer.objects.filter(store=store, phone__in=phones)}
        orders, items = baseline_rows(store, customers, payloads, localities)
        began = time.perf_counter()
        Order.objects.bulk_create(orders)
        OrderItem.objects.bulk_create(items)
        CallTask.objects.bulk_create(confirmation_tasks(orders))
        rates.append(len(orders) / (time.perf_counter() - began))
    return rates


def run_stream(args: tuple[str, int, int, int, str]) -> tuple[list[float], float]:
    """One sender in its own process: its per-batch rates and its peak RSS."""
    kind, total, batch, seed, run = args
    connections.close_all()
    runner = run_intake if kind == "intake" else run_baseline
    rates = runner(total=total, batch=batch, rng=random.Random(seed), run=run)
    connections.close_all()
    return rates, peak_rss_mb()


def run_streams(
    *, kind: str, streams: int, total: int, batch: int, run: str
) -> tuple[float, float]:
    """`streams` senders at once: the sum of their median rates, the largest peak RSS."""
    connections.close_all()  # no connection may cross the fork
    jobs = [(kind, total // streams, batch, 42 + n, f"{run}s{n}") for n in range(streams)]
    with multiprocessing.get_context("fork").Pool(streams) as pool:
        results = pool.map(run_stream, jobs)
    rate = sum(statistics.median(rates) for rates, _rss in results)
    return rate, max(rss for _rates, rss in results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--baseline-orders", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=1, help="senders at once (processes)")
    args = parser.parse_args()
    if Order.objects.exists():
        sys.exit("the database already holds orders: migrate a fresh one (see the docstring)")
    run = f"{int(time.time())}"
    if args.streams > 1:
        main_streams(args, run)
        return
    rng = random.Random(42)
    intake = run_intake(total=args.orders, batch=args.batch, rng=rng, run=run)
    baseline = run_baseline(total=args.baseline_orders, batch=args.batch, rng=rng, run=run)
    print(
        f"intake: {len(intake)} batches of {args.batch}; baseline: {len(baseline)} batches",
        file=sys.stderr,
    )
    result_print(
        intake=statistics.median(intake), baseline=statistics.median(baseline), rss=peak_rss_mb()
    )


def main_streams(args: argparse.Namespace, run: str) -> None:
    intake, intake_rss = run_streams(
        kind="intake", streams=args.streams, total=args.orders, batch=args.batch, run=run
    )
    baseline, baseline_rss = run_streams(
        kind="baseline", streams=args.streams, total=args.baseline_orders, batch=args.batch,
        run=run + "b",
    )  # fmt: skip
    print(f"intake and baseline in {args.streams} streams at once", file=sys.stderr)
    result_print(intake=intake, baseline=baseline, rss=max(intake_rss, baseline_rss))


def result_print(*, intake: float, baseline: float, rss: float) -> None:
    """The last line: the figures as JSON."""
    result = {
        "orders_per_s": round(intake),
        "baseline_orders_per_s": round(baseline),
        "ratio": round(intake / baseline, 3),
        "peak_rss_mb": round(rss, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
