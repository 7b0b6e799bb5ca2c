"""Claiming the next customer, keeping the lease alive, and freeing leases that expired.

The claim (architecture: The call queue): the queue is a query over the waiting call tasks. The most
urgent due task in the operator's scope is locked with SKIP LOCKED, then its customer (SKIP
LOCKED too, so two operators never split one customer's work), then all the customer's waiting
tasks in the store move to `in_call` in one conditional UPDATE whose row count must match what
was read. A claimer never waits on a row another claimer holds, so claims cannot deadlock."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Customer, Order

from ..models import (
    NOT_CONTACTED_RESULTS,
    WAITING_STATES,
    CallAttempt,
    CallingPolicy,
    CallResult,
    CallTask,
    CallTaskState,
    Lease,
    LeaseEnd,
    OperatorState,
    OperatorStateSlice,
)
from ..selectors import (
    ClaimStart,
    QueueHead,
    QueueScope,
    claim_start_read,
    customer_waiting_tasks,
    lease_live_of,
    lease_orders,
    lease_tasks,
    queue_head_lock,
    queue_scope_for,
)
from .operators import operator_state_set
from .tasks import ORDER_QUEUE_CONFLICT, tasks_move

logger = logging.getLogger(__name__)

LEASE_NOT_HELD = "lease_not_held"
OPERATOR_OFFLINE = "operator_offline"
# Heads tried per claim before answering "nothing now" (each skip is a customer another
# operator is locking this instant, or one inside the minimum gap between calls).
CLAIM_TRIES = 8
EXPIRE_ON_CLAIM = 20


@dataclass
class Claim:
    """A lease and every open order of its customer in the store (held ones: `lease.order_ids`).
    `resumed` when the operator already held this lease and asked again. The orders (the call
    card: items, address, store) are read when first asked for, after the claim committed, so
    the claim's transaction holds its locks no longer than the claim needs."""

    lease: Lease
    resumed: bool = False

    @cached_property
    def orders(self) -> list[Order]:
        return lease_orders(lease=self.lease)

    @cached_property
    def tasks(self) -> list[CallTask]:
        return lease_tasks(lease=self.lease)


def lease_not_held_error(lease: Lease) -> ApplicationError:
    return ApplicationError(
        LEASE_NOT_HELD,
        _("This call is no longer yours: the lease expired or its outcome is recorded."),
        status_code=409,
        lease=str(lease.pk),
    )


def call_next_claim(*, operator: User, at: datetime | None = None) -> Claim | None:
    """The most urgent eligible customer for this operator, leased; None when nobody is due.

    An operator holds at most one lease: asking again while holding a live one returns it; an
    expired one is closed as abandoned first. Other expired leases are freed here too, a few at
    a time, so the queue does not depend on the periodic job having run. A paused operator is
    put in a call by the claim; when nobody is due the pause stays as it was. An operator who is
    offline (their choice, or a call lost) gets no call: 409 OPERATOR_OFFLINE."""
    at = at or timezone.now()
    start = claim_start_read(operator=operator)
    own = lease_live_of(operator=operator) if start.live_lease_id else None
    if own is not None and own.expires_at > at:
        return Claim(lease=own, resumed=True)
    if own is None and _is_offline(operator):
        raise ApplicationError(
            OPERATOR_OFFLINE,
            _("You are offline: choose Ready to take calls."),
            status_code=409,
            state=OperatorState.OFFLINE,
        )
    freed = 0
    if own is not None:  # past its expiry: closed as abandoned before anything else
        freed += _lease_expired_close(lease_id=own.pk, at=at)
    if _expired_check_due(at):
        freed += leases_expire(at=at, limit=EXPIRE_ON_CLAIM)
    if freed:  # tasks went back to the queue, perhaps of a zone the first read did not see
        start = claim_start_read(operator=operator)
    return _claim_due(operator=operator, at=at, start=start)


