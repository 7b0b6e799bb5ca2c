"""Peak memory of `orderdesk import1c` on a large CommerceML offers file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_bench .venv/bin/orderdesk migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_bench .venv/bin/python bench/import1c.py --offers 100000

Writes an offers.xml of `--offers` offers (as 1C writes them: two price types, two warehouses
per offer, the CommerceML 2 namespace) to a temporary folder, then imports it into a store of
its own in one transaction that is rolled back at the end, so the database is left as it was.
It prints the file's size, the time, the process's peak RSS before and after the import and
the peak of Python's own allocations during it (tracemalloc, with `--tracemalloc`: slower).
Run it with two sizes: the import streams, so the peak should not grow with the file.
The last line printed is JSON: {"offers": …, "file_mb": …, "seconds": …, "rss_before_mb": …,
"rss_peak_mb": …, "python_peak_mb": …}
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
]

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
django.setup()

from django.db import transaction  # noqa: E402

from orderdesk.catalog.commerceml import commerceml_import  # noqa: E402
from orderdesk.stores.models import Store  # noqa: E402

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.05" ДатаФормирования="2026-11-20T09:15:04">
<ПакетПредложений СодержитТолькоИзменения="false">
<Ид>bench#</Ид><Наименование>Пакет предложений</Наименование>
<ТипыЦен>
<ТипЦены><Ид>retail</Ид><Наименование>Розничная</Наименование><Валюта>KZT</Валюта></ТипЦены>
<ТипЦены><Ид>wholesale</Ид><Наименование>Оптовая</Наименование><Валюта>KZT</Валюта></ТипЦены>
</ТипыЦен>
<Склады>
<Склад><Ид>w1</Ид><Наименование>Алматы</Наименование></Склад>
<Склад><Ид>w2</Ид><Наименование>Астана</Наименование></Склад>
</Склады>
<Предложения>
"""
OFFER = """<Предложение><Ид>00000000-0000-4000-8000-{n:012d}</Ид><Артикул>B-{n}</Артикул>
<Наименование>Товар для проверки импорта номер {n}</Наименование>
<БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница>
<Цены><Цена><Представление>{p} KZT за шт</Представление><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>{p}.00</ЦенаЗаЕдиницу><Валюта>KZT</Валюта><Единица>шт</Единица><Коэффициент>1</Коэффициент></Цена>
<Цена><Представление>{w} KZT за шт</Представление><ИдТипаЦены>wholesale</ИдТипаЦены><ЦенаЗаЕдиницу>{w}.00</ЦенаЗаЕдиницу><Валюта>KZT</Валюта><Единица>шт</Единица><Коэффициент>1</Коэффициент></Цена></Цены>
<Количество>{q}</Количество><Склад ИдСклада="w1" КоличествоНаСкладе="{a}"/><Склад ИдСклада="w2" КоличествоНаСкладе="{b}"/>
</Предложение>
"""
TAIL = "</Предложения>\n</ПакетПредложений>\n</КоммерческаяИнформация>\n"


def offers_file_write(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for n in range(count):
            a, b = n % 7, n % 3
            out.write(OFFER.format(n=n, p=1000 + n % 5000, w=900 + n % 5000, q=a + b, a=a, b=b))
        out.write(TAIL)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "offers.xml"
        offers_file_write(path, args.offers)
        size_mb = path.stat().st_size / 2**20
        rss_before = rss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        with transaction.atomic():
            store, _ = Store.objects.get_or_create(slug="bench-1c", defaults={"name": "Bench 1C"})
            counts = commerceml_import(store=store, paths=[path])
            transaction.set_rollback(True)
        seconds = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    result = {
        "offers": counts.offers,
        "file_mb": round(size_mb, 1),
        "seconds": round(seconds, 1),
        "rss_before_mb": round(rss_before, 1),
        "rss_peak_mb": round(rss_mb(), 1),
        "python_peak_mb": round(python_peak, 1) if python_peak is not None else None,
    }
    print(
        f"{counts.offers} offers, {size_mb:.1f} MB file, {seconds:.1f} s; peak RSS "
        f"{result['rss_peak_mb']} MB (before the import {result['rss_before_mb']} MB)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
