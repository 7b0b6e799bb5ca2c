from django.contrib import admin

from .models import Store, StoreApiKey


class StoreApiKeyInline(admin.TabularInline):
    model = StoreApiKey
    fields = ("key_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # keys are issued by `orderdesk createstore` / the service, shown once


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "default_timezone", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("is_active", "require_two_factor")
    inlines = [StoreApiKeyInline]
