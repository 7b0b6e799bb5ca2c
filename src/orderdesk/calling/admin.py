"""Admin: each store's calling policy is edited here; leases, attempts and operator states are
records (read-only: they are written by the calling services only)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orderdesk.orders.admin import ViewsRecordedMixin
from orderdesk.orders.models import Order

from .models import (
    CallAttempt,
    CallingPolicy,
    CallResult,
    CallTask,
    Lease,
    OperatorStateSlice,
    QueueTier,
)
from .rules import windows_parse


class CallingPolicyForm(forms.ModelForm):
    class Meta:
        model = CallingPolicy
        fields = (
            "store", "windows", "holidays_off", "retry_rules", "min_gap_minutes",
            "callback_grace_minutes", "pending_check_minutes", "lease_seconds", "cancel_reasons",
            "priorities",
        )  # fmt: skip

    def clean_windows(self):
        raw = self.cleaned_data["windows"] or {}
        try:
            windows = windows_parse(raw)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(
                _('Write {"1": ["10:00", "19:00"], …, "7": null} (ISO weekdays).')
            ) from exc
        for day, window in windows.items():
            if day not in range(1, 8):
                raise ValidationError(_("Weekdays are 1 (Monday) to 7 (Sunday)."))
            if window is not None and not window[0] < window[1]:
                raise ValidationError(
                    _("Day %(day)s: the window must end after it starts.") % {"day": day}
                )
        return raw

    def clean_priorities(self):
        raw = self.cleaned_data["priorities"] or []
        if not isinstance(raw, list) or any(t not in QueueTier.values for t in raw):
            raise ValidationError(
                _("A list of tiers, most urgent first: %(names)s.")
                % {"names": ", ".join(QueueTier.values)}
            )
        return raw

    def clean_retry_rules(self):
        raw = self.cleaned_data["retry_rules"] or {}
        unknown = sorted(set(raw) - set(CallResult.values))
        if unknown:
            raise ValidationError(_("Unknown results: %(names)s.") % {"names": ", ".join(unknown)})
        return raw


@admin.register(CallingPolicy)
class CallingPolicyAdmin(admin.ModelAdmin):
    form = CallingPolicyForm
    list_display = (
        "store",
        "holidays_off",
        "min_gap_minutes",
        "callback_grace_minutes",
        "lease_seconds",
    )
    search_fields = ("store__name", "store__slug")
    fieldsets = (
        (None, {"fields": ("store",)}),
        (_("Calling window"), {"fields": ("windows", "holidays_off")}),
        (
            _("Retries and callbacks"),
            {
                "fields": (
                    "retry_rules",
                    "min_gap_minutes",
                    "callback_grace_minutes",
                    "pending_check_minutes",
                    "lease_seconds",
                    "priorities",
                )
            },
        ),
        (_("Cancellation"), {"fields": ("cancel_reasons",)}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Lease)
class LeaseAdmin(ViewsRecordedMixin, ReadOnlyAdmin):
    list_display = ("id", "operator", "store", "claimed_at", "expires_at", "ended_at", "end_reason")
    list_filter = ("end_reason", "store")
    raw_id_fields = ("customer",)

    def viewed_orders(self, obj: Lease) -> list[Order]:
        return list(Order.objects.filter(pk__in=obj.order_ids))


@admin.register(CallTask)
class CallTaskAdmin(ViewsRecordedMixin, ReadOnlyAdmin):
    list_display = ("order", "purpose", "state", "due_at", "attempts_count", "callback_user")
    list_filter = ("purpose", "state", "store")
    raw_id_fields = ("order", "customer", "lease", "callback_user")
    list_select_related = ("order", "callback_user")
    show_full_result_count = False

    def viewed_orders(self, obj: CallTask) -> list[Order]:
        return [obj.order]


@admin.register(CallAttempt)
class CallAttemptAdmin(ViewsRecordedMixin, ReadOnlyAdmin):
    list_display = ("started_at", "ended_at", "operator", "store", "result")
    list_filter = ("result", "store")
    raw_id_fields = ("customer", "lease", "orders", "tasks")

    def viewed_orders(self, obj: CallAttempt) -> list[Order]:
        return list(obj.orders.all())


@admin.register(OperatorStateSlice)
class OperatorStateSliceAdmin(ReadOnlyAdmin):
    list_display = ("operator", "state", "pause_code", "started_at", "ended_at")
    list_filter = ("state", "pause_code")
