"""Writing products and their stock: one batched writer for the API (one product or a bulk of
up to 1,000) and the CommerceML import (batches of a streamed file).

A change names only what its source knows: the products file of 1C knows names, groups and
properties, its offers file knows prices and stock; the API knows everything. Fields left as
None keep their stored value (or the default, for a product seen for the first time)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from pydantic import ValidationError

from orderdesk.core.errors import field_path
from orderdesk.stores.models import Store

from ..models import Category, Product, ProductStock
from ..schemas import ProductIn
from .stock import stock_arrivals_notify, stock_waiting_products

PRODUCT_INVALID = "product_invalid"


@dataclass
class ProductChange:
    sku: str
    external_id: str | None = None
    name: str | None = None
    category_code: str | None = None
    category_name: str | None = None
    price: Decimal | None = None
    attributes: dict[str, Any] | None = None
    stock: dict[str, int] | None = None
    active: bool | None = None

    @classmethod
    def of(cls, sku: str, data: ProductIn) -> "ProductChange":
        return cls(
            sku=sku, name=data.name, category_code=data.category, price=data.price,
            attributes=data.attributes, stock=data.stock_by_warehouse(), active=data.active,
        )  # fmt: skip


def product_payload_errors(payload: Any, schema: type[ProductIn] = ProductIn, prefix: tuple = ()):
    """(the checked payload, None) or (None, every problem by its field path)."""
    try:
        return schema.model_validate(payload), None
    except ValidationError as exc:
        return None, [
            {"field": field_path((*prefix, *e["loc"])), "code": e["type"], "message": e["msg"]}
            for e in exc.errors()
        ]


@transaction.atomic
def product_upsert(*, store: Store, sku: str, data: ProductIn) -> tuple[Product, bool]:
    """PUT semantics: the product becomes what the payload says (its warehouses included)."""
    created = products_upsert(store=store, changes=[ProductChange.of(sku, data)])
    product = Product.objects.select_related("category").get(store=store, sku=sku)
    return product, bool(created)


# Fields of Product each part of a change writes, by the ProductChange attribute.
_FIELDS = {
    "external_id": "external_id",
    "name": "name",
    "price": "price",
    "attributes": "attributes",
    "active": "is_active",
}


@transaction.atomic
def products_upsert(*, store: Store, changes: Sequence[ProductChange]) -> set[str]:
    """Insert or update `changes` (one SKU each) in a few statements; answers the SKUs created.
    Stock given for a product replaces all its warehouse rows."""
    if not changes:
        return set()
    categories = _categories_ensure(store=store, changes=changes)
    skus = [c.sku for c in changes]
    existing = set(Product.objects.filter(store=store, sku__in=skus).values_list("sku", flat=True))
    waiting = stock_waiting_products(store_id=store.pk, skus=skus)
    for fields, group in _by_fields(changes).items():
        _products_write(store=store, changes=group, fields=fields, categories=categories)
    with_stock = [c for c in changes if c.stock is not None]
    if with_stock:
        _stock_write(store=store, changes=with_stock)
    stock_arrivals_notify(product_ids=waiting)
    return set(skus) - existing


def _categories_ensure(*, store: Store, changes: Sequence[ProductChange]) -> dict[str, Category]:
    names = {
        c.category_code: c.category_name or c.category_code for c in changes if c.category_code
    }
    found = {c.code: c for c in Category.objects.filter(store=store, code__in=names)}
    missing = [
        Category(store=store, code=code, name=names[code][:200])
        for code in names
        if code not in found
    ]
    for category in Category.objects.bulk_create(missing):
        found[category.code] = category
    renamed = [c for c in changes if c.category_name and c.category_code in found
               and found[c.category_code].name != c.category_name[:200]]  # fmt: skip
    for change in renamed:
        category = found[change.category_code]
        category.name = change.category_name[:200]
        category.save(update_fields=["name", "updated_at"])
    return found


def _by_fields(changes: Sequence[ProductChange]) -> dict[tuple[str, ...], list[ProductChange]]:
    groups: dict[tuple[str, ...], list[ProductChange]] = {}
    for change in changes:
        fields = tuple(
            column for attr, column in _FIELDS.items() if getattr(change, attr) is not None
        ) + (("category",) if change.category_code is not None else ())
        groups.setdefault(fields, []).append(change)
    return groups


def _products_write(*, store, changes, fields, categories) -> None:
    rows = [
        Product(
            store=store,
            sku=c.sku,
            external_id=c.external_id or "",
            name=c.name if c.name is not None else c.sku,
            category=categories.get(c.category_code) if c.category_code else None,
            price=c.price if c.price is not None else Decimal("0"),
            attributes=c.attributes if c.attributes is not None else {},
            is_active=c.active if c.active is not None else True,
        )
        for c in changes
    ]
    Product.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["store", "sku"],
        update_fields=[*fields, "updated_at"],
    )


def _stock_write(*, store: Store, changes: Sequence[ProductChange]) -> None:
    ids = dict(
        Product.objects.filter(store=store, sku__in=[c.sku for c in changes]).values_list(
            "sku", "pk"
        )
    )
    product_ids = [ids[c.sku] for c in changes]
    ProductStock.objects.filter(product_id__in=product_ids).delete()
    ProductStock.objects.bulk_create(
        ProductStock(product_id=ids[c.sku], warehouse=warehouse, quantity=quantity)
        for c in changes
        for warehouse, quantity in (c.stock or {}).items()
    )
    total = ProductStock.objects.filter(product=OuterRef("pk")).values("product")
    total = total.annotate(total=Sum("quantity")).values("total")
    Product.objects.filter(pk__in=product_ids).update(stock_quantity=Coalesce(Subquery(total), 0))
