"""Orders in the admin are read-only: every change goes through the services (and the timeline)."""

from django.contrib import admin

from orderdesk.core.phones import phone_mask

from .models import Order, OrderEvent, OrderItem, ViewedVia
from .services import orders_view_record


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


class ViewsRecordedMixin:
    """A change page that shows a customer's personal data (the customer, the address, a call's
    notes) is a view of each order it concerns, recorded when it is shown (a GET that found the
    record), like the workspace's order page. The admin class names the orders."""

    def viewed_orders(self, obj) -> list[Order]:
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        obj = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            orders_view_record(
                orders=self.viewed_orders(obj), actor=request.user, via=ViewedVia.ADMIN
            )
        return response


@admin.register(Order)
class OrderAdmin(ViewsRecordedMixin, admin.ModelAdmin):
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

    def viewed_orders(self, obj: Order) -> list[Order]:
        return [obj]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
