"""Claiming the next customer, keeping the lease alive, and freeing leases that expired.

The claim (DESIGN "The call queue"): the queue is a query. The most urgent due order in the
operator's scope is locked with SKIP LOCKED (PostgreSQL), then its customer (SKIP LOCKED too, so
two operators never split one customer's orders), then all the customer's dialable orders move to
`in_call` in one conditional UPDATE whose row count must match what was read. On SQLite the
IMMEDIATE transaction already serialises claimers and the row count is the arbiter. A claimer
never waits on a row another claimer holds, so claims cannot deadlock. On PostgreSQL the head,
the customer with their orders and the lease's writes are a few prepared statements
(`selectors.queue_head_lock`, `statements.py`); on SQLite they go through the ORM."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.core.models import uuid7
from orderdesk.core.sql import (
    as_saved,
    instance_from_row,
    model_columns,
    prepared_fetch,
)
from orderdesk.orders.models import Customer, Order, QueueState
from orderdesk.orders.services import (
    ORDER_QUEUE_CONFLICT,
    actor_label_of,
    orders_queue_conflict_error,
    orders_queue_move,
    queue_move_event_data,
)

from ..models import (
    NOT_CONTACTED_RESULTS,
    CallAttempt,
    CallingPolicy,
    CallResult,
    Lease,
    LeaseEnd,
    OperatorState,
    OperatorStateSlice,
)
from ..selectors import (
    ClaimStart,
    QueueHead,
    QueueScope,
    calling_policy_get,
    claim_start_read,
    customer_dialable_orders,
    lease_live_of,
    lease_orders,
    leases_for_claim,
    policy_from_row,
    queue_head_lock,
    queue_scope_for,
    queue_tiers,
)
from .operators import operator_state_set
from .statements import CustomerOrders, customer_orders_lock, lease_open_write

logger = logging.getLogger(__name__)

LEASE_NOT_HELD = "lease_not_held"
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
    put in a call by the claim, or to ready when nobody is due (`_pause_end`)."""
    at = at or timezone.now()
    expired = _expired_check_due(at)
    # The first read brings the policies, the zones and whether any lease needs looking at.
    start: ClaimStart | None = claim_start_read(operator=operator, at=at, expired=expired)
    if not start.leases_quiet:
        # This operator's live lease and (now and then) leases past their expiry.
        leases = leases_for_claim(operator=operator, at=at, limit=EXPIRE_ON_CLAIM, expired=expired)
        own = next((lease for lease in leases if lease.operator_id == operator.pk), None)
        if own is not None and own.expires_at > at:
            return Claim(lease=own, resumed=True)
        if own is not None:  # past its expiry: closed as abandoned before anything else
            _lease_expired_close(lease_id=own.pk, at=at)
        if any(lease is not own for lease in leases):
            leases_expire(at=at, limit=EXPIRE_ON_CLAIM, checked=True)
        if leases:
            start = None  # orders went back to the queue: read it again
    claim = _claim_due(operator=operator, at=at, start=start)
    if claim is None:
        _pause_end(operator=operator, at=at)
    return claim


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


def _claim_due(*, operator: User, at: datetime, start: ClaimStart | None) -> Claim | None:
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


def _pause_end(*, operator: User, at: datetime) -> None:
    """Asking for the next call means ready, as a dialer's "next" does: when nobody is due, a
    paused operator's pause ends here, recorded as a ready slice from this moment (a claim
    ends it by opening the call's slice), so pause time is measured to the second the
    operator came back."""
    paused = OperatorStateSlice.objects.filter(
        operator=operator, ended_at__isnull=True, state=OperatorState.PAUSED
    )
    if paused.exists():
        operator_state_set(operator=operator, state=OperatorState.READY, at=at)