# Claims look for other operators' expired leases at most this often per process (each look
# walks the expiry index); the periodic job frees them every 10 seconds anyway.
EXPIRED_CHECK_EVERY = timedelta(seconds=5)
_expired_checked_at: list[datetime] = []


def _expired_check_due(at: datetime) -> bool:
    """True when this claim should look for expired leases: the first time in this process,
    EXPIRED_CHECK_EVERY after the last look, or whenever the clock reads no later than the last
    look (a clock set back, as in tests)."""
    last = _expired_checked_at[-1] if _expired_checked_at else None
    if last is not None and last < at < last + EXPIRED_CHECK_EVERY:
        return False
    _expired_checked_at[:] = [at]
    return True


def _claim_due(*, operator: User, at: datetime, start: ClaimStart) -> Claim | None:
    scope = queue_scope_for(operator=operator, at=at, start=start)
    if scope is None:
        return None
    skipped: set[int] = set()
    for _try in range(CLAIM_TRIES):
        try:
            claim = _claim_once(operator=operator, scope=scope, at=at, skipped=skipped)
        except IntegrityError:
            # The same operator claimed in another tab at this instant: that lease is theirs.
            live = lease_live_of(operator=operator)
            if live is None:
                raise
            return Claim(lease=live, resumed=True)
        except ApplicationError as exc:
            if exc.code != ORDER_QUEUE_CONFLICT:
                raise
            continue
        if claim is not _SKIP:
            return claim  # type: ignore[return-value]
    return None


_SKIP = object()


def _is_offline(operator: User) -> bool:
    return OperatorStateSlice.objects.filter(
        operator=operator, ended_at__isnull=True, state=OperatorState.OFFLINE
    ).exists()


def _claim_once(
    *, operator: User, scope: QueueScope, at: datetime, skipped: set[int]
) -> Claim | object | None:
    """One try in one transaction: a Claim; None when nothing is due for this operator; _SKIP
    when the head's customer cannot be called this instant (added to `skipped`). The claim's
    commit need not wait for its WAL (`_commit_without_wal_wait`) unless the claim runs inside a
    caller's transaction, with other writes in it."""
    commit_waits = connection.in_atomic_block
    with transaction.atomic():
        head = queue_head_lock(scope=scope, operator=operator, at=at, skipped=skipped)
        if head is None:
            return None
        policy = scope.policies[head.store_id]
        locked = _customer_lock(head=head, policy=policy)
        if locked is None:
            skipped.add(head.customer_id)
            return _SKIP
        tasks = list(
            customer_waiting_tasks(store_id=head.store_id, customer_id=head.customer_id, at=at)
            .select_for_update(of=("self",))
            .only("id", "order_id", "purpose", "state", "due_at", "callback_user_id")
        )
        gap_until = _gap_until(customer=locked, policy=policy, at=at)
        if gap_until is not None:
            _push_to_gap_end(tasks=tasks, until=gap_until, at=at)
            skipped.add(head.customer_id)
            return _SKIP
        claim = _lease_open(operator=operator, policy=policy, head=head, tasks=tasks, at=at)
        if not commit_waits:
            _commit_without_wal_wait()
        return claim


