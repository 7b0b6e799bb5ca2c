"""Reads of shipping: what an order's representation adds, the tracking history of the public
page, the delivery facts the screens show."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from orderdesk.orders.models import Order, OrderStatus

from .links import feedback_url, tracking_url
from .models import DeliveryProblem, Feedback, Shipment, TrackingEvent


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def shipment_data(shipment: Shipment) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier.code,
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_url(shipment.order_id),
        "status": shipment.status or None,
        "status_at": _iso(shipment.status_at),
        "delivered_at": _iso(shipment.delivered_at),
        "cash_collected": (
            f"{shipment.cash_collected:.2f}" if shipment.cash_collected is not None else None
        ),
        "returned_at": _iso(shipment.returned_at),
        "return_reason": shipment.return_reason or None,
    }


def problem_data(problem: DeliveryProblem) -> dict[str, Any]:
    return {
        "reason": problem.reason,
        "opened_at": problem.opened_at.isoformat(),
        "deadline_at": problem.deadline_at.isoformat(),
        "decision": problem.decision or None,
        "decided_at": _iso(problem.decided_at),
        "delivery_date": _iso(problem.redelivery_on),
    }


def shipping_parts(orders: Sequence[Order]) -> dict[Any, dict[str, Any]]:
    """Per order: `shipment`, the latest `delivery_problem`, `feedback_url` once delivered,
    `feedback` once given (registered with orders.extensions.representation_part; three reads
    for any number of orders)."""
    ids = [order.pk for order in orders]
    shipments = {
        s.order_id: s for s in Shipment.objects.filter(order_id__in=ids).select_related("carrier")
    }
    problems: dict[Any, DeliveryProblem] = {}
    for problem in DeliveryProblem.objects.filter(order_id__in=ids).order_by("opened_at"):
        problems[problem.order_id] = problem
    feedback = {f.order_id: f for f in Feedback.objects.filter(order_id__in=ids)}
    parts: dict[Any, dict[str, Any]] = {}
    for order in orders:
        shipment, given = shipments.get(order.pk), feedback.get(order.pk)
        parts[order.pk] = {
            "shipment": shipment_data(shipment) if shipment else None,
            "delivery_problem": problem_data(problems[order.pk]) if order.pk in problems else None,
            "feedback_url": (
                feedback_url(order.pk) if order.status == OrderStatus.DELIVERED else None
            ),
            "feedback": (
                {
                    "rating": given.rating,
                    "comment": given.comment,
                    "at": given.created_at.isoformat(),
                }
                if given
                else None
            ),
        }
    return parts


def order_tracking_history(*, order_id) -> list[TrackingEvent]:
    """The parcel's events that moved it (history the customer sees), oldest first."""
    return list(TrackingEvent.objects.filter(shipment__order_id=order_id).order_by("at", "id"))


def order_for_public_page(*, order_id) -> Order | None:
    return Order.objects.select_related("store", "customer", "carrier").filter(pk=order_id).first()


def shipment_of(*, order_id) -> Shipment | None:
    return Shipment.objects.select_related("carrier").filter(order_id=order_id).first()


def open_problem_of(*, order_id) -> DeliveryProblem | None:
    return DeliveryProblem.objects.filter(order_id=order_id, decided_at__isnull=True).first()


def problems_open(*, stores, limit: int = 50):
    """The delivery problems of these stores not decided yet, the nearest deadline first (the
    supervisor's live view)."""
    return (
        DeliveryProblem.objects.filter(order__store__in=stores, decided_at__isnull=True)
        .select_related("order", "order__store", "task")
        .order_by("deadline_at")[:limit]
    )


def order_delivery_facts(*, order: Order) -> dict[str, Any]:
    """What the order page shows of the parcel: shipment, tracking history, the latest
    delivery problem, the feedback."""
    return {
        "shipment": shipment_of(order_id=order.pk),
        "tracking": order_tracking_history(order_id=order.pk),
        "problem": DeliveryProblem.objects.filter(order=order).order_by("-opened_at").first(),
        "feedback": Feedback.objects.filter(order=order).select_related("actor").first(),
        "shippable": order.status in (OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT),
        "feedback_open": order.status == OrderStatus.DELIVERED,
    }


def order_links(*, order: Order) -> dict[str, str]:
    """The customer's links of an order, for the messages about it: `tracking_url` once
    shipped, `feedback_url` once delivered (absent otherwise)."""
    links = {}
    if Shipment.objects.filter(order=order).exists():
        links["tracking_url"] = tracking_url(order.pk)
    if order.status == OrderStatus.DELIVERED:
        links["feedback_url"] = feedback_url(order.pk)
    return links


def problems_won_back_between(
    *, store_ids: Sequence[int], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Each delivery problem resolved by a redelivery that ended delivered in [start, end):
    order, when it was delivered, who decided the redelivery (the reports' won-back figure)."""
    return list(
        DeliveryProblem.objects.filter(
            order__store_id__in=store_ids,
            won_back=True,
            shipment__delivered_at__gte=start,
            shipment__delivered_at__lt=end,
        ).values("order_id", "shipment__delivered_at", "decided_by_id")
    )