def _queue_head(
    *, scope: QueueScope, operator: User, at: datetime, skipped: set[int]
) -> QueueHead | None:
    """The claim order (SPEC 4): due callbacks, new orders, retries; the head is locked. On
    PostgreSQL one statement reads every tier; elsewhere a query per tier."""
    if connection.vendor == "postgresql":
        return queue_head_lock(scope=scope, operator=operator, at=at, skipped=skipped)
    for tier in queue_tiers(scope=scope, operator=operator, at=at):
        head = _tier_head_lock(tier, skipped=skipped)
        if head is not None:
            return head
    return None


def _tier_head_lock(tier: QuerySet[Order], *, skipped: set[int]) -> QueueHead | None:
    if skipped:
        tier = tier.exclude(customer_id__in=skipped)
    row = (
        tier.select_for_update(skip_locked=True, of=("self",))
        .values_list("id", "store_id", "customer_id")
        .first()
    )
    return QueueHead(*row) if row is not None else None


def _claim_once(
    *, operator: User, scope: QueueScope, at: datetime, skipped: set[int]
) -> Claim | object | None:
    """One try in one transaction: a Claim; None when nothing is due for this operator; _SKIP
    when the head's customer cannot be called this instant (added to `skipped`). The claim's
    commit need not wait for its WAL (statements.py) unless the claim runs inside a caller's
    transaction, with other writes in it."""
    in_callers_transaction = connection.in_atomic_block
    with transaction.atomic():
        head = _queue_head(scope=scope, operator=operator, at=at, skipped=skipped)
        if head is None:
            return None
        policy = scope.policies[head.store_id]
        locked = _customer_orders_lock(head=head, policy=policy)
        if locked is None:
            skipped.add(head.customer_id)
            return _SKIP
        gap_until = _gap_until(customer=locked, policy=policy, at=at)
        if gap_until is not None:
            _push_to_gap_end(orders=locked.orders, until=gap_until)
            skipped.add(head.customer_id)
            return _SKIP
        return _lease_open(
            operator=operator,
            policy=policy,
            head=head,
            group=locked.orders,
            at=at,
            commit_waits=in_callers_transaction,
        )


def _customer_orders_lock(*, head: QueueHead, policy: CallingPolicy) -> CustomerOrders | None:
    """The head's customer, locked without waiting (None when another claimer holds it), every
    order of theirs a lease takes along, locked, and what the minimum gap needs: the last call
    to this phone in any store, and whether someone is on a call with it right now.

    A call a supervisor released without it reaching the customer is not a call to the phone
    for the gap: the supervisor handed the customer on, and the next operator may dial now.
    Every other attempt counts, a no-answer or an expired lease included (the phone may have
    rung). Without a minimum gap in the store's policy only the locks are taken."""
    gap = bool(policy.min_gap_minutes)
    if connection.vendor == "postgresql":
        return customer_orders_lock(store_id=head.store_id, customer_id=head.customer_id, gap=gap)
    lock = Customer.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        pk=head.customer_id
    )
    if gap:
        same_phone = Customer.objects.filter(phone=OuterRef(OuterRef("phone"))).values("pk")
        last_call = (
            CallAttempt.objects.filter(customer__in=same_phone)
            .exclude(lease__end_reason=LeaseEnd.RELEASED, result__in=NOT_CONTACTED_RESULTS)
            .order_by("-ended_at")
            .values("ended_at")[:1]
        )
        on_call = Lease.objects.filter(customer__in=same_phone, ended_at__isnull=True)
        lock = lock.annotate(last_call_at=Subquery(last_call), on_call=Exists(on_call))
    customer = lock.only("id", "phone").first()
    if customer is None:
        return None
    group = (
        customer_dialable_orders(store_id=head.store_id, customer_id=customer.pk)
        .select_for_update(of=("self",))
        .only("id", "queue_state", "next_call_at", "callback_user_id", "timezone")
    )
    return CustomerOrders(
        orders=list(group),
        last_call_at=getattr(customer, "last_call_at", None),
        on_call=getattr(customer, "on_call", False),
    )


