from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


class PayRate(BaseModel):
    """What a store pays an operator per order they confirmed and per such order delivered; a
    confirmed order that comes back (returned) takes both back. Statements use the rates in
    force when they are drawn up."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="pay_rate")
    confirmed_amount = models.DecimalField(
        _("per confirmed order"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    delivered_amount = models.DecimalField(
        _("per delivered order"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    currency = models.CharField(_("currency"), max_length=3, default="KZT")

    class Meta:
        verbose_name = _("operator pay rate")
        verbose_name_plural = _("operator pay rates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_amount__gte=0, delivered_amount__gte=0),
                name="reports_payrate_not_negative",
            )
        ]

    def __str__(self) -> str:
        return str(self.store)
