from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import user_role_rights_apply
from .two_factor import user_two_factor_reset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "first_name", "last_name", "is_active", "last_login")
    list_filter = ("role", "is_active", "stores")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Contact center"), {"fields": ("role", "stores", "languages", "interface_language")}),
    )
    filter_horizontal = ("stores", "groups", "user_permissions")
    actions = ["two_factor_reset"]

    @admin.action(description=_("Reset two-factor devices (a lost phone)"), permissions=["change"])
    def two_factor_reset(self, request, queryset):
        for user in queryset:
            user_two_factor_reset(user=user)
        self.message_user(
            request,
            _(
                "Two-factor devices removed for %(count)d users; they set up a new one at their next sign-in where required."
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        user_role_rights_apply(user=obj)  # a role change moves the admin-site rights with it
        super().save_model(request, obj, form, change)
