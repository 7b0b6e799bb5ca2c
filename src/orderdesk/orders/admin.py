"""Orders in the admin are read-only: every change goes through the services (and the timeline)."""

from django.contrib import admin

from orderdesk.core.phones import phone_mask

from .models import Order, OrderEvent, OrderItem, ViewedVia
from .services import order_view_record


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ("sku", "name", "category", "quantity", "price", "attributes", "added_by_operator")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "type", "actor", "actor_label", "data")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "external_id",
        "store",
        "status",
        "locality_name",
        "masked_phone",
        "created_at",
    )
    list_filter = ("status", "store", "source", "needs_address_check")
    search_fields = ("external_id",)
    list_select_related = ("store", "customer")
    inlines = [OrderItemInline, OrderEventInline]
    show_full_result_count = False

    @admin.display(description="phone")
    def masked_phone(self, order: Order) -> str:
        return phone_mask(order.customer.phone)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change page shows the customer and the address: a view, recorded when it is
        shown (a GET that found the order), like the workspace's order page."""
        response = super().change_view(request, object_id, form_url, extra_context)
        order = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and order is not None:
            order_view_record(order=order, actor=request.user, via=ViewedVia.ADMIN)
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
