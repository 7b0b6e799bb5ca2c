from .models import Category, Product


def category_required_attributes(*, store_id: int) -> dict[str, list[str]]:
    """Category code → attribute names required on an item of it, for one store."""
    rows = Category.objects.filter(store_id=store_id).values_list("code", "required_attributes")
    return {code: list(required or []) for code, required in rows}


def product_for_sale_get(*, store_id: int, product_id: int) -> Product | None:
    """An active product of this store's catalogue; another store's product is not found."""
    return (
        Product.objects.select_related("category")
        .filter(pk=product_id, store_id=store_id, is_active=True)
        .first()
    )
