"""Every write to the catalog. Callers import from here: `from orderdesk.catalog.services import …`."""

from .products import (
    PRODUCT_INVALID,
    ProductChange,
    product_payload_errors,
    product_upsert,
    products_upsert,
)
from .stock import (
    STOCK_INSUFFICIENT,
    StockLine,
    stock_release,
    stock_reserve,
    stock_subscribe,
)

__all__ = [
    "PRODUCT_INVALID",
    "STOCK_INSUFFICIENT",
    "ProductChange",
    "StockLine",
    "product_payload_errors",
    "product_upsert",
    "products_upsert",
    "stock_release",
    "stock_reserve",
    "stock_subscribe",
]
