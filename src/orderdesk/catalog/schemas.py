"""A product as the stores send it and as the API answers it (architecture: Catalog and stock)."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from orderdesk.core.schemas import Money

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Warehouse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
DEFAULT_WAREHOUSE = "main"


class ProductIn(BaseModel):
    """`stock` is a count per warehouse code; a bare number is the store's one warehouse."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    price: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    attributes: dict[str, Any] = Field(default_factory=dict)
    stock: dict[Warehouse, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        examples=[{"almaty-1": 4, "astana": 0}],
        description="units per warehouse code; a bare number is the one warehouse `main`",
    )
    active: bool = True

    @field_validator("stock", mode="before")
    @classmethod
    def _one_warehouse(cls, value: Any) -> Any:
        is_count = isinstance(value, int) and not isinstance(value, bool)
        return {DEFAULT_WAREHOUSE: value} if is_count else value

    def stock_by_warehouse(self) -> dict[str, int]:
        return self.stock


class ProductBulkItemIn(ProductIn):
    sku: Sku


class ProductOut(BaseModel):
    sku: str
    name: str
    category: str
    price: Money
    attributes: dict[str, Any]
    stock: dict[str, int] = Field(description="units per warehouse")
    in_stock: int = Field(description="units in all warehouses")
    reserved: int = Field(description="units promised to confirmed orders not yet shipped")
    available: int = Field(description="in_stock − reserved: what may still be promised")
    active: bool


class AlternativeOut(ProductOut):
    rank: int = Field(description="1 is the best match")
    price_difference: Money = Field(description="the alternative's price minus the product's")


class BulkResultOut(BaseModel):
    index: int
    sku: str | None
    ok: bool
    created: bool | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class BulkOut(BaseModel):
    results: list[BulkResultOut]
