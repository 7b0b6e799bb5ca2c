"""Demo data: invented stores, staff and a few hundred orders across Kazakh and Russian zones.

Everything personal here is made up; phone numbers are random numbers in valid mobile ranges."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallTask
from orderdesk.catalog.models import Category, Product
from orderdesk.delivery.models import Locality
from orderdesk.orders.models import Order
from orderdesk.orders.services import orders_intake
from orderdesk.stores.models import Store
from orderdesk.stores.services import store_create

DEMO_PASSWORD = "orderdesk-demo"
FIRST_NAMES = ["Айгуль", "Ерлан", "Динара", "Тимур", "Мария", "Алексей", "Жанар", "Асель", "Ольга", "Нурлан",
               "Сергей", "Гульнара", "Арман", "Елена", "Дамир", "Айдана", "Ирина", "Бауыржан"]  # fmt: skip
LAST_INITIALS = "АБВГДЕЖЗИКЛМНОПРСТ"
CATALOG = {
    "fridges": ("Холодильники", [], [("HRF-450", "Холодильник двухкамерный", "259990.00"),
                                     ("HRF-300", "Холодильник компактный", "149990.00")]),
    "sofas": ("Диваны", ["fabric"], [("SOFA-3", "Диван трёхместный", "329990.00"),
                                     ("SOFA-2", "Диван-кровать", "219990.00")]),
    "tables": ("Столы", ["finish"], [("TBL-120", "Стол обеденный 120 см", "89990.00")]),
    "small": ("Мелкая техника", [], [("KTL-17", "Чайник электрический", "12990.00"),
                                     ("IRN-22", "Утюг", "18990.00")]),
}  # fmt: skip
ATTRIBUTES = {"sofas": {"fabric": "велюр серый"}, "tables": {"finish": "дуб"}}
KZ_CITIES = [
    "Алматы",
    "Астана",
    "Шымкент",
    "Караганда",
    "Актобе",
    "Павлодар",
    "Костанай",
    "Атырау",
    "Уральск",
]
RU_CITIES = ["Москва", "Санкт-Петербург", "Калининград", "Самара", "Екатеринбург", "Омск", "Новосибирск",
             "Красноярск", "Иркутск", "Чита", "Якутск", "Владивосток", "Магадан", "Петропавловск-Камчатский"]  # fmt: skip


def demo_data_needed() -> bool:
    return not Store.objects.exists()


@transaction.atomic
def demo_data_load(*, orders: int = 300, seed: int = 7) -> dict[str, str]:
    """Load the demo; returns the logins (username → role) for the start banner."""
    rng = random.Random(seed)
    home, _ = store_create(name="Мебель и Техника", slug="mebel-tehnika")
    russia, _ = store_create(name="ТехноДом", slug="technodom-ru")
    russia.default_timezone, russia.default_phone_region = "Europe/Moscow", "RU"
    russia.save(update_fields=["default_timezone", "default_phone_region"])
    for store in (home, russia):
        _catalog_create(store)
    logins = _staff_create(home=home, russia=russia)
    _orders_create(store=home, cities=KZ_CITIES, count=orders * 2 // 3, rng=rng, prefix="MT")
    _orders_create(
        store=russia, cities=RU_CITIES, count=orders // 3, rng=rng, prefix="TD", russian=True
    )
    return logins


def _catalog_create(store: Store) -> None:
    for code, (name, required, products) in CATALOG.items():
        category = Category.objects.create(
            store=store, code=code, name=name, required_attributes=required
        )
        for sku, product_name, price in products:
            Product.objects.create(store=store, sku=sku, name=product_name, category=category,
                                   price=Decimal(price), stock_quantity=25)  # fmt: skip


def _staff_create(*, home: Store, russia: Store) -> dict[str, str]:
    staff = [
        ("admin", "admin", [home, russia], ["ru", "kk", "en"]),
        ("supervisor", "supervisor", [home, russia], ["ru", "kk"]),
        ("operator", "operator", [home, russia], ["ru", "kk"]),
        ("operator-kk", "operator", [home], ["kk", "ru"]),
        ("operator-ru", "operator", [russia], ["ru"]),
    ]
    for username, role, stores, languages in staff:
        user_create(username=username, role=role, store_slugs=[s.slug for s in stores],
                    languages=languages, password=DEMO_PASSWORD)  # fmt: skip
    return {username: role for username, role, _, _ in staff}


def _phone(rng: random.Random, russian: bool) -> str:
    operator_code = rng.choice(
        ["916", "926", "903", "985"] if russian else ["701", "702", "705", "707", "747", "777"]
    )
    return f"+7 {operator_code} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _order_payload(rng: random.Random, *, number: str, city: str, russian: bool) -> dict:
    code = rng.choice(list(CATALOG))
    sku, name, price = rng.choice(CATALOG[code][2])
    apartment = rng.random() < 0.6
    return {
        "external_id": number,
        "source": rng.choice(["website"] * 4 + ["kaspi"] * (0 if russian else 1)),
        "customer": {
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}.",
            "phone": _phone(rng, russian),
            "language": "ru" if russian or rng.random() < 0.6 else "kk",
        },
        "items": [
            {
                "sku": sku,
                "name": name,
                "quantity": rng.randint(1, 2),
                "price": price,
                "category": code,
                "attributes": ATTRIBUTES.get(code, {}),
            }
        ],
        "delivery": {
            "locality": city,
            "street": rng.choice(["Абая", "Ленина", "Достык", "Гагарина", "Мира"]),
            "house": str(rng.randint(1, 120)),
            **(
                {"apartment": str(rng.randint(1, 200)), "floor": str(rng.randint(1, 12))}
                if apartment
                else {}
            ),
            "date": (timezone.localdate() + timedelta(days=rng.randint(0, 4))).isoformat(),
        },
        "payment": {"method": rng.choice(["cash_on_delivery", "card_on_delivery", "prepaid"])},
    }


def _orders_create(
    *, store: Store, cities: list[str], count: int, rng: random.Random, prefix: str, russian=False
):
    known = set(Locality.objects.filter(name_ru__in=cities).values_list("name_ru", flat=True))
    payloads = [
        _order_payload(
            rng,
            number=f"{prefix}-{10000 + i}",
            city=rng.choice(sorted(known) or cities),
            russian=russian,
        )
        for i in range(count)
    ]
    orders_intake(store=store, payloads=payloads, actor_label="demo")
    # Spread arrival times over the last two days so the queue has some age to show.
    for order in Order.objects.filter(store=store).only("pk"):
        arrived = timezone.now() - timedelta(minutes=rng.randint(1, 2 * 24 * 60))
        Order.objects.filter(pk=order.pk).update(created_at=arrived, status_changed_at=arrived)
        CallTask.objects.filter(order_id=order.pk).update(due_at=arrived, created_at=arrived)
