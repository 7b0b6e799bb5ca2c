"""Staff views of integrations: endpoints and their delivery log, connections, order imports
(with the import page for supervisors and admins)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Connection,
    OrderImport,
    ProductImport,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookLogEntry,
)
from .selectors import import_stores_for
from .services import webhook_endpoint_update, webhook_replay
from .views import (
    order_import_preview_page,
    order_import_run_view,
    order_import_upload,
    product_import_preview_page,
    product_import_run_view,
    product_import_upload,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = (
        "url", "store", "is_active", "failing_since", "disabled_at", "created_at", "log_link",
    )  # fmt: skip
    list_filter = ("is_active", "store")
    search_fields = ("url", "store__name")
    fields = (
        "store", "url", "events", "description", "is_active", "disabled_at", "disabled_reason",
        "failing_since", "previous_secret_expires_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields  # edits go through the services (the API), which check the URL
    actions = ("enable", "replay_last_day")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delivery log"))
    def log_link(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:integrations_webhooklogentry_changelist")
        return format_html('<a href="{}?endpoint__id__exact={}">{}</a>', url, endpoint.pk, _("log"))

    @admin.action(description=_("Enable (resume owed deliveries)"))
    def enable(self, request, queryset):
        for endpoint in queryset:
            webhook_endpoint_update(
                endpoint=endpoint, changes={"is_active": True}, by=f"staff ({request.user})"
            )
        messages.success(request, _("Enabled."))

    @admin.action(description=_("Send the events of the last 24 hours again"))
    def replay_last_day(self, request, queryset):
        since = timezone.now() - timedelta(days=1)
        count = sum(webhook_replay(endpoint=e, since=since) for e in queryset)
        messages.success(request, _("%(count)d deliveries scheduled.") % {"count": count})


@admin.register(WebhookLogEntry)
class WebhookLogEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "endpoint", "kind", "event_type", "attempt", "response_status",
        "duration_ms", "outcome", "error",
    )  # fmt: skip
    list_filter = ("kind", "outcome", "endpoint__store", "endpoint")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event_id", "endpoint", "status", "attempts", "next_attempt_at", "last_response_status",
        "delivered_at",
    )  # fmt: skip
    list_filter = ("status", "endpoint__store")
    search_fields = ("event__id", "order_id")
    list_select_related = ("endpoint",)
    actions = ("replay",)

    @admin.action(description=_("Send again (same webhook-id)"))
    def replay(self, request, queryset):
        for delivery in queryset.select_related("endpoint"):
            webhook_replay(endpoint=delivery.endpoint, event_id=delivery.event_id)
        messages.success(request, _("Scheduled."))


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ("platform", "name", "store", "token_prefix", "is_active", "last_received_at")
    list_filter = ("platform", "is_active")
    fields = ("store", "platform", "name", "token_prefix", "is_active", "last_received_at")


@admin.register(OrderImport)
class OrderImportAdmin(ReadOnlyAdmin):
    """Supervisors see their stores' imports here and reach the import page from the list."""

    list_display = (
        "file_name", "store", "status", "created_by", "created_count", "existing_count",
        "failed_count", "created_at",
    )  # fmt: skip
    list_filter = ("status",)
    fields = list_display
    change_list_template = "integrations/orderimport_changelist.html"

    def _may_import(self, request) -> bool:
        return getattr(request.user, "is_supervisor_or_admin", False)

    def has_module_permission(self, request):
        return self._may_import(request)

    def has_view_permission(self, request, obj=None):
        return self._may_import(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        stores = import_stores_for(user=request.user)
        return super().get_queryset(request).filter(store__in=stores).select_related("store")

    def get_urls(self):
        def page(view):
            def wrapped(request, *args, **kwargs):
                context = {**self.admin_site.each_context(request), "opts": self.model._meta}
                return view(request, *args, admin_context=context, **kwargs)

            return self.admin_site.admin_view(wrapped)

        return [
            path("upload/", page(order_import_upload), name="integrations_orderimport_upload"),
            path(
                "<uuid:import_id>/preview/",
                page(order_import_preview_page),
                name="integrations_orderimport_preview",
            ),
            path(
                "<uuid:import_id>/run/",
                page(order_import_run_view),
                name="integrations_orderimport_run",
            ),
            *super().get_urls(),
        ]


@admin.register(ProductImport)
class ProductImportAdmin(OrderImportAdmin):
    """A store's catalogue from a CSV or Excel file: upload, preview, import."""

    list_display = (
        "file_name", "store", "status", "created_by", "created_count", "updated_count",
        "failed_count", "created_at",
    )  # fmt: skip
    fields = list_display
    change_list_template = "integrations/productimport_changelist.html"

    def get_urls(self):
        def page(view):
            def wrapped(request, *args, **kwargs):
                context = {**self.admin_site.each_context(request), "opts": self.model._meta}
                return view(request, *args, admin_context=context, **kwargs)

            return self.admin_site.admin_view(wrapped)

        return [
            path("upload/", page(product_import_upload), name="integrations_productimport_upload"),
            path(
                "<uuid:import_id>/preview/",
                page(product_import_preview_page),
                name="integrations_productimport_preview",
            ),
            path(
                "<uuid:import_id>/run/",
                page(product_import_run_view),
                name="integrations_productimport_run",
            ),
            *admin.ModelAdmin.get_urls(self),
        ]
