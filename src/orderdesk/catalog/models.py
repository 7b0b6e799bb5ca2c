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
    """What a store sells: operators add these to an order during the call (cross-sell, upsell).

    `stock_quantity` is the sum of the product's warehouse rows (`ProductStock`), kept by the
    one service that writes stock (catalog.services.product_upsert); what may still be promised
    is that minus the open reservations (`available`, catalog.selectors)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=100)
    external_id = models.CharField(
        _("1C id"), max_length=200, blank=True, help_text=_("The product's Ид in CommerceML.")
    )
    name = models.CharField(_("name"), max_length=300)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    stock_quantity = models.IntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku"], name="catalog_product_store_sku_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_product_price_not_negative"
            ),
        ]
        indexes = [
            # an offer that names its product by Ид only: catalog.commerceml
            models.Index(
                fields=["store", "external_id"],
                condition=~models.Q(external_id=""),
                name="catalog_product_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductStock(models.Model):
    """How many units of a product one warehouse of the store holds."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stocks")
    warehouse = models.CharField(_("warehouse"), max_length=100)
    quantity = models.IntegerField(_("quantity"))

    class Meta:
        verbose_name = _("stock in a warehouse")
        verbose_name_plural = _("stock in warehouses")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="catalog_stock_product_warehouse_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="catalog_stock_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse}: {self.quantity}"


class Reservation(models.Model):
    """Units of a product promised to a confirmed order, held until the order ships, is
    cancelled or returned. The order is named by id only: catalog sits below orders."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reservations")
    order_id = models.UUIDField(_("order"), db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["order_id", "product"], name="catalog_reservation_order_product_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="catalog_reservation_quantity_positive"
            ),
        ]
        # reserved per product: catalog.selectors.reserved_by_product
        indexes = [models.Index(fields=["product"], name="catalog_reservation_product")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.quantity}"


class CatalogPolicy(BaseModel):
    """A store's catalog settings: how far an alternative's price may stray, which 1C price
    type is the selling price."""

    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="catalog_policy"
    )
    alternative_price_band_percent = models.PositiveSmallIntegerField(
        _("alternative price band, %"),
        default=20,
        help_text=_("An alternative may cost at most this much more or less than the item."),
    )
    price_type = models.CharField(
        _("1C price type"),
        max_length=200,
        blank=True,
        help_text=_("The name of the CommerceML price type that is the selling price; "
                    "empty: the first price type of the offers file."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("catalog policy")
        verbose_name_plural = _("catalog policies")


class StockSubscription(BaseModel):
    """A customer waiting for a product to come back in stock; `notified_at` is set when the
    back-in-stock call was opened."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="subscriptions")
    order_id = models.UUIDField(_("order"))
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-in-stock subscription")
        verbose_name_plural = _("back-in-stock subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "order_id"],
                condition=models.Q(notified_at__isnull=True),
                name="catalog_subscription_waiting_unique",
            )
        ]
        # waiting subscribers of a product: catalog.services.stock_arrived
        indexes = [
            models.Index(
                fields=["product"],
                condition=models.Q(notified_at__isnull=True),
                name="catalog_subscription_waiting",
            )
        ]


class UpsellRule(BaseModel):
    """When an order has a product of `when_category` (or the SKU `when_sku`), the operator
    offers `offer`, saying the phrase in the customer's language."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="upsell_rules")
    when_category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("when category")
    )
    when_sku = models.CharField(_("when SKU"), max_length=100, blank=True)
    offer = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("offer")
    )
    phrase_ru = models.TextField(_("phrase (Russian)"))
    phrase_kk = models.TextField(_("phrase (Kazakh)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("upsell rule")
        verbose_name_plural = _("upsell rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(when_category__isnull=False) | ~models.Q(when_sku=""),
                name="catalog_upsell_rule_has_a_trigger",
            )
        ]

    def __str__(self) -> str:
        return f"{self.when_sku or self.when_category} → {self.offer.sku}"

    def phrase(self, language: str) -> str:
        return (self.phrase_kk if language == "kk" else "") or self.phrase_ru


class UpsellOutcome(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class UpsellOffer(models.Model):
    """What became of one rule's offer in one order, by the operator who made it; `revenue` is
    what an accepted offer added to the order. Reports sum it by operator and day
    (catalog.selectors.upsell_revenue_by_operator_day)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(UpsellRule, on_delete=models.SET_NULL, null=True, related_name="+")
    order_id = models.UUIDField(_("order"))
    sku = models.CharField(_("SKU offered"), max_length=100)
    operator = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("operator")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=UpsellOutcome.choices)
    revenue = models.DecimalField(_("revenue added"), max_digits=14, decimal_places=2, default=0)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("upsell offer")
        verbose_name_plural = _("upsell offers")
        constraints = [
            models.UniqueConstraint(fields=["order_id", "sku"], name="catalog_upsell_offer_once"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=UpsellOutcome.values),
                name="catalog_upsell_offer_outcome_valid",
            ),
        ]
        # revenue by operator and day: catalog.selectors.upsell_revenue_by_operator_day
        indexes = [models.Index(fields=["store", "at"], name="catalog_upsell_offer_store_at")]

    def __str__(self) -> str:
        return f"{self.sku}: {self.outcome}"
