"""Store integrations: outbound webhook endpoints and their delivery log, inbound platform
connections, and staff file imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel, uuid7


class WebhookEndpoint(BaseModel):
    """Where a store wants to hear about its orders; the secret signs every delivery."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    # After a rotation the old secret keeps signing (a second signature) until it expires.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    # Start of the current run of failures; cleared by any successful delivery.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    # Store events up to this moment (less a safety margin) have been fanned out to deliveries.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One store event owed to one endpoint. Retries and replays reuse the row, so the event
    keeps its `webhook-id` (the StoreEvent's id) however often it is sent."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "orders.StoreEvent", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    # Copied from the event so the per-order ordering check needs no join.
    order_id = models.UUIDField()
    event_created_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the delivery while sending; an expired lease means the worker died.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="integrations_delivery_endpoint_event_unique"
            )
        ]
        indexes = [
            # the dispatcher's due query
            models.Index(fields=["status", "next_attempt_at"], name="integ_delivery_due_idx"),
            # "is an earlier event of this order still owed to this endpoint?"
            models.Index(
                fields=["endpoint", "order_id", "event_created_at"],
                name="integ_delivery_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"


class LogKind(models.TextChoices):
    ATTEMPT = "attempt", _("Delivery attempt")
    REPLAY = "replay", _("Replay requested")
    DISABLED = "disabled", _("Endpoint disabled")
    ENABLED = "enabled", _("Endpoint enabled")


class AttemptOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Delivered")
    RETRY = "retry", _("Will retry")
    FAILED = "failed", _("Failed, no retry")


class WebhookLogEntry(models.Model):
    """The delivery log a store reads: every attempt (request, response, duration) and every
    change the system made to the endpoint on its own (disabled after failing for days)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="log")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="log"
    )
    kind = models.CharField(max_length=16, choices=LogKind.choices)
    event_id = models.UUIDField(null=True, blank=True)
    event_type = models.CharField(max_length=40, blank=True)
    attempt = models.PositiveIntegerField(null=True, blank=True)
    request_url = models.CharField(max_length=2000, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)
    request_body_bytes = models.PositiveIntegerField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("webhook log entry")
        verbose_name_plural = _("webhook log")
        ordering = ["-created_at", "-id"]
        indexes = [
            # GET /webhooks/{id}/log, newest first
            models.Index(fields=["endpoint", "-created_at"], name="integ_log_endpoint_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_type} {self.created_at:%Y-%m-%d %H:%M:%S}"


class Platform(models.TextChoices):
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    SHOPIFY = "shopify", "Shopify"
    TILDA = "tilda", "Tilda"
    JSON = "json", _("Generic JSON")


class Connection(BaseModel):
    """An inbound door for one platform: an unguessable URL plus the secret its requests carry.

    The URL's token is stored as a digest (it is shown once, like an API key); the platform
    secret is kept as given, because every request's signature is recomputed with it."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="connections")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    secret = models.CharField(max_length=200)
    # Tilda sends its API key under a name the store chooses (a header or a form field).
    api_key_name = models.CharField(max_length=100, blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=16)
    is_active = models.BooleanField(_("active"), default=True)
    last_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.token_prefix}…"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    IMPORTED = "imported", _("Imported")


class OrderImport(BaseModel):
    """A staff upload of orders (CSV or Excel): parsed and checked once for the preview, kept so
    that the import stores exactly what was previewed."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # [{"rows": [2, 3], "external_id": "…", "payload": {…}, "errors": [...], "exists": bool}]
    orders = models.JSONField(default=list)
    # [{"row": n, "errors": [...]}] problems not tied to one order (unreadable rows)
    row_errors = models.JSONField(default=list)
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ProductImport(BaseModel):
    """A staff upload of a store's catalogue (CSV or Excel): checked once for the preview and
    kept, so that the import writes exactly what was previewed."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # [{"row": n, "sku": "…", "payload": {…}, "errors": [{"column", "message"}], "exists": bool}]
    rows = models.JSONField(default=list)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("product import")
        verbose_name_plural = _("product imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
