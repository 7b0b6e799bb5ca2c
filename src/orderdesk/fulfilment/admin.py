"""Dispatches in the admin: read-only (a dispatch is made by its service, from the screen or
the API); the orders by number only, no personal data."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Dispatch


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "store",
        "carrier",
        "delivery_on",
        "orders_count",
        "created_by_label",
    )
    list_filter = ("store", "carrier")
    date_hierarchy = "delivery_on"
    fields = ("store", "carrier", "delivery_on", "created_by_label", "created_at", "order_numbers")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store", "carrier")

    @admin.display(description=_("orders"))
    def orders_count(self, obj: Dispatch) -> int:
        return obj.entries.count()

    @admin.display(description=_("order numbers"))
    def order_numbers(self, obj: Dispatch) -> str:
        return ", ".join(obj.entries.values_list("order__external_id", flat=True))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
