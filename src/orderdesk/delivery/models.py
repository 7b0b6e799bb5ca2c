from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel

from .promise import LEAD_DAYS_MAX, DeliveryTerms, intervals_parse, weekdays_parse


class Country(models.TextChoices):
    KZ = "KZ", _("Kazakhstan")
    RU = "RU", _("Russia")


class Locality(BaseModel):
    """A settlement orders are delivered to, with the IANA zone its customers live in."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.CharField(_("region"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (Latin)"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64)
    aliases = models.JSONField(_("other names"), default=list, blank=True)

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["country", "name_ru"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name_ru"], name="delivery_locality_country_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name_ru

    def all_names(self) -> list[str]:
        return [n for n in (self.name_ru, self.name_kk, self.name_en, *self.aliases) if n]


class LocalityName(models.Model):
    """Every name a locality is known by, folded (case, ё/е, spaces): the matching index."""

    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="names")
    key = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "locality"], name="delivery_localityname_key_unique"
            )
        ]
        indexes = [models.Index(fields=["key"], name="delivery_locname_key_idx")]  # locality_match

    def __str__(self) -> str:
        return self.key


class Carrier(BaseModel):
    """A delivery company; its terms per locality are delivery zones."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _weekdays_validate(value: str) -> None:
    try:
        weekdays_parse(value)
    except ValueError as exc:
        raise ValidationError(
            _("List ISO weekdays 1-7, e.g. 1-5, 1-6 or 1,3,5."), "invalid"
        ) from exc


def _intervals_validate(value: str) -> None:
    try:
        intervals_parse(value)
    except ValueError as exc:
        raise ValidationError(
            _("List time windows HH:MM-HH:MM separated by semicolons, in order."), "invalid"
        ) from exc


class DeliveryZone(BaseModel):
    """A carrier's terms for one locality, or (locality empty) for every other locality of a country.

    A locality's own row beats its country's row for the same carrier (DeliveryZoneIndex)."""

    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="zones", verbose_name=_("carrier")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_zones",
        verbose_name=_("locality"),
        help_text=_("Empty: every other locality of the country."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("lead days"),
        default=0,
        validators=[MaxValueValidator(LEAD_DAYS_MAX)],
        help_text=_("Days added to the start date: 0 is same day, 1 is next day."),
    )
    cutoff = models.TimeField(
        _("cut-off"),
        null=True,
        blank=True,
        help_text=_(
            "Local time from which a confirmation counts as made the next day. Empty: no cut-off."
        ),
    )
    weekdays = models.CharField(
        _("delivery weekdays"),
        max_length=20,
        default="1-6",
        validators=[_weekdays_validate],
        help_text=_("ISO weekdays (1 is Monday): 1-5, 1-6, 1,3,5."),
    )
    skips_holidays = models.BooleanField(_("no delivery on public holidays"), default=True)
    intervals = models.CharField(
        _("delivery intervals"),
        max_length=200,
        blank=True,
        validators=[_intervals_validate],
        help_text=_("Time windows, e.g. 10:00-14:00;14:00-18:00."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        ordering = ["carrier", "country", "locality"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "locality"],
                condition=models.Q(locality__isnull=False),
                name="delivery_zone_carrier_locality_unique",
            ),
            models.UniqueConstraint(
                fields=["carrier", "country"],
                condition=models.Q(locality__isnull=True),
                name="delivery_zone_carrier_country_rest_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(lead_days__lte=LEAD_DAYS_MAX),
                name="delivery_zone_lead_days_max",
            ),
            models.CheckConstraint(
                condition=~models.Q(weekdays=""), name="delivery_zone_weekdays_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} · {self.locality or f'{self.country} *'}"

    def clean(self) -> None:
        if self.locality_id and self.locality.country != self.country:
            raise ValidationError({"locality": _("The locality is not in the zone's country.")})

    def terms(self) -> DeliveryTerms:
        """The zone as plain values for the rule (carrier and locality must be loaded)."""
        return DeliveryTerms(
            carrier=self.carrier.code,
            carrier_name=self.carrier.name,
            country=self.country,
            locality=self.locality.name_ru if self.locality_id else "*",
            lead_days=self.lead_days,
            cutoff=self.cutoff,
            weekdays=weekdays_parse(self.weekdays),
            skips_holidays=self.skips_holidays,
            intervals=intervals_parse(self.intervals),
        )
