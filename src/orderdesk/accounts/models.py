from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    EN = "en", _("English")


class User(AbstractUser):
    """Staff of the contact center. Operators work the stores and languages listed here."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    stores = models.ManyToManyField(
        "stores.Store", blank=True, related_name="staff", verbose_name=_("stores")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interface_language = models.CharField(
        _("interface language"), max_length=2, choices=Language.choices, default=Language.RU
    )
    api_token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            )
        ]

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_supervisor_or_admin(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)
