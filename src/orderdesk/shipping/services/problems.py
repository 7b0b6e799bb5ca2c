"""Delivery problems come back as calls (architecture: Shipping).

A failed attempt or an exception opens a problem and its `delivery_problem` call task, due at
once (the queue serves it inside the customer's calling window), with a deadline from the
store's shipping policy. The call's `resolved` outcome decides each problem: redeliver on a date
the carrier's rules allow (as a confirmation would be checked now), with a corrected address or
recipient, or return with a reason. The store hears `order.delivery_problem` when the problem
opens and `order.changed` when it is decided; the carrier hears the decision from the job that
sends decided problems (`problems_send_to_carrier`)."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.calling.checks import DECISION_INVALID, DECISION_MISSING, Decision, OrderDecision
from orderdesk.calling.models import CallPurpose, CallTask
from orderdesk.calling.services import call_task_open
from orderdesk.delivery.selectors import order_delivery_date_errors
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import Order, OrderEventType
from orderdesk.orders.services import order_event_record, order_update, store_event_publish

from ..models import DeliveryProblem, ProblemDecision, Shipment, ShippingPolicy

RETURN_REASON_MISSING = "return_reason_missing"
ADDRESS_FIELD_UNKNOWN = "redelivery_address_field_unknown"
PROBLEM_NOT_OPEN = "delivery_problem_not_open"
# What a redelivery may correct: the address and who receives the parcel.
REDELIVERY_FIELDS = frozenset(
    {"street", "house", "apartment", "entrance", "floor", "intercom", "delivery_comment",
     "recipient_name", "recipient_phone", "time_wish"}
)  # fmt: skip


def shipping_policy_of(store_id) -> ShippingPolicy:
    return ShippingPolicy.objects.filter(store_id=store_id).first() or ShippingPolicy(
        store_id=store_id
    )


def problem_open(*, shipment: Shipment, reason: str, at: datetime) -> DeliveryProblem:
    """The open problem of the parcel, opened now if there is none (a second failed attempt
    before the first is decided is the same problem: one call resolves both)."""
    open_problem = DeliveryProblem.objects.filter(shipment=shipment, decided_at__isnull=True)
    existing = open_problem.first()
    if existing is not None:
        return existing
    order = shipment.order
    policy = shipping_policy_of(order.store_id)
    task = call_task_open(order=order, purpose=CallPurpose.DELIVERY_PROBLEM, reason=reason, at=at)
    problem = DeliveryProblem.objects.create(
        shipment=shipment,
        order=order,
        task=task,
        reason=reason,
        opened_at=at,
        deadline_at=at + timedelta(hours=policy.problem_deadline_hours),
    )
    store_event_publish(order=order, type=StoreEventType.DELIVERY_PROBLEM, at=at)
    customer_notify(order=order, event="delivery_problem", at=at)
    return problem


def _error(field_name: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": str(message), **extra}


def problem_decisions_check(
    tasks: Sequence[CallTask], given: Mapping[str, OrderDecision], at: datetime
) -> list[dict[str, Any]]:
    """Every check the decisions of a delivery problem's call must pass, by field
    (registered with calling.extensions.task_resolution)."""
    errors: list[dict[str, Any]] = []
    # Only a task that a problem opened has a decision to make (a call opened by hand has not).
    with_problem = set(
        DeliveryProblem.objects.filter(
            order_id__in=[task.order_id for task in tasks], decided_at__isnull=True
        ).values_list("order_id", flat=True)
    )
    tasks = [task for task in tasks if task.order_id in with_problem]
    orders = Order.objects.select_related("locality", "carrier").in_bulk(
        [task.order_id for task in tasks]
    )
    for task in tasks:
        oid = str(task.order_id)
        decision = given.get(oid)
        if decision is None:
            message = _("Decide this delivery problem: redeliver or return.")
            errors.append(_error(f"orders[{oid}]", DECISION_MISSING, message, order=oid))
        elif decision.decision == Decision.REDELIVER:
            errors += _redelivery_errors(order=orders[task.order_id], decision=decision, at=at)
        elif decision.decision == Decision.RETURN:
            if not decision.reason.strip():
                message = _("Give the reason for the return.")
                errors.append(_error(f"orders[{oid}].reason", RETURN_REASON_MISSING, message))
        else:
            message = _("The decision is redeliver or return.")
            errors.append(_error(f"orders[{oid}].decision", DECISION_INVALID, message))
    return errors


def _redelivery_errors(*, order: Order, decision: OrderDecision, at: datetime) -> list[dict]:
    oid = str(order.pk)
    errors = [
        _error(f"orders[{oid}].address.{name}", ADDRESS_FIELD_UNKNOWN, _("Not an address field."))
        for name in sorted(set(decision.address or {}) - REDELIVERY_FIELDS)
    ]
    return errors + order_delivery_date_errors(order=order, delivery_on=decision.delivery_on, at=at)


def problem_decisions_apply(
    tasks: Sequence[CallTask], given: Mapping[str, OrderDecision], operator: User, at: datetime
) -> None:
    """Carry out the checked decisions: the order's new date and address (its timeline and
    `order.changed`), the problem decided (the job tells the carrier)."""
    for task in tasks:
        decision = given.get(str(task.order_id))
        if decision is None:
            continue  # no problem of the parcel behind this call (checked before)
        problem = (
            DeliveryProblem.objects.select_for_update()
            .filter(order_id=task.order_id, decided_at__isnull=True)
            .select_related("order")
            .first()
        )
        if problem is None:
            continue  # decided meanwhile (the parcel was delivered or returned): nothing to do
        problem_decide(problem=problem, decision=decision, operator=operator, at=at)


@transaction.atomic
def problem_decide(
    *, problem: DeliveryProblem, decision: OrderDecision, operator: User, at: datetime
) -> DeliveryProblem:
    order = problem.order
    problem.decided_at, problem.decided_by = at, operator
    if decision.decision == Decision.REDELIVER:
        problem.decision, problem.redelivery_on = ProblemDecision.REDELIVER, decision.delivery_on
    else:
        problem.decision, problem.return_reason = ProblemDecision.RETURN, decision.reason.strip()
    problem.save(
        update_fields=["decision", "decided_at", "decided_by", "redelivery_on", "return_reason",
                       "updated_at"]
    )  # fmt: skip
    order_event_record(
        order=order,
        type=OrderEventType.NOTE,
        actor=operator,
        data={
            "delivery_problem": problem.reason,
            "decision": problem.decision,
            **({"delivery_date": decision.delivery_on.isoformat()} if decision.delivery_on else {}),
            **({"reason": problem.return_reason} if problem.return_reason else {}),
        },
        at=at,
    )
    changes = {}
    if decision.decision == Decision.REDELIVER:
        changes = {**(decision.address or {}), "delivery_on": decision.delivery_on}
    if any(getattr(order, name) != value for name, value in changes.items()):
        # the edit is on the timeline with its old and new values, and is the store's
        # `order.changed`
        order_update(
            order=order, changes=changes, actor=operator, reason="delivery_problem",
            redelivery=True,
        )  # fmt: skip
    else:
        store_event_publish(order=order, type=StoreEventType.CHANGED, at=at)
    return problem


def problems_end(*, shipment: Shipment, delivered: bool, at: datetime) -> None:
    """The parcel's delivery ended: a problem resolved by redelivery was won back when it ends
    delivered (reports: the won-back share); a problem still open was settled by the carrier
    (decided `carrier`, nothing to send it, not a won-back one), which the timeline says; its
    call closes with the order's new status (calling.services.tasks.ended_order_tasks_close)."""
    DeliveryProblem.objects.filter(
        shipment=shipment, decision=ProblemDecision.REDELIVER, won_back__isnull=True
    ).update(won_back=delivered, updated_at=at)
    open_problem = (
        DeliveryProblem.objects.select_for_update()
        .filter(shipment=shipment, decided_at__isnull=True)
        .first()
    )
    if open_problem is None:
        return
    open_problem.decision, open_problem.decided_at = ProblemDecision.CARRIER, at
    open_problem.save(update_fields=["decision", "decided_at", "updated_at"])
    order_event_record(
        order=shipment.order,
        type=OrderEventType.NOTE,
        actor_label=f"carrier:{shipment.carrier.code}",
        data={
            "action": "problem_settled_delivered" if delivered else "problem_settled_returned",
            "delivery_problem": open_problem.reason,
            "decision": open_problem.decision,
        },
        at=timezone.now(),
    )
