from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel


class ScriptSource(models.TextChoices):
    """Which script an order follows: marketplace orders (Kaspi) have their own (architecture: The confirmation call)."""

    WEBSITE = "website", _("Website and other channels")
    KASPI = "kaspi", _("Kaspi")


class ScriptLanguage(models.TextChoices):
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")


class Situation(models.TextChoices):
    """One speech module per situation of the confirmation call (architecture: The confirmation call)."""

    GREETING = "greeting", _("Greeting")
    ALL_ORDERS = "all_orders", _("Several open orders")
    ADDRESS_CHECK = "address_check", _("Reading the address back")
    ADDRESS_INCOMPLETE = "address_incomplete", _("Address incomplete")
    DATE_MOVED = "date_moved", _("Requested date not possible")
    LATE_CONFIRMATION = "late_confirmation", _("Confirmed after the cut-off time")
    NO_SAME_DAY = "no_same_day", _("No same-day delivery")
    DATE_INCONVENIENT = "date_inconvenient", _("Customer cannot receive on that date")
    OUT_OF_CITY = "out_of_city", _("Out-of-city address: delivery check")
    DELIVERY_IMPOSSIBLE = "delivery_impossible", _("Delivery impossible: brand stores")
    ELEVATOR = "elevator", _("Elevator")
    TIME_WISH = "time_wish", _("Delivery time wish")
    BAD_CONNECTION = "bad_connection", _("Bad connection")
    OTHER_RECIPIENT = "other_recipient", _("Voice is not the recipient's")
    # After the items, their price and the address, before the delivery date and the closing
    # (seed 003: stock, delivery, offer more, then confirm and agree the time): the store's
    # upsell offers the order triggers, each with its own phrase.
    UPSELL = "upsell", _("Offer more: upsell and cross-sell")
    CONFIRMED = "confirmed", _("Closing: order confirmed")
    # A delivery problem's call: one phrase per reason the carrier gave.
    PROBLEM_CUSTOMER_ABSENT = "problem_customer_absent", _("Delivery problem: customer absent")
    PROBLEM_ADDRESS_NOT_FOUND = (
        "problem_address_not_found",
        _("Delivery problem: address not found"),
    )
    PROBLEM_REFUSED = "problem_refused", _("Delivery problem: refused")
    PROBLEM_DAMAGED = "problem_damaged", _("Delivery problem: damaged")
    PROBLEM_OTHER = "problem_other", _("Delivery problem: other")


PROBLEM_SITUATIONS = frozenset(
    {
        Situation.PROBLEM_CUSTOMER_ABSENT,
        Situation.PROBLEM_ADDRESS_NOT_FOUND,
        Situation.PROBLEM_REFUSED,
        Situation.PROBLEM_DAMAGED,
        Situation.PROBLEM_OTHER,
    }
)


class SpeechModule(BaseModel):
    """A phrase of the call script. A store's own module replaces the default (no store) one for
    the same source, language and situation."""

    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="speech_modules",
        verbose_name=_("store"),
        help_text=_("Empty: the default for every store that has no module of its own."),
    )
    source = models.CharField(_("script"), max_length=10, choices=ScriptSource.choices)
    language = models.CharField(_("language"), max_length=2, choices=ScriptLanguage.choices)
    situation = models.CharField(_("situation"), max_length=32, choices=Situation.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {customer_name}, {operator_name}, {store_name}, {order_numbers}, "
            "{orders_count}, {locality}, {address}, {recipient_name}, {earliest_date}, "
            "{delivery_date}, {requested_date}, {lead_days}, {cutoff}, {carrier}, {intervals}, "
            "{callback_time}, {time_wish}, {total}."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order on screen"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("speech module")
        verbose_name_plural = _("speech modules")
        ordering = ["source", "language", "position", "situation"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "source", "language", "situation"],
                name="workspace_speech_store_unique",
            ),
            models.UniqueConstraint(
                fields=["source", "language", "situation"],
                condition=models.Q(store__isnull=True),
                name="workspace_speech_default_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=ScriptLanguage.values),
                name="workspace_speech_language_valid",
            ),
        ]
        indexes = [
            # speech_modules_for_order: the modules of one source and language
            models.Index(fields=["source", "language"], name="workspace_speech_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_situation_display()} ({self.source}, {self.language})"


class DeskPreference(BaseModel):
    """How an operator's desk paces the calls. Without a row: progressive mode on (the next
    call is offered by itself after the store's wrap-up time)."""

    operator = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="desk_preference"
    )
    progressive = models.BooleanField(_("offer the next call by itself"), default=True)

    class Meta:
        verbose_name = _("desk preference")
        verbose_name_plural = _("desk preferences")

    def __str__(self) -> str:
        return f"{self.operator_id}: {'progressive' if self.progressive else 'manual'}"
