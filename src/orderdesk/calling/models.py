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
    RESOLVED = "resolved", _("Resolved")
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
    R.RESOLVED:       (True,  True,  True),
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
    wrap_up_seconds = models.PositiveIntegerField(
        _("seconds of wrap-up before the next call is offered"), default=10
    )
    priorities = models.JSONField(
        _("queue priorities, most urgent first"), default=list, blank=True
    )

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

    def tier_order(self) -> list[str]:
        """The store's tiers, most urgent first; tiers it does not name follow in the default
        order, so no work is ever left out of the queue."""
        named = [t for t in (self.priorities or []) if t in DEFAULT_PRIORITIES]
        return list(dict.fromkeys([*named, *DEFAULT_PRIORITIES]))

    @property
    def min_gap(self) -> timedelta:
        return timedelta(minutes=self.min_gap_minutes)

    @property
    def callback_grace(self) -> timedelta:
        return timedelta(minutes=self.callback_grace_minutes)

    @property
    def lease_duration(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


class CallPurpose(models.TextChoices):
    """Why the contact center calls: every piece of calling work is a call task of one purpose."""

    CONFIRMATION = "confirmation", _("Confirmation")
    DELIVERY_PROBLEM = "delivery_problem", _("Delivery problem")
    FEEDBACK = "feedback", _("Feedback")
    BACK_IN_STOCK = "back_in_stock", _("Back in stock")


class CallTaskState(models.TextChoices):
    """Where a call task is. For a confirmation task this is the order's queue state (architecture: Statuses);
    `done` and `cancelled` close a task (its work finished, or no longer needed)."""

    QUEUED = "queued", _("In call queue")
    IN_CALL = "in_call", _("In call")
    CALLBACK = "callback", _("Repeat call")
    PENDING_CHECK = "pending_check", _("Pending check")
    UNREACHABLE = "unreachable", _("Unreachable")
    REVIEW = "review", _("Supervisor decision")  # held at intake (screening), never claimed
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


T = CallTaskState
WAITING_STATES = (T.QUEUED, T.CALLBACK)  # may be claimed when due
OPEN_STATES = (T.QUEUED, T.IN_CALL, T.CALLBACK, T.PENDING_CHECK, T.UNREACHABLE, T.REVIEW)
CLOSED_STATES = (T.DONE, T.CANCELLED)


class QueueTier(models.TextChoices):
    """The tiers a store orders its queue by (CallingPolicy.priorities)."""

    CALLBACKS = "callbacks", _("Due callbacks")
    NEW_CONFIRMATIONS = "new_confirmations", _("New orders to confirm")
    DELIVERY_PROBLEMS = "delivery_problems", _("Delivery problems")
    RETRIES = "retries", _("Repeat confirmation calls")
    OTHER = "other", _("Feedback and back-in-stock calls")


DEFAULT_PRIORITIES = [tier.value for tier in QueueTier]
# Which waiting tasks each tier holds, written once: the tiers' partial indexes
# (CallTask.Meta.indexes) and the queue's read (selectors.queue_candidates_read) use these.
TIER_CONDITIONS: dict[str, models.Q] = {
    QueueTier.CALLBACKS: models.Q(state=T.CALLBACK, callback_user__isnull=True),
    QueueTier.NEW_CONFIRMATIONS: models.Q(
        state=T.QUEUED, purpose=CallPurpose.CONFIRMATION, attempts_count=0
    ),
    QueueTier.DELIVERY_PROBLEMS: models.Q(state=T.QUEUED, purpose=CallPurpose.DELIVERY_PROBLEM),
    QueueTier.RETRIES: models.Q(
        state=T.QUEUED, purpose=CallPurpose.CONFIRMATION, attempts_count__gt=0
    ),
    QueueTier.OTHER: models.Q(
        state=T.QUEUED, purpose__in=[CallPurpose.FEEDBACK, CallPurpose.BACK_IN_STOCK]
    ),
}
TIER_INDEXES = {
    QueueTier.CALLBACKS: "calling_task_callback_idx",
    QueueTier.NEW_CONFIRMATIONS: "calling_task_new_idx",
    QueueTier.DELIVERY_PROBLEMS: "calling_task_problem_idx",
    QueueTier.RETRIES: "calling_task_retry_idx",
    QueueTier.OTHER: "calling_task_other_idx",
}


class LeaseEnd(models.TextChoices):
    OUTCOME = "outcome", _("Outcome recorded")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released by a supervisor")


class Lease(models.Model):
    """One operator holding one customer's due call tasks of one store, until an outcome or
    expiry. `held` remembers each task's place at claim time (`id`, `order_id`, `state`,
    `due_at`, `callback_user_id`), to restore it on expiry."""

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
    # The state the operator chose for after this call (a pause asked for during it); empty:
    # ready again once the outcome is recorded.
    then_state = models.CharField(max_length=10, blank=True)
    then_pause_code = models.CharField(max_length=20, blank=True)

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
        """The held tasks' orders, each once, in the order they were taken."""
        return list(dict.fromkeys(entry["order_id"] for entry in self.held))

    @property
    def task_ids(self) -> list[str]:
        return [entry["id"] for entry in self.held]

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class CallTask(models.Model):
    """One piece of calling work about one order: confirm it, sort out a delivery problem, ask
    for feedback, tell of goods back in stock. The queue is a query over the waiting tasks
    (selectors.queue_head_lock); claims, outcomes, retries, callbacks, pending checks, expiry
    and the supervisor's actions move tasks, whatever their purpose.

    `timezone` and `language` are the order's, copied when the task opens, so that the queue's
    indexes can serve "due, in a zone inside its window, in the operator's languages" without
    reading orders. `callback_user`: the operator a callback or a parked check belongs to."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # store and customer: indexed by the queue's and the customer's composite indexes only.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="call_tasks", db_index=False
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=CallPurpose.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=CallTaskState.choices, default=T.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    timezone = models.CharField(_("customer's time zone"), max_length=64)
    language = models.CharField(_("language"), max_length=2, default="ru")
    callback_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    lease = models.ForeignKey(
        Lease,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        db_index=False,
    )
    attempts_count = models.PositiveIntegerField(_("attempts"), default=0)
    first_call_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=CallPurpose.values), name="calling_task_purpose"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=CallTaskState.values), name="calling_task_state"
            ),
            models.CheckConstraint(
                condition=models.Q(state=T.IN_CALL, lease__isnull=False)
                | (~models.Q(state=T.IN_CALL) & models.Q(lease__isnull=True)),
                name="calling_task_lease_only_in_call",
            ),
            # One open task per order and purpose: a second delivery problem reopens nothing.
            models.UniqueConstraint(
                fields=["order", "purpose"],
                condition=models.Q(state__in=OPEN_STATES),
                name="calling_task_one_open_per_order_purpose",
            ),
        ]
        indexes = [
            # The queue (selectors.queue_candidates): one small partial index per tier, read per
            # (store, zone) in due order, so tasks of zones outside their window never stand
            # in front of those that may be called.
            models.Index(
                fields=["callback_user", "due_at"],
                condition=models.Q(state=T.CALLBACK, callback_user__isnull=False),
                name="calling_task_callback_own_idx",
            ),
            *(
                models.Index(
                    fields=["store", "timezone", "due_at", "id"],
                    condition=TIER_CONDITIONS[tier],
                    name=name,
                )
                for tier, name in TIER_INDEXES.items()
            ),
            # the zones present among waiting tasks (a loose index scan)
            models.Index(
                fields=["timezone"],
                condition=models.Q(state__in=WAITING_STATES),
                name="calling_task_zone_idx",
            ),
            # the customer's tasks a lease takes along; an order's open tasks
            models.Index(
                fields=["customer", "store"],
                condition=models.Q(state__in=OPEN_STATES),
                name="calling_task_customer_idx",
            ),
            models.Index(fields=["order", "state"], name="calling_task_order_idx"),
            # the tasks a lease holds (outcome, heartbeat, expiry)
            models.Index(
                fields=["lease"],
                condition=models.Q(state=T.IN_CALL),
                name="calling_task_lease_idx",
            ),
            # parked checks coming due; the live view's lists per state
            models.Index(
                fields=["state", "store", "due_at"],
                condition=models.Q(state__in=[T.PENDING_CHECK, T.UNREACHABLE, T.CALLBACK]),
                name="calling_task_parked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.order_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


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
    # Indexed by calling_attempt_store_idx, which leads with it.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    orders = models.ManyToManyField("orders.Order", related_name="call_attempts")
    tasks = models.ManyToManyField(CallTask, related_name="attempts")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    result = models.CharField(_("result"), max_length=20, choices=CallResult.choices)
    notes = models.TextField(_("notes"), blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    # The desk's timers: the conversation, then the wrap-up until the outcome (none for an
    # attempt recorded without the desk, e.g. by the API or a lapsed lease).
    talk_seconds = models.PositiveIntegerField(_("talk time, seconds"), null=True, blank=True)
    wrap_up_seconds = models.PositiveIntegerField(_("wrap-up time, seconds"), null=True, blank=True)

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
            # reports (reports/kpis.py): the calls of a store in a period
            models.Index(fields=["store", "started_at"], name="calling_attempt_store_idx"),
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


class AddressCheck(models.Model):
    """The answer to an out-of-city address check (seed 002: "Направь запрос ... Перезвони
    клиенту, сообщи по результату"): can the carrier deliver there, with a note and who answered.
    The order's latest answer decides whether it may be confirmed (calling.checks)."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="address_checks", db_index=False
    )
    deliverable = models.BooleanField(_("deliverable"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("address check")
        verbose_name_plural = _("address checks")
        indexes = [
            # address_check_latest: an order's latest answer
            models.Index(fields=["order", "-checked_at"], name="calling_addrcheck_order_idx")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.deliverable}"
