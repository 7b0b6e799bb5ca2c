from django.contrib import admin

from .models import Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "store", "required_attributes")
    list_filter = ("store",)
    search_fields = ("name", "code")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "store", "category", "price", "stock_quantity", "is_active")
    list_filter = ("store", "is_active", "category")
    search_fields = ("sku", "name")
