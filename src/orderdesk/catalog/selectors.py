from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from .models import (
    CatalogPolicy,
    Category,
    Product,
    ProductStock,
    UpsellOffer,
    UpsellOutcome,
    UpsellRule,
)
from .services.stock import reserved_by_product


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


@dataclass(frozen=True)
class ProductStockView:
    """A product with what it holds, what is promised and what may still be promised."""

    product: Product
    stock: dict[str, int]
    reserved: int

    @property
    def available(self) -> int:
        return max(self.product.stock_quantity - self.reserved, 0)


def products_with_stock(*, store_id: int, skus: Sequence[str]) -> dict[str, ProductStockView]:
    """By SKU, the store's products among `skus` (unknown SKUs are absent)."""
    products = list(
        Product.objects.filter(store_id=store_id, sku__in=skus)
        .select_related("category")
        .prefetch_related(Prefetch("stocks", queryset=ProductStock.objects.order_by("warehouse")))
    )
    return _views(products)


def _views(products: list[Product]) -> dict[str, ProductStockView]:
    reserved = reserved_by_product(product_ids=[p.pk for p in products])
    return {
        p.sku: ProductStockView(
            product=p,
            stock={s.warehouse: s.quantity for s in p.stocks.all()},
            reserved=reserved.get(p.pk, 0),
        )
        for p in products
    }


def catalog_policy_of(*, store_id: int) -> CatalogPolicy:
    """The store's catalog settings; the defaults while none are saved."""
    return CatalogPolicy.objects.filter(store_id=store_id).first() or CatalogPolicy(
        store_id=store_id
    )


@dataclass(frozen=True)
class Alternative:
    view: ProductStockView
    rank: int
    price_difference: Decimal


def product_alternatives(
    *, store_id: int, sku: str, attributes: dict[str, Any] | None = None, limit: int = 10
) -> list[Alternative]:
    """In-stock products that can stand in for `sku`, best first.

    A candidate is an active product of the same category whose price is within the store's
    band around the product's price, that has units available, and that matches the item on
    every attribute the category requires (`attributes`: the order item's own, else the
    product's). Ranked by the number of the product's other attributes it shares (more first),
    then by the price distance (smaller first), then by available units (more first)."""
    product = Product.objects.select_related("category").filter(store_id=store_id, sku=sku).first()
    if product is None or product.category_id is None:
        return []
    wanted = {**product.attributes, **(attributes or {})}
    band = product.price * catalog_policy_of(store_id=store_id).alternative_price_band_percent / 100
    candidates = list(
        Product.objects.filter(
            store_id=store_id,
            category_id=product.category_id,
            is_active=True,
            price__gte=product.price - band,
            price__lte=product.price + band,
        )
        .exclude(pk=product.pk)
        .select_related("category")
        .prefetch_related(Prefetch("stocks", queryset=ProductStock.objects.order_by("warehouse")))
    )
    required = list(product.category.required_attributes or [])
    views = [
        v
        for v in _views(candidates).values()
        if v.available > 0 and all(_required_met(v.product, wanted, a) for a in required)
    ]
    views.sort(key=lambda v: _rank_key(v, wanted=wanted, required=required, price=product.price))
    return [
        Alternative(view=v, rank=n, price_difference=v.product.price - product.price)
        for n, v in enumerate(views[:limit], start=1)
    ]


def _required_met(candidate: Product, wanted: dict[str, Any], name: str) -> bool:
    """A required attribute the item does not state cannot rule a candidate out."""
    return wanted.get(name) is None or _same(candidate.attributes.get(name), wanted[name])


def _same(a: Any, b: Any) -> bool:
    return (
        a is not None and b is not None and str(a).strip().casefold() == str(b).strip().casefold()
    )


def _rank_key(view: ProductStockView, *, wanted: dict, required: list[str], price: Decimal):
    others = [k for k in wanted if k not in required]
    shared = sum(_same(view.product.attributes.get(k), wanted[k]) for k in others)
    return (-shared, abs(view.product.price - price), -view.available, view.product.sku)


def upsell_rules_for(
    *, store_id: int, skus: Sequence[str], categories: Sequence[str]
) -> list[UpsellRule]:
    """The store's active rules an order with these SKUs and category codes triggers, one per
    product offered, leaving out products the order already has or that none are left of."""
    rules = (
        UpsellRule.objects.filter(store_id=store_id, is_active=True, offer__is_active=True)
        .filter(Q(when_sku__in=skus) | Q(when_category__code__in=categories))
        .exclude(offer__sku__in=skus)
        .select_related("offer", "when_category")
        .order_by("pk")
    )
    chosen: dict[str, UpsellRule] = {}
    for rule in rules:
        chosen.setdefault(rule.offer.sku, rule)
    views = _views([r.offer for r in chosen.values()])
    return [r for r in chosen.values() if views[r.offer.sku].available > 0]


def upsell_revenue_by_operator_day(
    *, store_ids: Sequence[int], start: datetime, end: datetime, timezone: str
) -> list[dict[str, Any]]:
    """Accepted upsell revenue per operator and local day (`timezone`) in [start, end):
    [{"operator_id", "day", "offers", "accepted", "revenue"}], for the reports."""
    rows = (
        UpsellOffer.objects.filter(store_id__in=store_ids, at__gte=start, at__lt=end)
        .annotate(day=TruncDate("at", tzinfo=ZoneInfo(timezone)))
        .values("operator_id", "day")
        .annotate(
            offers=Count("pk"),
            accepted=Count("pk", filter=Q(outcome=UpsellOutcome.ACCEPTED)),
            revenue=Coalesce(
                Sum("revenue", filter=Q(outcome=UpsellOutcome.ACCEPTED)), Decimal("0")
            ),
        )
        .order_by("day", "operator_id")
    )
    return list(rows)


def accepted_upsells_between(
    *, store_ids: Sequence[int], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Each accepted upsell offer in [start, end): order, when, revenue added, operator (the
    reports' upsell revenue)."""
    return list(
        UpsellOffer.objects.filter(
            store_id__in=store_ids, at__gte=start, at__lt=end, outcome=UpsellOutcome.ACCEPTED
        ).values("order_id", "at", "revenue", "operator_id")
    )
