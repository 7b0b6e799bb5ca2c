"""A short item on the call card: ranked alternatives, one-click replace, back-in-stock call."""

import pytest
from django.urls import reverse

from orderdesk.calling.models import CallPurpose, CallTask
from orderdesk.calling.tests.conftest import fresh
from orderdesk.catalog.models import Category, Product, ProductStock, StockSubscription
from orderdesk.orders.models import OrderEvent, OrderEventType

pytestmark = pytest.mark.django_db
ITEMS = [
    {"sku": "SOFA-1", "name": "Диван", "quantity": 1, "price": "100000.00", "category": "sofas",
     "attributes": {"fabric": "велюр"}},
    {"sku": "KTL-1", "name": "Чайник", "quantity": 2, "price": "10000.00"},
]  # fmt: skip


@pytest.fixture
def held(ready_operator, operator_client, make_order, store):
    sofas = Category.objects.create(store=store, code="sofas", name="Диваны",
                                    required_attributes=["fabric"])  # fmt: skip
    for sku, price, stock, fabric in [
        ("SOFA-1", "100000.00", 0, "велюр"),
        ("SOFA-2", "105000.00", 3, "велюр"),
        ("SOFA-3", "101000.00", 1, "кожа"),
    ]:
        Product.objects.create(store=store, category=sofas, sku=sku, name=f"Диван {sku}",
                               price=price, stock_quantity=stock, attributes={"fabric": fabric})  # fmt: skip
    order = make_order(items=ITEMS)
    operator_client.post(reverse("workspace:next"))
    return order


def _post(client, name, order, item, data=None):
    url = reverse(f"workspace:{name}", args=[order.pk, item.pk])
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def test_short_item_shows_its_alternatives(operator_client, held):
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    help_block = page[page.index('data-stock-help="SOFA-1"') :]
    help_block = help_block[: help_block.index("</div>")]
    assert 'data-alternative="SOFA-2"' in help_block
    assert 'data-alternative="SOFA-3"' not in help_block  # another fabric
    assert 'data-stock-help="KTL-1"' not in page  # not in the catalogue: not judged


def test_replace_takes_the_alternative_and_records_it(operator_client, held, store):
    sofa = held.items.get(sku="SOFA-1")
    alternative = Product.objects.get(store=store, sku="SOFA-2")
    response = _post(operator_client, "item_replace", held, sofa, {"product": alternative.pk})
    assert response.status_code == 200
    sofa.refresh_from_db()
    assert (sofa.sku, str(sofa.price), sofa.quantity, sofa.category) == (
        "SOFA-2", "105000.00", 1, "sofas")  # fmt: skip
    assert str(fresh(held).total) == "125000.00"
    event = OrderEvent.objects.get(order=held, type=OrderEventType.ITEM_CHANGED)
    assert event.data == {
        "replaced": True,
        "changes": {
            "sku": {"from": "SOFA-1", "to": "SOFA-2"},
            "name": {"from": "Диван", "to": "Диван SOFA-2"},
            "price": {"from": "100000.00", "to": "105000.00"},
        },
    }


def test_back_in_stock_opens_a_call_when_stock_arrives(operator_client, held, store, store_api):
    sofa = held.items.get(sku="SOFA-1")
    assert _post(operator_client, "back_in_stock", held, sofa).status_code == 200
    assert _post(operator_client, "back_in_stock", held, sofa).status_code == 200
    assert StockSubscription.objects.filter(order_id=held.pk, notified_at=None).count() == 1
    note = OrderEvent.objects.filter(order=held, type=OrderEventType.NOTE).first()
    assert note.data == {"back_in_stock": "SOFA-1"}
    assert not CallTask.objects.filter(purpose=CallPurpose.BACK_IN_STOCK).exists()

    body = {"name": "Диван", "category": "sofas", "price": "100000.00", "stock": {"main": 0}}
    store_api.put("/api/v1/products/SOFA-1", body)
    assert not CallTask.objects.filter(purpose=CallPurpose.BACK_IN_STOCK).exists()
    store_api.put("/api/v1/products/SOFA-1", {**body, "stock": {"main": 2}})

    task = CallTask.objects.get(purpose=CallPurpose.BACK_IN_STOCK)
    assert (task.order_id, task.reason) == (held.pk, "SOFA-1")
    assert StockSubscription.objects.get(order_id=held.pk).notified_at is not None
    assert ProductStock.objects.get(product__sku="SOFA-1").quantity == 2
