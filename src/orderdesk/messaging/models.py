"""Messages to customers: per-store channel settings, templates, the messages themselves, and
the customers who asked for no more (architecture: Messages and self-service)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel, uuid7


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    EN = "en", _("English")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for the worker (and for its not_before)
    SENDING = "sending", _("Being sent")  # claimed by a worker until claimed_until
    SENT = "sent", _("Sent")  # the provider or the SMTP server took it
    DELIVERED = "delivered", _("Delivered")  # the provider's receipt says so
    FAILED = "failed", _("Failed")


class Direction(models.TextChoices):
    OUT = "out", _("To the customer")
    IN = "in", _("From the customer")


class OptOutVia(models.TextChoices):
    REPLY = "reply", _("Replied STOP")
    LINK = "link", _("Unsubscribe link")
    OPERATOR = "operator", _("Operator")


DEFAULT_CHANNELS = "sms,email"


class StoreMessaging(BaseModel):
    """A store's messaging settings (edited in the admin); a store without a row gets the
    defaults (`messaging_settings_get`)."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="messaging")
    is_enabled = models.BooleanField(_("send messages to customers"), default=True)
    channels = models.CharField(
        _("channels, in order of preference"),
        max_length=100,
        default=DEFAULT_CHANNELS,
        help_text=_(
            "Comma-separated: sms, email, telegram, whatsapp. A message goes out on the first one the customer "
            "has; when it fails, on the next."
        ),
    )
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    unreachable_after_attempts = models.PositiveSmallIntegerField(
        _("'could not reach you' after failed calls"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    rate_limit_per_day = models.PositiveSmallIntegerField(
        _("messages per customer per 24 hours"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    self_service_days = models.PositiveSmallIntegerField(
        _("private link valid for (days after intake)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    quiet_hours_follow_calling_window = models.BooleanField(
        _("send only within the calling window (customer's local time)"), default=True
    )

    class Meta:
        verbose_name = _("store messaging settings")
        verbose_name_plural = _("store messaging settings")

    def __str__(self) -> str:
        return str(self.store)

    def channel_order(self) -> list[str]:
        names = [name.strip() for name in self.channels.split(",")]
        return [name for name in dict.fromkeys(names) if name in Channel.values]


class MessageTemplate(BaseModel):
    """The text of one event's message in one language; a store's own template wins over the
    shipped default (store empty). `{placeholders}` are filled from the order; a line whose
    placeholder has no value is left out, so no message ever shows an unfilled one."""

    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="message_templates",
        help_text=_("Empty: the default for every store."),
    )
    event = models.CharField(_("event"), max_length=40)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_legally_required = models.BooleanField(
        _("legally required (sent despite an opt-out)"), default=False
    )
    whatsapp_name = models.CharField(
        _("WhatsApp template name"),
        max_length=512,
        blank=True,
        help_text=_(
            "The name of the template approved for the store's WhatsApp Business account; its "
            "body takes this text's placeholders, in order, as {{1}}, {{2}}... Empty: this "
            "message is not sent on WhatsApp."
        ),
    )
    whatsapp_language = models.CharField(
        _("WhatsApp language code"),
        max_length=15,
        blank=True,
        help_text=_(
            "As approved with the template (e.g. ru, kk, en_US). Empty: the language above."
        ),
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "event", "language"],
                name="messaging_template_store_event_lang_uniq",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.language})"


class Message(models.Model):
    """One message on one channel, rendered once when queued and kept as it went out.

    `key` makes a notice idempotent: one per order, event and channel (a retried worker or a
    repeated event finds the row already there); free text from an operator has none."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, default="ru")
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    is_legally_required = models.BooleanField(default=False)
    not_before = models.DateTimeField(_("not before"))
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=100, blank=True)
    # WhatsApp only: the approved template and its body parameters, rendered when queued.
    whatsapp_template = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            # The order's messages (the card, the API list).
            models.Index(fields=["order", "created_at"], name="messaging_msg_order_idx"),
            # The rate limit: the customer's recent messages.
            models.Index(fields=["customer", "created_at"], name="messaging_msg_customer_idx"),
            # The worker's due messages.
            models.Index(
                fields=["not_before"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="messaging_msg_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel} ({self.status})"


class OptOut(models.Model):
    """The customer asked for no more messages (legally required ones still go)."""

    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, related_name="messaging_opt_out"
    )
    via = models.CharField(_("how"), max_length=10, choices=OptOutVia.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.via})"


class TelegramLink(models.Model):
    """The Telegram chat a customer linked by opening the bot's deep link (`/start <token>`)."""

    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, related_name="telegram_link"
    )
    chat_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Telegram chat")
        verbose_name_plural = _("Telegram chats")

    def __str__(self) -> str:
        return f"{self.customer_id} → chat"
