"""Database queries per step of an operator's call, through the real views: take the next call,
open the card, edit the address, record the outcome.

    createdb -h 127.0.0.1 -U postgres orderdesk_steps
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderdesk_steps
    .venv/bin/orderdesk migrate
    .venv/bin/python bench/steps.py

Each run makes its own store (open all day), operator and one customer with two orders, then
counts the statements Django's query capture sees for each request. An edit's count includes
the checklist refresh it leads to when the page has to ask for it in a second request. The last
line printed is JSON: {"next": …, "card": …, "edit": …, "outcome": …}."""

import os
import sys

# bench/queue.py is named like the standard library's `queue`: keep this folder off the path.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import json
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from orderdesk.accounts.models import User  # noqa: E402
from orderdesk.calling.models import CallingPolicy, Lease  # noqa: E402
from orderdesk.calling.services import operator_state_set  # noqa: E402
from orderdesk.orders.services import orders_intake  # noqa: E402
from orderdesk.stores.models import Store  # noqa: E402

ALL_DAY = {str(day): ["00:00", "23:59"] for day in range(1, 8)}


def setup() -> tuple[User, list]:
    tag = uuid.uuid4().hex[:8]
    store = Store.objects.create(name=f"Steps {tag}", slug=f"steps-{tag}")
    CallingPolicy.objects.create(store=store, windows=ALL_DAY, min_gap_minutes=0)
    operator = User.objects.create(username=f"steps-{tag}", role="operator", languages=["ru"])
    operator.stores.add(store)
    payloads = [
        {
            "external_id": f"S-{tag}-{n}",
            "customer": {"name": "Тест Шагов", "phone": "+77017770000", "language": "ru"},
            "items": [{"sku": "KTL-1", "name": "Чайник", "quantity": 1, "price": "9990.00"}],
            "delivery": {"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25"},
            "payment": {"method": "cash_on_delivery"},
        }
        for n in range(2)
    ]
    results = orders_intake(store=store, payloads=payloads, actor_label="steps")
    operator_state_set(operator=operator, state="ready")
    return operator, [r.order for r in results]


def counted(send) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    return len(captured.captured_queries), response


def main() -> None:
    operator, orders = setup()
    client = Client(SERVER_NAME="localhost")
    client.force_login(operator)
    counts = {}
    counts["next"], response = counted(lambda: client.post(reverse("workspace:next")))
    assert response.status_code == 302, response.status_code
    counts["card"], response = counted(lambda: client.get(reverse("workspace:desk")))
    assert response.status_code == 200, response.status_code
    lease = Lease.objects.get(operator=operator, ended_at=None)
    first = orders[0]
    outcome_form = {"lease": str(lease.pk), f"decision_{first.pk}": "confirm"}
    address = {"street": "Абая", "house": "10", "apartment": "25", "entrance": "2",
               "floor": "5", "intercom": "25К"}  # fmt: skip
    counts["edit"], response = counted(
        lambda: client.post(
            reverse("workspace:address", args=[first.pk]),
            {**address, **outcome_form},
            HTTP_HX_REQUEST="true",
        )
    )
    assert response.status_code == 200, response.status_code
    if response.get("HX-Trigger") == "checks-changed":  # the page asks for the checklist
        checks, _ = counted(
            lambda: client.post(reverse("workspace:checks"), outcome_form, HTTP_HX_REQUEST="true")
        )
        counts["edit"] += checks
    decisions = {
        "lease": str(lease.pk),
        "result": "cancelled",
        "reason": "changed_mind",
    }
    counts["outcome"], response = counted(
        lambda: client.post(reverse("workspace:outcome"), decisions, HTTP_HX_REQUEST="true")
    )
    assert response.status_code == 200, (response.status_code, response.content[:300])
    for step, count in counts.items():
        print(f"{step:8} {count:3} queries", flush=True)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
