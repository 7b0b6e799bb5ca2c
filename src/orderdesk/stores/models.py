from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


class Store(BaseModel):
    """A tenant: the contact center's client. Everything a store sees is scoped by it."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    default_timezone = models.CharField(
        _("default time zone"),
        max_length=64,
        default="Asia/Almaty",
        help_text=_("Used for a customer whose locality is unknown and whose phone is ambiguous."),
    )
    default_phone_region = models.CharField(_("default phone country"), max_length=2, default="KZ")
    retention_months = models.PositiveIntegerField(
        _("keep personal data (months)"),
        default=36,
        db_default=36,  # rows written by code that predates the column (rolling deploys)
        help_text=_(
            "The customer's personal data in orders finished longer ago than this is erased."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        db_default=False,  # rows written by code that predates the column (a rolling deploy)
        help_text=_(
            "Supervisors and admins of this store must confirm each sign-in with a code from "
            "an authenticator app."
        ),
    )

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StoreApiKey(BaseModel):
    """A store's API key, stored as a digest; the prefix lets staff tell keys apart."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="api_keys")
    key_digest = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=16)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.store} {self.key_prefix}…"
