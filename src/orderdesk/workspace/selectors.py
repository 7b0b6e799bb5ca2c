"""Reads the screens need, scoped to what the signed-in user may see."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet

from orderdesk.accounts.models import Role, User
from orderdesk.calling.models import (
    OPEN_STATES,
    CallPurpose,
    CallTask,
    CallTaskState,
    Lease,
    OperatorState,
    OperatorStateSlice,
)
from orderdesk.calling.selectors import lease_languages, operator_can_take
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, Source
from orderdesk.stores.models import Store

from .models import PROBLEM_SITUATIONS, ScriptLanguage, ScriptSource, SpeechModule
from .speech import speech_complete, speech_fill


@dataclass(frozen=True)
class SpeechLine:
    situation: str
    title: str
    text: str


def script_source_of(order: Order) -> str:
    return ScriptSource.KASPI if order.source == Source.KASPI else ScriptSource.WEBSITE


def script_language_of(order: Order) -> str:
    """The customer's language when a script exists in it, else Russian."""
    for code in (order.language, order.customer.language):
        if code in ScriptLanguage.values:
            return code
    return ScriptLanguage.RU


def speech_modules_for_order(*, order: Order) -> list[SpeechModule]:
    """The modules for the order's store, source and language; a store's own module replaces
    the default one of the same situation."""
    modules = SpeechModule.objects.filter(
        Q(store_id=order.store_id) | Q(store__isnull=True),
        source=script_source_of(order),
        language=script_language_of(order),
        is_active=True,
    )
    chosen: dict[str, SpeechModule] = {}
    for module in modules:
        current = chosen.get(module.situation)
        if current is None or (current.store_id is None and module.store_id is not None):
            chosen[module.situation] = module
    return sorted(chosen.values(), key=lambda m: (m.position, m.situation))


def script_for_order(
    *, order: Order, context: dict[str, object], situations: set[str] | None = None
) -> list[SpeechLine]:
    """The phrases the operator may say now: the confirmation's modules, or the `situations`
    named (a delivery problem's phrase). A phrase naming data this call does not have (a cut-off
    for a carrier without one) is not offered, rather than read out with a gap."""
    return [
        SpeechLine(situation=m.situation, title=m.title, text=speech_fill(m.text, context))
        for m in speech_modules_for_order(order=order)
        if (m.situation in situations if situations is not None
            else m.situation not in PROBLEM_SITUATIONS)
        and speech_complete(m.text, context)
    ]  # fmt: skip


def stores_supervised_by(*, user: User) -> QuerySet[Store]:
    if user.role == Role.ADMIN:
        return Store.objects.filter(is_active=True)
    return user.stores.filter(is_active=True)


@dataclass(frozen=True)
class QueueRow:
    store: Store
    state: str
    state_label: str
    count: int
    oldest_at: datetime | None