def _gap_until(*, customer: CustomerOrders, policy: CallingPolicy, at: datetime) -> datetime | None:
    """The end of the minimum gap since the last call to this phone (any store), or None."""
    if not policy.min_gap_minutes:
        return None
    if customer.on_call:
        return at + policy.min_gap
    last = customer.last_call_at
    return last + policy.min_gap if last and last + policy.min_gap > at else None


def _push_to_gap_end(*, orders: list[Order], until: datetime) -> None:
    for state in (QueueState.QUEUED, QueueState.CALLBACK):
        due = [o for o in orders if o.queue_state == state and o.next_call_at < until]
        if due:
            orders_queue_move(
                orders=due,
                queue_state=state,
                fields={"next_call_at": until},
                only_if=Q(queue_state=state),
                actor_label="system",
                data={"reason": "min_gap"},
            )


def _lease_open(
    *,
    operator: User,
    policy: CallingPolicy,
    head: QueueHead,
    group: list[Order],
    at: datetime,
    commit_waits: bool = True,
) -> Claim:
    """Lease the group to the operator: the lease keeps where each order stood (to put it back
    if the lease lapses), each order moves to the call with a timeline event, the operator is
    in a call."""
    held = [
        {
            "id": str(order.pk),
            "queue_state": order.queue_state,
            "next_call_at": order.next_call_at.isoformat() if order.next_call_at else None,
            "callback_user_id": order.callback_user_id,
        }
        for order in group
    ]
    lease = Lease(
        id=uuid7(),
        operator=operator,
        store_id=head.store_id,
        customer_id=head.customer_id,
        held=held,
        claimed_at=at,
        expires_at=at + policy.lease_duration,
    )
    if connection.vendor != "postgresql":
        return _lease_open_orm(lease=lease, operator=operator, group=group, at=at)
    event = {"lease": str(lease.pk)}
    moved = lease_open_write(
        lease_id=lease.pk,
        operator_id=operator.pk,
        operator_label=actor_label_of(operator),
        store_id=lease.store_id,
        customer_id=lease.customer_id,
        held=held,
        events=[
            queue_move_event_data(order=order, queue_state=QueueState.IN_CALL, data=event)
            for order in group
        ],
        at=at,
        expires_at=lease.expires_at,
        state=OperatorState.IN_CALL,
        commit_waits=commit_waits,
    )
    if moved != len(group):
        raise orders_queue_conflict_error()
    return Claim(lease=as_saved(lease))


