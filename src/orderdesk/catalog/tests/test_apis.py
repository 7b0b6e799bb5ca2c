from decimal import Decimal

from orderdesk.catalog.models import Category, Product, ProductStock
from orderdesk.catalog.services import stock_reserve
from orderdesk.catalog.services.stock import StockLine
from orderdesk.core.models import uuid7

SOFA = {
    "name": "Диван угловой",
    "category": "sofas",
    "price": "150000.00",
    "attributes": {"color": "серый", "fabric": "велюр"},
    "stock": {"almaty-1": 3, "astana": 2},
}


def test_put_creates_then_replaces_a_product(store_api, store):
    created = store_api.put("/api/v1/products/SOFA-1", SOFA)
    assert created.status_code == 201
    assert created.json() == {
        "sku": "SOFA-1", "name": "Диван угловой", "category": "sofas", "price": "150000.00",
        "attributes": {"color": "серый", "fabric": "велюр"},
        "stock": {"almaty-1": 3, "astana": 2}, "in_stock": 5, "reserved": 0, "available": 5,
        "active": True,
    }  # fmt: skip
    replaced = store_api.put("/api/v1/products/SOFA-1", {**SOFA, "price": "99.50", "stock": 4})
    assert replaced.status_code == 200
    assert (replaced.json()["stock"], replaced.json()["in_stock"]) == ({"main": 4}, 4)
    product = Product.objects.get(store=store, sku="SOFA-1")
    assert (product.price, product.stock_quantity) == (Decimal("99.50"), 4)
    assert list(ProductStock.objects.values_list("warehouse", "quantity")) == [("main", 4)]
    assert Category.objects.get(store=store, code="sofas").name == "sofas"


def test_get_shows_reserved_and_available(store_api, store):
    store_api.put("/api/v1/products/SOFA-1", SOFA)
    lines = [StockLine(field="items[0]", sku="SOFA-1", quantity=2)]
    stock_reserve(store_id=store.pk, order_id=uuid7(), lines=lines)
    body = store_api.get("/api/v1/products/SOFA-1").json()
    assert (body["in_stock"], body["reserved"], body["available"]) == (5, 2, 3)


def test_bad_product_is_422_naming_fields_and_stores_nothing(store_api):
    response = store_api.put(
        "/api/v1/products/SOFA-1", {**SOFA, "price": "-1", "stock": {"almaty-1": -2}}
    )
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["price", "stock.almaty-1"]
    assert not Product.objects.exists()


def test_another_stores_product_is_not_found(store_api, other_store_api):
    store_api.put("/api/v1/products/SOFA-1", SOFA)
    assert other_store_api.get("/api/v1/products/SOFA-1").status_code == 404


def test_bulk_answers_each_item_and_stores_the_valid_ones(store_api, store):
    body = {
        "products": [
            {**SOFA, "sku": "SOFA-1"},
            {**SOFA, "sku": "SOFA-2", "name": ""},
            {**SOFA, "sku": "SOFA-1", "name": "again"},
            {**SOFA, "sku": "SOFA-3", "stock": 0},
        ]
    }
    response = store_api.post("/api/v1/products/bulk", body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["sku"], r["ok"], r["created"]) for r in results] == [
        (0, "SOFA-1", True, True),
        (1, "SOFA-2", False, None),
        (2, "SOFA-1", False, None),
        (3, "SOFA-3", True, True),
    ]
    assert results[1]["errors"][0]["field"] == "name"
    assert results[2]["errors"][0]["code"] == "sku_duplicate"
    assert sorted(Product.objects.filter(store=store).values_list("sku", flat=True)) == [
        "SOFA-1",
        "SOFA-3",
    ]


def test_bulk_over_the_limit_is_refused(store_api):
    body = {"products": [{**SOFA, "sku": f"S-{n}"} for n in range(1001)]}
    response = store_api.post("/api/v1/products/bulk", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "products"
    assert not Product.objects.exists()
