"""Admin screens for localities, carriers and their delivery zones: the terms are data (architecture: Delivery promise)."""

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Carrier, Country, DeliveryZone, Locality, LocalityName
from .promise import delivery_dates
from .services import locality_save

# The zone a country-wide row is previewed in.
COUNTRY_PREVIEW_TIMEZONE = {Country.KZ: "Asia/Almaty", Country.RU: "Europe/Moscow"}


class LocalityForm(forms.ModelForm):
    aliases = forms.CharField(
        label=_("other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: old names, spellings, transliterations."),
    )
    timezone = forms.ChoiceField(
        label=_("time zone"), choices=[(z, z) for z in sorted(available_timezones())]
    )

    class Meta:
        model = Locality
        fields = ("country", "region", "name_ru", "name_kk", "name_en", "timezone", "aliases")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["aliases"] = "\n".join(self.instance.aliases)

    def clean_aliases(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["aliases"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class LocalityNameInline(admin.TabularInline):
    model = LocalityName
    fields = ("key",)
    readonly_fields = ("key",)
    extra = 0
    can_delete = False
    verbose_name = _("matched name")
    verbose_name_plural = _("names orders are matched on (rebuilt on save)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    form = LocalityForm
    list_display = ("name_ru", "name_kk", "name_en", "country", "region", "timezone")
    list_filter = ("country", "timezone", "region")
    search_fields = ("name_ru", "name_kk", "name_en", "names__key")
    inlines = [LocalityNameInline]

    def save_model(self, request, obj, form, change) -> None:
        locality_save(locality=obj)


class DeliveryZoneInline(admin.TabularInline):
    model = DeliveryZone
    fields = (
        "country",
        "locality",
        "lead_days",
        "cutoff",
        "weekdays",
        "skips_holidays",
        "intervals",
        "is_active",
    )
    autocomplete_fields = ("locality",)
    extra = 0


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    inlines = [DeliveryZoneInline]


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(admin.ModelAdmin):
    list_display = (
        "carrier",
        "country",
        "locality_label",
        "lead_days",
        "cutoff",
        "weekdays",
        "skips_holidays",
        "intervals",
        "is_active",
    )
    list_filter = ("carrier", "country", "is_active", "skips_holidays")
    list_select_related = ("carrier", "locality")
    search_fields = ("locality__name_ru", "locality__name_en", "carrier__name", "carrier__code")
    autocomplete_fields = ("locality",)
    fields = (
        "carrier",
        "country",
        "locality",
        "lead_days",
        "cutoff",
        "weekdays",
        "skips_holidays",
        "intervals",
        "is_active",
        "dates_preview",
    )
    readonly_fields = ("dates_preview",)

    @admin.display(description=_("locality"), ordering="locality__name_ru")
    def locality_label(self, zone: DeliveryZone) -> str:
        return zone.locality.name_ru if zone.locality_id else _("* every other locality")

    @admin.display(description=_("dates for a confirmation now"))
    def dates_preview(self, zone: DeliveryZone) -> str:
        if not zone.pk:
            return "—"
        zone_name = (
            zone.locality.timezone if zone.locality_id else COUNTRY_PREVIEW_TIMEZONE[zone.country]
        )
        now: datetime = timezone.now()
        dates = delivery_dates(terms=zone.terms(), at=now, timezone=zone_name)
        local = now.astimezone(ZoneInfo(zone_name))
        rows = [
            (_("now"), f"{local:%Y-%m-%d %H:%M} ({zone_name})"),
            (_("earliest"), dates.earliest.isoformat()),
            (_("allowed"), ", ".join(day.isoformat() for day in dates.allowed) or "—"),
        ]
        return format_html_join("", "<div><b>{}:</b> {}</div>", rows)
