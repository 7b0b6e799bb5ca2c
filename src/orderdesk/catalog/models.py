from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


class Category(BaseModel):
    """A store's product category and the attributes an order item of it must carry."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    required_attributes = models.JSONField(
        _("required attributes"),
        default=list,
        blank=True,
        help_text=_('Attribute names an item of this category must have, e.g. ["fabric"].'),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "code"], name="catalog_category_store_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Product(BaseModel):
    """What a store sells: operators add these to an order during the call (cross-sell, upsell)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    stock_quantity = models.IntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku"], name="catalog_product_store_sku_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
