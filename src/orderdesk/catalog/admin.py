from django.contrib import admin

from .models import (
    CatalogPolicy,
    Category,
    Product,
    ProductStock,
    StockSubscription,
    UpsellOffer,
    UpsellRule,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "store", "required_attributes")
    list_filter = ("store",)
    search_fields = ("name", "code")


class ProductStockInline(admin.TabularInline):
    model = ProductStock
    extra = 0
    readonly_fields = ("warehouse", "quantity")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Stock is written by the API and the imports (catalog.services), which keep the total and
    wake the customers waiting for it: here it is read-only."""

    list_display = ("sku", "name", "store", "category", "price", "stock_quantity", "is_active")
    list_filter = ("store", "is_active", "category")
    search_fields = ("sku", "name")
    readonly_fields = ("stock_quantity", "external_id")
    inlines = [ProductStockInline]


@admin.register(CatalogPolicy)
class CatalogPolicyAdmin(admin.ModelAdmin):
    list_display = ("store", "alternative_price_band_percent", "price_type")


@admin.register(UpsellRule)
class UpsellRuleAdmin(admin.ModelAdmin):
    list_display = ("store", "when_category", "when_sku", "offer", "is_active")
    list_filter = ("store", "is_active")
    raw_id_fields = ("offer", "when_category")


@admin.register(UpsellOffer)
class UpsellOfferAdmin(admin.ModelAdmin):
    list_display = ("at", "store", "operator", "sku", "outcome", "revenue")
    list_filter = ("store", "outcome")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(StockSubscription)
class StockSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("product", "order_id", "created_at", "notified_at")
    list_filter = ("notified_at",)
    raw_id_fields = ("product",)
