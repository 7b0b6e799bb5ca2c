"""Admin: each store's messaging settings and templates are edited here; messages and opt-outs
are records (written by the messaging services only)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orderdesk.core.phones import phone_mask

from .models import Channel, Message, MessageTemplate, OptOut, StoreMessaging, TelegramLink
from .rendering import PLACEHOLDERS, template_errors


class StoreMessagingForm(forms.ModelForm):
    class Meta:
        model = StoreMessaging
        fields = (
            "store", "is_enabled", "channels", "sender_name", "unreachable_after_attempts",
            "rate_limit_per_day", "self_service_days", "quiet_hours_follow_calling_window",
        )  # fmt: skip

    def clean_channels(self):
        names = [name.strip() for name in self.cleaned_data["channels"].split(",") if name.strip()]
        unknown = [name for name in names if name not in Channel.values]
        if unknown or not names:
            raise ValidationError(
                _("Comma-separated channels among: %(names)s.")
                % {"names": ", ".join(Channel.values)}
            )
        return ",".join(dict.fromkeys(names))


@admin.register(StoreMessaging)
class StoreMessagingAdmin(admin.ModelAdmin):
    form = StoreMessagingForm
    list_display = ("store", "is_enabled", "channels", "unreachable_after_attempts")


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = (
            "store",
            "event",
            "language",
            "subject",
            "body",
            "is_legally_required",
            "whatsapp_name",
            "whatsapp_language",
        )
        help_texts = {
            "body": _("Placeholders: %(names)s. A line whose placeholder has no value is left out.")
            % {"names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)}
        }

    def _text_clean(self, name: str) -> str:
        text = self.cleaned_data[name]
        problems = template_errors(text)
        if problems:
            raise ValidationError("; ".join(problems))
        return text

    def clean_subject(self):
        return self._text_clean("subject")

    def clean_body(self):
        return self._text_clean("body")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("event", "language", "store", "is_legally_required")
    list_filter = ("event", "language", "store")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "direction")
    list_filter = ("status", "channel", "event", "direction")
    readonly_fields = [f.name for f in Message._meta.fields]

    @admin.display(description=_("to"))
    def recipient(self, message: Message) -> str:
        if message.channel == Channel.SMS:
            return phone_mask(message.to)
        if message.channel == Channel.TELEGRAM:
            return "Telegram"
        local, _at, domain = message.to.partition("@")
        return f"{local[:1]}…@{domain}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("customer", "via", "created_at")
    readonly_fields = ("customer", "via", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TelegramLink)
class TelegramLinkAdmin(admin.ModelAdmin):
    list_display = ("customer", "created_at")
    readonly_fields = ("customer", "chat_id", "created_at")

    def has_add_permission(self, request) -> bool:
        return False
