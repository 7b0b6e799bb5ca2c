from .models import Category


def category_required_attributes(*, store_id: int) -> dict[str, list[str]]:
    """Category code → attribute names required on an item of it, for one store."""
    rows = Category.objects.filter(store_id=store_id).values_list("code", "required_attributes")
    return {code: list(required or []) for code, required in rows}
