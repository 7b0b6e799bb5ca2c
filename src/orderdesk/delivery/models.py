from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


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
