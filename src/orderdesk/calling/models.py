"""Calling: each store's policy, leases on customers, call attempts, operator state slices."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import BaseModel, uuid7

from .rules import RetryRule, WeekWindows, windows_parse


class CallResult(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    BAD_CONNECTION = "bad_connection", _("Bad connection")
    CALLBACK = "callback", _("Callback requested")
    PENDING_CHECK = "pending_check", _("Pending check")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    ABANDONED = "abandoned", _("Abandoned (lease expired)")


R = CallResult
# What each result means for reports, written once (as dialers flag their dispositions):
# contacted — we spoke with the customer; final — calling of the order ends with it (it leaves the
# dial queue for good or for a supervisor); success — the order was confirmed.
RESULT_FLAGS: dict[str, tuple[bool, bool, bool]] = {
    #                 contacted, final, success
    R.NO_ANSWER:      (False, False, False),
    R.BUSY:           (False, False, False),
    R.WRONG_NUMBER:   (False, True,  False),
    R.BAD_CONNECTION: (False, False, False),
    R.CALLBACK:       (True,  False, False),
    R.PENDING_CHECK:  (True,  False, False),
    R.CONFIRMED:      (True,  True,  True),
    R.CANCELLED:      (True,  True,  False),
    R.ABANDONED:      (False, False, False),
}  # fmt: skip
RETRY_RESULTS = frozenset({R.NO_ANSWER, R.BUSY, R.BAD_CONNECTION, R.WRONG_NUMBER})
NOT_CONTACTED_RESULTS = frozenset(
    r for r, (contacted, _f, _s) in RESULT_FLAGS.items() if not contacted
)
OUTCOME_RESULTS = tuple(r for r in CallResult.values if r != R.ABANDONED)


def result_is_contacted(result: str) -> bool:
    return RESULT_FLAGS[result][0]


def result_is_final(result: str) -> bool:
    return RESULT_FLAGS[result][1]


def result_is_success(result: str) -> bool:
    return RESULT_FLAGS[result][2]


DEFAULT_RETRY_RULES: dict[str, dict[str, int | bool]] = {
    R.NO_ANSWER: {"delay_minutes": 30, "per_day": 4, "total": 10},
    R.BUSY: {"delay_minutes": 30, "per_day": 4, "total": 10},
    R.BAD_CONNECTION: {"delay_minutes": 15, "per_day": 4, "total": 10},
    R.WRONG_NUMBER: {"delay_minutes": 0, "per_day": 1, "total": 1, "to_supervisor": True},
}
DEFAULT_CANCEL_REASONS: list[tuple[str, str]] = [
    ("changed_mind", _("Changed their mind")),
    ("found_cheaper", _("Found it cheaper elsewhere")),
    ("delivery_terms", _("Delivery date or cost does not suit")),
    ("delivery_impossible", _("We cannot deliver to the address")),
    ("out_of_stock", _("Out of stock")),
    ("duplicate", _("Duplicate order")),
    ("ordered_by_mistake", _("Ordered by mistake")),
    ("test_order", _("Test order")),
    ("other", _("Other")),
]


class CallingPolicy(BaseModel):
    """A store's calling rules; a store without a row uses the defaults (`CallingPolicy(store=…)`).

    `windows`: `{"1": ["10:00", "19:00"], …, "7": null}` by ISO weekday, local time of the
    customer, start inclusive, end exclusive; a weekday not named uses 10:00–19:00.
    `retry_rules`: per result, `{"delay_minutes", "per_day", "total", "to_supervisor"}`; a result
    not named uses DEFAULT_RETRY_RULES. `cancel_reasons`: `[{"code", "label"}]`, empty for the
    default list."""

    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="calling_policy"
    )
    windows = models.JSONField(_("calling window per weekday"), default=dict, blank=True)
    holidays_off = models.BooleanField(
        _("no calls on the customer's country's public holidays"), default=False
    )
    retry_rules = models.JSONField(_("retry rules per result"), default=dict, blank=True)
    min_gap_minutes = models.PositiveIntegerField(
        _("minimum minutes between two calls to one phone"), default=10
    )
    callback_grace_minutes = models.PositiveIntegerField(
        _("minutes a personal callback waits for its absent operator"), default=15
    )
    pending_check_minutes = models.PositiveIntegerField(
        _("minutes until the call back about an address check"), default=60
    )
    lease_seconds = models.PositiveIntegerField(
        _("seconds an operator holds a customer without a heartbeat"), default=300
    )
    cancel_reasons = models.JSONField(_("cancellation reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("calling policy")
        verbose_name_plural = _("calling policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lease_seconds__gte=30), name="calling_policy_lease_min"
            )
        ]

    def __str__(self) -> str:
        return str(self.store)

    def week_windows(self) -> WeekWindows:
        return windows_parse(self.windows)

    def retry_rule(self, result: str) -> RetryRule:
        raw = {**DEFAULT_RETRY_RULES.get(result, {}), **(self.retry_rules or {}).get(result, {})}
        return RetryRule(
            delay=timedelta(minutes=int(raw.get("delay_minutes", 30))),
            per_day=int(raw.get("per_day", 4)),
            total=int(raw.get("total", 10)),
            to_supervisor=bool(raw.get("to_supervisor", False)),
        )

    def cancel_reason_choices(self) -> list[tuple[str, str]]:
        if self.cancel_reasons:
            return [(r["code"], r.get("label") or r["code"]) for r in self.cancel_reasons]
        return [(code, str(label)) for code, label in DEFAULT_CANCEL_REASONS]

    @property
    def min_gap(self) -> timedelta:
        return timedelta(minutes=self.min_gap_minutes)

    @property
    def callback_grace(self) -> timedelta:
        return timedelta(minutes=self.callback_grace_minutes)

    @property
    def lease_duration(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


class LeaseEnd(models.TextChoices):
    OUTCOME = "outcome", _("Outcome recorded")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released by a supervisor")


class Lease(models.Model):
    """One operator holding one customer's awaiting orders of one store, until an outcome or
    expiry. `held` remembers each order's queue place at claim time, to restore it on expiry."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_leases"
    )
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    # Looked up by customer only while live (calling_lease_customer_idx); a full index would take
    # a second entry at every lease's end.
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    held = models.JSONField(default=list)
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=LeaseEnd.choices, blank=True)

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.UniqueConstraint(
                fields=["operator"],
                condition=models.Q(ended_at__isnull=True),
                name="calling_lease_one_live_per_operator",
            )
        ]
        indexes = [
            # leases_expire: live leases past their expiry
            models.Index(
                fields=["expires_at"],
                condition=models.Q(ended_at__isnull=True),
                name="calling_lease_live_expiry_idx",
            ),
            # the claim's minimum gap: is anyone on a call with this customer's phone now
            models.Index(
                fields=["customer"],
                condition=models.Q(ended_at__isnull=True),
                name="calling_lease_customer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} → {self.customer_id}"

    @property
    def order_ids(self) -> list[str]:
        return [entry["id"] for entry in self.held]

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class CallAttempt(models.Model):
    """One call (or one claim that ended without a call): who, when, how it ended, which orders."""

    lease = models.OneToOneField(
        Lease, on_delete=models.PROTECT, null=True, blank=True, related_name="attempt"
    )
    # operator and customer: indexed by calling_attempt_{operator,customer}_idx, which lead with
    # them (Django's own single-column index would be written on every call for nothing).
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_attempts",
        db_index=False,
    )
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    orders = models.ManyToManyField("orders.Order", related_name="call_attempts")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    result = models.CharField(_("result"), max_length=20, choices=CallResult.choices)
    notes = models.TextField(_("notes"), blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=CallResult.values),
                name="calling_attempt_result_valid",
            )
        ]
        indexes = [
            # the minimum gap between calls to one customer; reports by operator and day
            models.Index(fields=["customer", "ended_at"], name="calling_attempt_customer_idx"),
            models.Index(fields=["operator", "started_at"], name="calling_attempt_operator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.result} @ {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_contacted(self) -> bool:
        return result_is_contacted(self.result)

    @property
    def is_final(self) -> bool:
        return result_is_final(self.result)

    @property
    def is_success(self) -> bool:
        return result_is_success(self.result)


class OperatorState(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    READY = "ready", _("Ready")
    PAUSED = "paused", _("Paused")
    IN_CALL = "in_call", _("In call")


WORKING_STATES = frozenset({OperatorState.READY, OperatorState.IN_CALL})


class PauseCode(models.TextChoices):
    BREAK = "break", _("Break")
    LUNCH = "lunch", _("Lunch")
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")
    AFTER_CALL = "after_call", _("After-call work")
    TECHNICAL = "technical", _("Technical problem")
    OTHER = "other", _("Other")


class OperatorStateSlice(models.Model):
    """A stretch of time an operator spent in one state; the open slice (no `ended_at`) is now.
    Reports add up talk, wait and pause time from these."""

    operator = models.ForeignKey(  # indexed by calling_state_operator_idx, which leads with it
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="state_slices",
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=10, choices=OperatorState.choices)
    pause_code = models.CharField(
        _("pause reason"), max_length=20, choices=PauseCode.choices, blank=True
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("operator state")
        verbose_name_plural = _("operator states")
        constraints = [
            models.UniqueConstraint(
                fields=["operator"],
                condition=models.Q(ended_at__isnull=True),
                name="calling_state_one_open_per_operator",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(state=OperatorState.PAUSED) & ~models.Q(pause_code="")
                    | ~models.Q(state=OperatorState.PAUSED) & models.Q(pause_code="")
                ),
                name="calling_state_pause_has_code",
            ),
        ]
        indexes = [
            models.Index(fields=["operator", "started_at"], name="calling_state_operator_idx")
        ]  # time per state per operator and day

    def __str__(self) -> str:
        return f"{self.operator} {self.state}"