def queue_summary(*, stores: QuerySet[Store]) -> list[QueueRow]:
    """Open call tasks by store and state, with the age of the oldest (its order's)."""
    rows = (
        CallTask.objects.filter(store__in=stores, state__in=OPEN_STATES)
        .values("store_id", "state")
        .annotate(count=Count("id"), oldest_at=Min("order__created_at"))
        .order_by()
    )
    by_id = {store.pk: store for store in stores}
    labels = dict(CallTaskState.choices)
    order = {state: i for i, state in enumerate(CallTaskState.values)}
    result = [
        QueueRow(
            store=by_id[row["store_id"]],
            state=row["state"],
            state_label=str(labels.get(row["state"], row["state"])),
            count=row["count"],
            oldest_at=row["oldest_at"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.store.name, order.get(r.state, 99)))


def callbacks_due(*, stores: QuerySet[Store], now: datetime, limit: int = 50) -> QuerySet[CallTask]:
    return (
        CallTask.objects.filter(store__in=stores, state=CallTaskState.CALLBACK, due_at__lte=now)
        .select_related("order__store", "order__customer", "callback_user")
        .order_by("due_at")[:limit]
    )


def tasks_in_state(*, stores: QuerySet[Store], state: str, limit: int = 50) -> QuerySet[CallTask]:
    return (
        CallTask.objects.filter(store__in=stores, state=state)
        .select_related("order__store", "order__customer", "callback_user", "lease__operator")
        .order_by("due_at", "created_at")[:limit]
    )


def operator_history(*, user: User, since: datetime | None = None) -> QuerySet[Order]:
    """Orders this operator has worked on: held now, or touched in a call (their own events).
    Their views are not work: looking at this list must not keep its orders on it."""
    touched = OrderEvent.objects.filter(actor=user).exclude(type=OrderEventType.VIEWED)
    if since is not None:
        touched = touched.filter(created_at__gte=since)
    return (
        Order.objects.filter(
            Q(
                pk__in=CallTask.objects.filter(
                    lease__operator=user, lease__ended_at__isnull=True
                ).values("order_id")
            )
            | Q(pk__in=touched.values("order_id"))
        )
        .select_related("store", "customer")
        .order_by("-updated_at")
    )


def queue_tasks_attach(orders: list[Order]) -> list[Order]:
    """Each order with `queue_task`: its confirmation call task (the open one, else the last),
    whose state is the order's queue state (one read for all the orders)."""
    tasks: dict = {}
    for task in (
        CallTask.objects.filter(order__in=orders, purpose=CallPurpose.CONFIRMATION)
        .select_related("callback_user")
        .order_by("created_at")
    ):
        if task.order_id not in tasks or not tasks[task.order_id].is_open:
            tasks[task.order_id] = task
    for order in orders:
        order.queue_task = tasks.get(order.pk)
    return orders


def age_of(moment: datetime | None, now: datetime) -> timedelta | None:
    return now - moment if moment else None


@dataclass(frozen=True)
class OperatorRow:
    operator: User
    state: str
    state_label: str
    pause_label: str
    since: datetime | None
    lease: object | None
    customer_name: str


def operators_board(*, stores: QuerySet[Store], now: datetime) -> list[OperatorRow]:
    """Operators of these stores: their state, since when, and the customer they are on. An
    operator may also work stores this board does not cover: a call for one of those is not
    shown (its customer belongs to another tenant)."""
    operators = list(
        User.objects.filter(role=Role.OPERATOR, is_active=True, stores__in=stores)
        .distinct()
        .order_by("username")
    )
    ids = [op.pk for op in operators]
    slices = {
        s.operator_id: s
        for s in OperatorStateSlice.objects.filter(operator_id__in=ids, ended_at__isnull=True)
    }
    leases = {
        lease.operator_id: lease
        for lease in Lease.objects.filter(
            operator_id__in=ids, store__in=stores, ended_at__isnull=True
        ).select_related("customer")
    }
    labels = dict(OperatorState.choices)
    rows = []
    for op in operators:
        current = slices.get(op.pk)
        lease = leases.get(op.pk)
        state = current.state if current else OperatorState.OFFLINE
        rows.append(
            OperatorRow(
                operator=op,
                state=state,
                state_label=str(labels[state]),
                pause_label=current.get_pause_code_display()
                if current and current.pause_code
                else "",
                since=current.started_at if current else None,
                lease=lease,
                customer_name=lease.customer.name if lease else "",
            )
        )
    order = {"in_call": 0, "ready": 1, "paused": 2, "offline": 3}
    return sorted(rows, key=lambda r: (order.get(r.state, 9), r.operator.username))


# What someone other than the operator may change in an order during a call: the store's PATCH
# and cancel, a supervisor. The card polls for these every few seconds (views.operator).
CARD_CHANGE_EVENTS = (
    OrderEventType.UPDATED,
    OrderEventType.ITEM_ADDED,
    OrderEventType.ITEM_CHANGED,
    OrderEventType.ITEM_REMOVED,
    OrderEventType.STATUS_CHANGED,
)


def card_changes_since(
    *, order_ids: list[str], since: datetime, operator: User
) -> list[OrderEvent]:
    """The changes others made to the call's orders after the card last showed them, oldest
    first (served by orders_event_order_time_idx)."""
    return list(
        OrderEvent.objects.filter(
            order_id__in=order_ids, created_at__gt=since, type__in=CARD_CHANGE_EVENTS
        )
        .exclude(actor=operator)
        .select_related("order", "actor")
        .order_by("created_at", "id")
    )


def handover_candidates_attach(rows: list[OperatorRow]) -> None:
    """Each call on the board learns whom it may be handed to (`lease.handover_to`): the other
    operators on the board who work its store and speak its customer's language."""
    leases = [row.lease for row in rows if row.lease is not None]
    if not leases:
        return
    languages = lease_languages(leases=leases)
    store_ids: dict[int, set[int]] = {}
    for user_id, store_id in User.stores.through.objects.filter(
        user_id__in=[row.operator.pk for row in rows]
    ).values_list("user_id", "store_id"):
        store_ids.setdefault(user_id, set()).add(store_id)
    for lease in leases:
        lease.handover_to = [
            row.operator
            for row in rows
            if row.operator.pk != lease.operator_id
            and operator_can_take(
                operator=row.operator,
                store_ids=store_ids.get(row.operator.pk, set()),
                store_id=lease.store_id,
                languages=languages[lease.pk],
            )
        ]