def _commit_without_wal_wait() -> None:
    """This transaction commits without waiting for its WAL to reach the disk. Measured: with
    64 claimers, backends spent most of their time waiting on WAL flushes. Safe for a claim
    alone: one lost in a server crash leaves the tasks where they were (the operator takes the
    next call; what they typed stays in the page), and any later synchronous commit flushes
    the claim's WAL with its own. The outcome, where the operator's input is written, waits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")


def _customer_lock(*, head: QueueHead, policy: CallingPolicy) -> Customer | None:
    """The head's customer, locked without waiting (None when another claimer holds it), with
    what the minimum gap needs: the last call to this phone in any store (`last_call_at`), and
    whether someone is on a call with it right now (`on_call`).

    A call a supervisor released without it reaching the customer is not a call to the phone
    for the gap: the supervisor handed the customer on, and the next operator may dial now.
    Every other attempt counts, a no-answer or an expired lease included (the phone may have
    rung). Without a minimum gap in the store's policy only the lock is taken."""
    lock = Customer.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        pk=head.customer_id
    )
    if policy.min_gap_minutes:
        same_phone = Customer.objects.filter(phone=OuterRef(OuterRef("phone"))).values("pk")
        last_call = (
            CallAttempt.objects.filter(customer__in=same_phone)
            .exclude(lease__end_reason=LeaseEnd.RELEASED, result__in=NOT_CONTACTED_RESULTS)
            .order_by("-ended_at")
            .values("ended_at")[:1]
        )
        on_call = Lease.objects.filter(customer__in=same_phone, ended_at__isnull=True)
        lock = lock.annotate(last_call_at=Subquery(last_call), on_call=Exists(on_call))
    return lock.only("id", "phone").first()


def _gap_until(*, customer: Customer, policy: CallingPolicy, at: datetime) -> datetime | None:
    """The end of the minimum gap since the last call to this phone (any store), or None."""
    if not policy.min_gap_minutes:
        return None
    if getattr(customer, "on_call", False):
        return at + policy.min_gap
    last = getattr(customer, "last_call_at", None)
    return last + policy.min_gap if last and last + policy.min_gap > at else None


def _push_to_gap_end(*, tasks: list[CallTask], until: datetime, at: datetime) -> None:
    for state in WAITING_STATES:
        due = [t for t in tasks if t.state == state and t.due_at < until]
        tasks_move(
            tasks=due,
            state=state,
            fields={"due_at": until},
            only_if=Q(state=state),
            actor_label="system",
            data={"reason": "min_gap"},
            at=at,
        )


def _lease_open(
    *,
    operator: User,
    policy: CallingPolicy,
    head: QueueHead,
    tasks: list[CallTask],
    at: datetime,
) -> Claim:
    """Lease the customer's waiting tasks to the operator: the lease keeps where each task
    stood (to put it back if the lease lapses), each task moves to the call with a timeline
    event on its order, the operator is in a call."""
    held = [
        {
            "id": str(task.pk),
            "order_id": str(task.order_id),
            "state": task.state,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "callback_user_id": task.callback_user_id,
        }
        for task in tasks
    ]
    lease = Lease.objects.create(
        operator=operator,
        store_id=head.store_id,
        customer_id=head.customer_id,
        held=held,
        claimed_at=at,
        expires_at=at + policy.lease_duration,
    )
    tasks_move(
        tasks=tasks,
        state=CallTaskState.IN_CALL,
        fields={"lease": lease},
        only_if=Q(state__in=WAITING_STATES),
        actor=operator,
        data={"lease": str(lease.pk)},
        at=at,
    )
    operator_state_set(operator=operator, state=OperatorState.IN_CALL, at=at)
    return Claim(lease=lease)


def lease_heartbeat(*, lease_id, operator: User, at: datetime | None = None) -> Lease:
    """Extend a live lease by the store's lease length; 409 once it is no longer held."""
    at = at or timezone.now()
    with transaction.atomic():
        lease, policy = lease_lock(lease_id=lease_id, operator=operator)
        if lease.is_live and lease.expires_at > at:
            lease.expires_at = at + policy.lease_duration
            lease.save(update_fields=["expires_at"])
            return lease
        if lease.is_live:
            lease_abandon(lease=lease, at=at)
    raise lease_not_held_error(lease)


def lease_lock(*, lease_id, operator: User) -> tuple[Lease, CallingPolicy]:
    """This operator's lease, row-locked, and its store's calling policy (read in the same
    statement); another operator's lease is 'not found' (architecture: Interfaces)."""
    lease = (
        Lease.objects.select_for_update(of=("self",))
        .select_related("store__calling_policy")
        .filter(pk=lease_id, operator=operator)
        .first()
    )
    if lease is None:
        raise Http404(f"lease {lease_id} not found")
    policy = getattr(lease.store, "calling_policy", None)
    return lease, policy or CallingPolicy(store_id=lease.store_id)