def _lease_open_orm(*, lease: Lease, operator: User, group: list[Order], at: datetime) -> Claim:
    lease.save(force_insert=True)
    orders_queue_move(
        orders=group,
        queue_state=QueueState.IN_CALL,
        fields={"lease_id": lease.pk, "lease_user": operator, "lease_expires_at": lease.expires_at},
        only_if=Q(queue_state__in=[QueueState.QUEUED, QueueState.CALLBACK]),
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
        lease, policy = _lease_lock(lease_id=lease_id, operator=operator)
        if lease.is_live and lease.expires_at > at:
            lease.expires_at = at + policy.lease_duration
            lease.save(update_fields=["expires_at"])
            Order.objects.filter(lease_id=lease.pk, queue_state=QueueState.IN_CALL).update(
                lease_expires_at=lease.expires_at
            )
            return lease
        if lease.is_live:
            lease_abandon(lease=lease, at=at)
    raise lease_not_held_error(lease)


LEASE_LOCK_SQL = f"""
    SELECT {model_columns(Lease, "l")}, {model_columns(CallingPolicy, "p")}
    FROM calling_lease l LEFT JOIN calling_callingpolicy p ON p.store_id = l.store_id
    WHERE l.id = %(lease)s AND l.operator_id = %(operator)s
    FOR UPDATE OF l
"""  # noqa: S608 (column names from the model)


def _lease_lock(*, lease_id, operator: User) -> tuple[Lease, CallingPolicy]:
    """This operator's lease, row-locked, and its store's calling policy; another operator's
    lease is 'not found' (SPEC 11). On PostgreSQL (every heartbeat and outcome) one prepared
    statement."""
    if connection.vendor != "postgresql":
        lease = Lease.objects.select_for_update().filter(pk=lease_id, operator=operator).first()
        if lease is None:
            raise Http404(f"lease {lease_id} not found")
        return lease, calling_policy_get(store=lease.store_id)
    try:
        lease_uuid = lease_id if isinstance(lease_id, UUID) else UUID(str(lease_id))
    except ValueError:
        raise Http404(f"lease {lease_id} not found") from None
    rows = prepared_fetch(LEASE_LOCK_SQL, {"lease": lease_uuid, "operator": operator.pk})
    if not rows:
        raise Http404(f"lease {lease_id} not found")
    lease_width = len(Lease._meta.concrete_fields)
    lease = instance_from_row(Lease, rows[0][:lease_width])
    return lease, policy_from_row(rows[0][lease_width:], store_id=lease.store_id)


def attempt_orders_link(*, attempt: CallAttempt, order_ids: list[str]) -> None:
    link = CallAttempt.orders.through
    link.objects.bulk_create(link(callattempt_id=attempt.pk, order_id=oid) for oid in order_ids)


def lease_abandon(*, lease: Lease, at: datetime, end_reason: str = LeaseEnd.EXPIRED) -> CallAttempt:
    """Close a lease nobody finished (the caller holds its row lock): every order it still holds
    returns to its queue place as it was at claim time, and the attempt is recorded as
    abandoned, so reports see it and the minimum gap protects the customer. `end_reason`
    RELEASED: a supervisor ended it, and the gap does not count from it (see _customer_lock)."""
    released = end_reason == LeaseEnd.RELEASED
    snapshot = {entry["id"]: entry for entry in lease.held}
    still_held = list(
        Order.objects.select_for_update(of=("self",))
        .filter(lease_id=lease.pk, queue_state=QueueState.IN_CALL)
        .only("id", "queue_state")
    )
    for order in still_held:
        entry = snapshot.get(str(order.pk), {})
        next_call_at = entry.get("next_call_at")
        orders_queue_move(
            orders=[order],
            queue_state=entry.get("queue_state") or QueueState.QUEUED,
            fields={
                "lease_id": None,
                "lease_user": None,
                "lease_expires_at": None,
                "next_call_at": datetime.fromisoformat(next_call_at) if next_call_at else at,
                "callback_user": entry.get("callback_user_id"),
            },
            only_if=Q(lease_id=lease.pk, queue_state=QueueState.IN_CALL),
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
    attempt_orders_link(attempt=attempt, order_ids=lease.order_ids)
    lease.ended_at, lease.end_reason = at, end_reason
    lease.save(update_fields=["ended_at", "end_reason"])
    in_call = OperatorStateSlice.objects.filter(
        operator_id=lease.operator_id, ended_at=None, state=OperatorState.IN_CALL
    )
    if in_call.exists():
        operator_state_set(operator=lease.operator, state=OperatorState.OFFLINE, at=at)
    logger.info("lease %s of operator %s %s", lease.pk, lease.operator_id, end_reason)
    return attempt


def _lease_expired_close(*, lease_id, at: datetime) -> None:
    with transaction.atomic():
        lease = Lease.objects.select_for_update().filter(pk=lease_id, ended_at__isnull=True).first()
        if lease is not None and lease.expires_at <= at:
            lease_abandon(lease=lease, at=at)


def leases_expire(*, at: datetime | None = None, limit: int = 200, checked: bool = False) -> int:
    """Free every lease past its expiry (the periodic job; claims call it too). Safe in several
    workers at once: leases are taken with SKIP LOCKED. `checked`: the caller already knows
    some are due (skips the cheap existence probe)."""
    at = at or timezone.now()
    due = Lease.objects.filter(ended_at__isnull=True, expires_at__lte=at)
    if not checked and not due.exists():
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
