from io import StringIO

import pytest
from django.core.management import call_command

from orderdesk.accounts.models import User
from orderdesk.orders.models import Order
from orderdesk.stores.models import Store

pytestmark = pytest.mark.django_db


def demo_prepare() -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--orders", "6", stdout=out)
    return out.getvalue()


def test_demo_loads_stores_staff_and_orders_into_an_empty_database():
    assert demo_prepare() == "Loading demo data…\n"
    assert sorted(Store.objects.values_list("slug", flat=True)) == ["mebel-tehnika", "technodom-ru"]
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "admin", "operator", "operator-kk", "operator-ru", "supervisor",
    ]  # fmt: skip
    assert Order.objects.count() == 6


def test_demo_leaves_a_database_with_stores_as_it_is(store):
    assert demo_prepare() == ""
    assert list(Store.objects.all()) == [store]
    assert not Order.objects.exists()