def attempt_links_write(*, attempt: CallAttempt, lease: Lease) -> None:
    """The attempt is about the lease's orders and tasks (reports, retry counts)."""
    orders, tasks = CallAttempt.orders.through, CallAttempt.tasks.through
    orders.objects.bulk_create(
        orders(callattempt_id=attempt.pk, order_id=oid) for oid in lease.order_ids
    )
    tasks.objects.bulk_create(
        tasks(callattempt_id=attempt.pk, calltask_id=tid) for tid in lease.task_ids
    )


def lease_abandon(*, lease: Lease, at: datetime, end_reason: str = LeaseEnd.EXPIRED) -> CallAttempt:
    """Close a lease nobody finished (the caller holds its row lock): every task it still holds
    returns to its place as it was at claim time, and the attempt is recorded as abandoned, so
    reports see it and the minimum gap protects the customer. `end_reason` RELEASED: a
    supervisor ended it, and the gap does not count from it (see _customer_lock)."""
    released = end_reason == LeaseEnd.RELEASED
    snapshot = {entry["id"]: entry for entry in lease.held}
    still_held = list(
        CallTask.objects.select_for_update(of=("self",))
        .filter(lease=lease, state=CallTaskState.IN_CALL)
        .only("id", "order_id", "purpose", "state")
    )
    for task in still_held:
        entry = snapshot.get(str(task.pk), {})
        due_at = entry.get("due_at")
        tasks_move(
            tasks=[task],
            state=entry.get("state") or CallTaskState.QUEUED,
            fields={
                "lease": None,
                "due_at": datetime.fromisoformat(due_at) if due_at else at,
                "callback_user_id": entry.get("callback_user_id"),
            },
            only_if=Q(lease=lease, state=CallTaskState.IN_CALL),
            actor_label="system",
            data={
                "reason": "lease_released" if released else "lease_expired",
                "lease": str(lease.pk),
            },
            at=at,
        )
    attempt = CallAttempt.objects.create(
        lease=lease,
        operator_id=lease.operator_id,
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        started_at=lease.claimed_at,
        ended_at=min(at, lease.expires_at),  # the hold lapsed then, whenever it is noticed
        result=CallResult.ABANDONED,
    )
    attempt_links_write(attempt=attempt, lease=lease)
    lease.ended_at, lease.end_reason = at, end_reason
    lease.save(update_fields=["ended_at", "end_reason"])
    in_call = OperatorStateSlice.objects.filter(
        operator_id=lease.operator_id, ended_at=None, state=OperatorState.IN_CALL
    )
    if in_call.exists():
        operator_state_set(operator=lease.operator, state=OperatorState.OFFLINE, at=at)
    logger.info("lease %s of operator %s %s", lease.pk, lease.operator_id, end_reason)
    return attempt


def _lease_expired_close(*, lease_id, at: datetime) -> int:
    """1 when the lease was closed here as abandoned, 0 when someone else got there first."""
    with transaction.atomic():
        lease = Lease.objects.select_for_update().filter(pk=lease_id, ended_at__isnull=True).first()
        if lease is not None and lease.expires_at <= at:
            lease_abandon(lease=lease, at=at)
            return 1
    return 0


def leases_expire(*, at: datetime | None = None, limit: int = 200) -> int:
    """Free every lease past its expiry (the periodic job; claims call it too). Safe in several
    workers at once: leases are taken with SKIP LOCKED."""
    at = at or timezone.now()
    due = Lease.objects.filter(ended_at__isnull=True, expires_at__lte=at)
    if not due.exists():
        return 0
    with transaction.atomic():
        leases = list(
            due.select_for_update(skip_locked=True)
            .select_related("operator")
            .order_by("expires_at")[:limit]
        )
        for lease in leases:
            lease_abandon(lease=lease, at=at)
    return len(leases)
