"""A delivery problem on the operator's card: what went wrong, by when it must be resolved (in
the customer's zone), the parcel's tracking history, the dates a redelivery may take (the
carrier's rules, as a confirmation now), and the phrase for the reason in the customer's
language (architecture: Shipping)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation

from orderdesk.accounts.models import User
from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState, Lease
from orderdesk.delivery.selectors import order_delivery_dates
from orderdesk.orders.models import Order
from orderdesk.shipping.models import DeliveryProblem, Feedback, TrackingEvent

from .selectors import SpeechLine, script_for_order, script_language_of
from .templatetags.workspace_tags import address_text

# What the card offers to correct for a redelivery (shipping.services.problems accepts these).
CORRECTABLE = ("street", "house", "apartment", "entrance", "floor", "intercom", "recipient_name",
               "recipient_phone")  # fmt: skip


@dataclass
class ProblemCard:
    order: Order
    problem: DeliveryProblem
    deadline_local: datetime
    overdue: bool
    options: list[date] = field(default_factory=list)
    earliest: date | None = None
    history: list[TrackingEvent] = field(default_factory=list)
    script: list[SpeechLine] = field(default_factory=list)

    @property
    def address_fields(self) -> list[tuple[str, str, str]]:
        """(field, label, current value) of what a redelivery may correct."""
        return [
            (name, Order._meta.get_field(name).verbose_name, getattr(self.order, name))
            for name in CORRECTABLE
        ]


@dataclass
class FeedbackCard:
    """A feedback call of this lease: the delivered order, and the answer if already given."""

    order: Order
    given: Feedback | None


def feedback_cards_build(*, lease: Lease) -> list[FeedbackCard]:
    held = CallTask.objects.filter(
        lease=lease, state=CallTaskState.IN_CALL, purpose=CallPurpose.FEEDBACK
    ).values("order_id")
    orders = Order.objects.filter(pk__in=held).select_related("customer", "store", "feedback")
    return [
        FeedbackCard(order=order, given=getattr(order, "feedback", None))
        for order in orders.order_by("created_at")
    ]


def problem_cards_build(*, lease: Lease, operator: User, at: datetime) -> list[ProblemCard]:
    """The delivery problems this call holds, each with what the operator needs to decide."""
    held = CallTask.objects.filter(
        lease=lease, state=CallTaskState.IN_CALL, purpose=CallPurpose.DELIVERY_PROBLEM
    ).values("order_id")
    problems = (
        DeliveryProblem.objects.filter(order_id__in=held, decided_at__isnull=True)
        .select_related("order", "order__customer", "order__store", "order__locality",
                        "order__carrier", "shipment", "shipment__carrier")
        .order_by("opened_at")
    )  # fmt: skip
    cards = []
    for problem in problems:
        order = problem.order
        dates = order_delivery_dates(order=order, at=at)
        card = ProblemCard(
            order=order,
            problem=problem,
            deadline_local=problem.deadline_at.astimezone(ZoneInfo(order.timezone)),
            overdue=problem.deadline_at <= at,
            options=list(dates.allowed) if dates else [],
            earliest=dates.earliest if dates else None,
            history=list(problem.shipment.events.order_by("at", "id")),
        )
        card.script = _script(card=card, operator=operator)
        cards.append(card)
    return cards


def _script(*, card: ProblemCard, operator: User) -> list[SpeechLine]:
    order = card.order
    with translation.override(script_language_of(order)):
        context = {
            "customer_name": order.customer.name,
            "operator_name": operator.first_name or operator.username,
            "store_name": order.store.name,
            "order_numbers": order.external_id,
            "carrier": card.problem.shipment.carrier.name,
            "address": address_text(order),
            "earliest_date": formats.date_format(card.earliest, "d.m.Y") if card.earliest else "",
        }
    return script_for_order(
        order=order, context=context, situations={f"problem_{card.problem.reason}"}
    )
