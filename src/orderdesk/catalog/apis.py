"""The catalog router: products and their stock, pushed by the store (architecture: Catalog and
stock; SPEC §11 "Catalog and stock")."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router
from pydantic import BaseModel, Field

from orderdesk.accounts.principals import store_of
from orderdesk.core.errors import NotFoundError, ValidationFailed
from orderdesk.core.openapi import json_body
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import json_checked, json_parse, json_problems

from .schemas import AlternativeOut, BulkOut, ProductBulkItemIn, ProductIn, ProductOut
from .selectors import ProductStockView, product_alternatives, products_with_stock
from .services import ProductChange, product_payload_errors, product_upsert, products_upsert

router = Router(tags=["catalog"])
BULK_MAX = 1000
PRODUCT_NOT_FOUND = "product_not_found"
SKU_DUPLICATE = "sku_duplicate"
SKU_PATH = Path(..., min_length=1, max_length=100, description="the store's SKU")


class ProductsBulkIn(BaseModel):
    products: list[ProductBulkItemIn] = Field(min_length=1, max_length=BULK_MAX)


def product_data(view: ProductStockView) -> dict[str, Any]:
    p = view.product
    return {
        "sku": p.sku,
        "name": p.name,
        "category": p.category.code if p.category_id else "",
        "price": f"{p.price:.2f}",
        "attributes": p.attributes,
        "stock": view.stock,
        "in_stock": p.stock_quantity,
        "reserved": view.reserved,
        "available": view.available,
        "active": p.is_active,
    }


def _view(store_id: int, sku: str) -> ProductStockView:
    view = products_with_stock(store_id=store_id, skus=[sku]).get(sku)
    if view is None:
        raise NotFoundError(PRODUCT_NOT_FOUND, _("sku: no such product in this store"))
    return view


# Before the routes by SKU, so that /bulk is not read as a SKU.
@router.post(
    "/bulk",
    response={200: BulkOut, **error_responses(401, 403, 413, 422)},
    summary="Create or replace up to 1,000 products; valid ones are stored even when others fail",
    openapi_extra=json_body(ProductsBulkIn),
)
def products_bulk(request: HttpRequest):
    store = store_of(request)
    body = json_parse(request.body)
    items = body.get("products") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or len(items) > BULK_MAX:
        message = _("a list of 1 to %(max)s products") % {"max": BULK_MAX}
        raise ValidationFailed([{"field": "products", "code": "invalid", "message": message}])
    results, changes = _bulk_checked(items)
    created = products_upsert(store=store, changes=list(changes.values()))
    for result in results:
        if result["ok"]:
            result["created"] = result["sku"] in created
    return {"results": results}


def _bulk_checked(items: list[Any]) -> tuple[list[dict], dict[str, ProductChange]]:
    """Each item on its own: its result (errors named within the item, as the order bulk
    does), and the valid changes by SKU (a SKU twice: the second fails, so that a request says
    one thing about each product)."""
    results, changes = [], {}
    for index, item in enumerate(items):
        problems = json_problems(item)
        data, errors = (
            (None, problems) if problems else product_payload_errors(item, ProductBulkItemIn)
        )
        sku = data.sku if data else (item.get("sku") if isinstance(item, dict) else None)
        if data and data.sku in changes:
            message = _("this SKU is already in the request")
            errors = [{"field": "sku", "code": SKU_DUPLICATE, "message": message}]
        if not errors:
            changes[data.sku] = ProductChange.of(data.sku, data)
        sku = sku if isinstance(sku, str) else None
        results.append({"index": index, "sku": sku, "ok": not errors, "errors": errors or []})
    return results, changes


@router.put(
    "/{sku}",
    response={200: ProductOut, 201: ProductOut, **error_responses(401, 403, 413, 422)},
    summary="Create or replace a product, its stock per warehouse included",
    openapi_extra=json_body(ProductIn),
)
def product_put(request: HttpRequest, sku: str = SKU_PATH):
    store = store_of(request)
    data, errors = product_payload_errors(json_checked(request.body))
    if errors:
        raise ValidationFailed(errors)
    _product, created = product_upsert(store=store, sku=sku.strip(), data=data)
    return (201 if created else 200), product_data(_view(store.pk, sku.strip()))


@router.get(
    "/{sku}",
    response={200: ProductOut, **error_responses(401, 403, 404, 422)},
    summary="A product with its stock, the units reserved and the units available",
)
def product_get(request: HttpRequest, sku: str = SKU_PATH):
    store = store_of(request)
    return product_data(_view(store.pk, sku))


@router.get(
    "/{sku}/alternatives",
    response={200: list[AlternativeOut], **error_responses(401, 403, 404, 422)},
    summary="In-stock products that can replace this one, best first",
    description="Same category, every attribute the category requires matching, price within "
    "the store's band, units available. Ranked by other attributes shared, then price distance.",
)
def product_alternatives_get(request: HttpRequest, sku: str = SKU_PATH):
    store = store_of(request)
    _view(store.pk, sku)
    return [
        {**product_data(a.view), "rank": a.rank, "price_difference": f"{a.price_difference:.2f}"}
        for a in product_alternatives(store_id=store.pk, sku=sku)
    ]
