from orderdesk.catalog.models import CatalogPolicy, Category, Product


def _product(store, category, sku, price, stock, **attributes):
    return Product.objects.create(
        store=store, category=category, sku=sku, name=sku, price=price, stock_quantity=stock,
        attributes=attributes,
    )  # fmt: skip


def test_alternatives_are_ranked_and_filtered(store, store_api):
    sofas = Category.objects.create(store=store, code="sofas", name="Диваны",
                                    required_attributes=["fabric"])  # fmt: skip
    chairs = Category.objects.create(store=store, code="chairs", name="Кресла")
    CatalogPolicy.objects.create(store=store, alternative_price_band_percent=10)
    _product(store, sofas, "SOFA-1", "100000.00", 0, fabric="велюр", color="серый")
    _product(store, sofas, "SAME-COLOR", "108000.00", 2, fabric="Велюр ", color="серый")
    _product(store, sofas, "CLOSE-PRICE", "101000.00", 5, fabric="велюр", color="синий")
    _product(store, sofas, "CLOSER-PRICE", "99500.00", 1, fabric="велюр", color="синий")
    _product(store, sofas, "OTHER-FABRIC", "100000.00", 9, fabric="кожа", color="серый")
    _product(store, sofas, "TOO-DEAR", "111000.00", 9, fabric="велюр", color="серый")
    _product(store, sofas, "SOLD-OUT", "100000.00", 0, fabric="велюр", color="серый")
    _product(store, chairs, "CHAIR", "100000.00", 9, fabric="велюр", color="серый")

    response = store_api.get("/api/v1/products/SOFA-1/alternatives")

    assert response.status_code == 200
    assert [(a["rank"], a["sku"], a["price_difference"], a["available"]) for a in response.json()] == [
        (1, "SAME-COLOR", "8000.00", 2),
        (2, "CLOSER-PRICE", "-500.00", 1),
        (3, "CLOSE-PRICE", "1000.00", 5),
    ]  # fmt: skip


def test_no_alternatives_without_a_category(store, store_api):
    _product(store, None, "LONE", "100.00", 0)
    _product(store, None, "OTHER", "100.00", 5)
    assert store_api.get("/api/v1/products/LONE/alternatives").json() == []
    assert store_api.get("/api/v1/products/NOPE/alternatives").status_code == 404
