"""Screening orders at intake (architecture: Order screening): duplicates, the blacklist, the
per-phone limit of open orders and the risk score. Nothing is refused here: every order is
stored and its screening is on its timeline; a held order's confirmation call waits for a
supervisor (`review`) instead of the queue, and the supervisor's decision is on the timeline."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.calling.services.tasks import tasks_move
from orderdesk.core.errors import ApplicationError
from orderdesk.core.phones import phone_region
from orderdesk.orders.models import (
    OPEN_STATUSES,
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    OrderStatus,
)
from orderdesk.orders.services import actor_label_of, order_event_record, order_status_change

from .models import BlacklistEntry, OrderScreening, ScreeningDecision, ScreeningPolicy
from .rules import History, is_held, risk_reasons, risk_score

SCREENING_NOT_PENDING = "screening_not_pending"
DUPLICATE_NOT_MERGEABLE = "duplicate_not_mergeable"


def screening_policy_of(*, store_id: int) -> ScreeningPolicy:
    return ScreeningPolicy.objects.filter(store_id=store_id).first() or ScreeningPolicy(
        store_id=store_id
    )


def orders_screen(orders: Sequence[Order], at: datetime) -> None:
    """Registered with orders.extensions.on_orders_created: in the intake's transaction, a
    fixed number of queries for the whole batch."""
    orders = [o for o in orders if o.status == OrderStatus.AWAITING_CONFIRMATION]
    if not orders:
        return
    by_store: dict[int, list[Order]] = {}
    for order in orders:
        by_store.setdefault(order.store_id, []).append(order)
    for store_id, group in by_store.items():
        _store_orders_screen(store_id=store_id, orders=group, at=at)


def _store_orders_screen(*, store_id: int, orders: list[Order], at: datetime) -> None:
    policy = screening_policy_of(store_id=store_id)
    new_ids = [o.pk for o in orders]
    customer_ids = {o.customer_id for o in orders}
    phones = dict(
        Order.objects.filter(pk__in=new_ids).values_list("customer_id", "customer__phone")
    )
    blacklisted = set(
        BlacklistEntry.objects.filter(store_id=store_id, phone__in=phones.values()).values_list(
            "phone", flat=True
        )
    )
    histories = _histories(customer_ids=customer_ids, exclude=new_ids)
    duplicates = _duplicates(orders=orders, window=timedelta(hours=policy.duplicate_window_hours))
    countries = dict(
        Order.objects.filter(pk__in=new_ids, locality__isnull=False).values_list(
            "pk", "locality__country"
        )
    )
    screenings, events, held = [], [], []
    for order in orders:
        phone = phones.get(order.customer_id, "")
        reasons = risk_reasons(
            history=histories.get(order.customer_id, History()),
            blacklisted=phone in blacklisted,
            open_limit=policy.open_orders_per_phone,
            phone_country=phone_region(phone) if phone else None,
            locality_country=countries.get(order.pk),
            is_duplicate=order.pk in duplicates,
        )
        hold = is_held(reasons)
        screenings.append(OrderScreening(
            order=order, risk_score=risk_score(reasons), reasons=reasons,
            duplicate_of_id=duplicates.get(order.pk),
            decision=ScreeningDecision.PENDING if hold else ScreeningDecision.NONE, created_at=at,
        ))  # fmt: skip
        if hold or order.pk in duplicates:
            events.append(_screened_event(order, screenings[-1], at))
        if hold:
            held.append(order.pk)
    OrderScreening.objects.bulk_create(screenings)
    OrderEvent.objects.bulk_create(events)
    _hold(order_ids=held, at=at)


def _histories(*, customer_ids, exclude) -> dict[int, History]:
    rows = (
        Order.objects.filter(customer_id__in=customer_ids)
        .exclude(pk__in=exclude)
        .values("customer_id")
        .annotate(
            orders=Count("pk"),
            open_orders=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
            returned=Count("pk", filter=Q(status=OrderStatus.RETURNED)),
        )
    )
    return {r.pop("customer_id"): History(**r) for r in rows}


def _duplicates(*, orders: list[Order], window: timedelta) -> dict:
    """New order id → an earlier order of the same phone, within the window, with the same
    items (SKU and quantity), that is not cancelled: one stored before this batch, else one
    earlier in the batch. (Instants alone cannot tell the order of a batch: they are equal.)"""
    batch = {o.pk: n for n, o in enumerate(orders)}
    earliest = min(o.created_at for o in orders) - window
    candidates = list(
        Order.objects.filter(
            customer_id__in={o.customer_id for o in orders}, created_at__gte=earliest
        )
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("created_at", "pk")
        .values_list("pk", "customer_id", "created_at")
    )
    items: dict = {}
    for order_id, sku, quantity in OrderItem.objects.filter(
        order_id__in=[c[0] for c in candidates]
    ).values_list("order_id", "sku", "quantity"):
        items.setdefault(order_id, Counter())[(sku, quantity)] += 1
    found = {}
    for n, order in enumerate(orders):
        for pk, customer_id, created_at in candidates:
            earlier = batch[pk] < n if pk in batch else created_at <= order.created_at
            if (
                earlier
                and customer_id == order.customer_id
                and order.created_at - created_at <= window
                and items.get(pk) == items.get(order.pk)
            ):
                found[order.pk] = pk
                break
    return found


def _screened_event(order: Order, screening: OrderScreening, at: datetime) -> OrderEvent:
    """What screening decided (flagged as a duplicate, held): the score and every reason with
    it. An order screening only scored is not on the timeline; its card shows the score."""
    data = {"screening": screening.reasons, "risk": screening.risk_score}
    if screening.duplicate_of_id:
        data["duplicate_of"] = str(screening.duplicate_of_id)
    if screening.decision == ScreeningDecision.PENDING:
        data["held"] = True
    return OrderEvent(
        order=order, type=OrderEventType.NOTE, actor_label=actor_label_of(None),
        data=data, created_at=at,
    )  # fmt: skip


def _hold(*, order_ids: list, at: datetime) -> None:
    tasks = list(
        CallTask.objects.filter(
            order_id__in=order_ids,
            purpose=CallPurpose.CONFIRMATION,
            state=CallTaskState.QUEUED,
        )
    )
    tasks_move(tasks=tasks, state=CallTaskState.REVIEW, data={"reason": "screening"}, at=at)


@transaction.atomic
def screening_decide(*, order: Order, approve: bool, actor: User, note: str = "") -> OrderScreening:
    """A supervisor's decision on a held order: approved, its confirmation call joins the
    queue (due now); rejected, the order is cancelled with the screening's reasons."""
    screening = OrderScreening.objects.select_for_update().get(order_id=order.pk)
    if screening.decision != ScreeningDecision.PENDING:
        raise ApplicationError(
            SCREENING_NOT_PENDING, _("This order is not waiting for a decision."), status_code=409
        )
    now = timezone.now()
    screening.decision = ScreeningDecision.APPROVED if approve else ScreeningDecision.REJECTED
    screening.decided_by, screening.decided_at = actor, now
    screening.save(update_fields=["decision", "decided_by", "decided_at"])
    order_event_record(
        order=order, type=OrderEventType.NOTE, actor=actor, at=now,
        data={"screening_decision": screening.decision, **({"note": note} if note else {})},
    )  # fmt: skip
    if approve:
        tasks = list(
            CallTask.objects.filter(
                order=order, purpose=CallPurpose.CONFIRMATION, state=CallTaskState.REVIEW
            )
        )
        tasks_move(tasks=tasks, state=CallTaskState.QUEUED, fields={"due_at": now}, actor=actor,
                   at=now)  # fmt: skip
    else:
        reason = "screening: " + ", ".join(screening.reasons)
        order_status_change(order=order, to=OrderStatus.CANCELLED, actor=actor, reason=reason)
    return screening


@transaction.atomic
def order_duplicate_merge(*, order: Order, actor: User) -> Order:
    """The customer says `order` is the same as the earlier one screening found: `order` is
    cancelled as a duplicate (its call leaves the lease; the call goes on for the other) and
    both timelines say which order it was merged into."""
    screening = OrderScreening.objects.select_related("duplicate_of").filter(order=order).first()
    kept = screening.duplicate_of if screening else None
    if kept is None or kept.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        raise ApplicationError(
            DUPLICATE_NOT_MERGEABLE, _("There is no open order to merge this one into."),
            status_code=409,
        )  # fmt: skip
    order = order_status_change(
        order=order, to=OrderStatus.CANCELLED, actor=actor, reason="duplicate",
        data={"merged_into": kept.external_id},
    )  # fmt: skip
    order_event_record(order=kept, type=OrderEventType.NOTE, actor=actor,
                       data={"merged": order.external_id})  # fmt: skip
    return order
