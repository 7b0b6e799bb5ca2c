"""Orders in the admin are read-only: every change goes through the services (and the timeline)."""

from django.contrib import admin, messages
from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orderdesk.core.phones import phone_mask

from .models import Customer, Order, OrderEvent, OrderItem, ViewedVia
from .selectors import customer_export_data
from .services import orders_view_record
from .services.privacy import ErasureReason, customers_erase


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


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Customers by store: no personal data in the list (the phone masked); export and erasure
    per customer (SPEC: Personal data) as actions."""

    list_display = ("pk", "store", "masked_phone", "created_at", "erased_at")
    list_filter = ("store",)
    search_fields = ("=phone",)
    actions = ("export", "erase")
    fields = ("store", "language", "created_at", "erased_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("phone"))
    def masked_phone(self, customer: Customer) -> str:
        return "—" if customer.erased_at else phone_mask(customer.phone)

    @admin.action(description=_("Export everything held about them (JSON)"))
    def export(self, request, queryset):
        answer = []
        for customer in queryset.select_related("store").order_by("pk"):
            data, orders = customer_export_data(customer=customer)
            orders_view_record(orders=orders, actor=request.user, via=ViewedVia.EXPORT)
            answer.append(data)
        response = JsonResponse(
            {"customers": answer}, json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        response["Content-Disposition"] = 'attachment; filename="customers.json"'
        return response

    @admin.action(description=_("Erase their personal data"))
    def erase(self, request, queryset):
        counts = customers_erase(
            customers=list(queryset), reason=ErasureReason.ADMIN, actor=request.user
        )
        messages.success(
            request,
            gettext("Erased: %(customers)d customers, %(orders)d orders.") % counts,
        )
