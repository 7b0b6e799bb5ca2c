"""Personal data access is recorded on the order's timeline (architecture: Personal data): who looked, when, where."""

from django.utils import timezone

from orderdesk.accounts.models import User

from ..models import Order, OrderEvent, OrderEventType
from .lifecycle import order_event_record


def order_view_record(*, order: Order, actor: User, via: str) -> OrderEvent:
    """A staff member opened the order with the customer's personal data (screen or API)."""
    return order_event_record(
        order=order, type=OrderEventType.VIEWED, actor=actor, data={"via": via}
    )


def orders_view_record(*, orders: list[Order], actor: User, via: str) -> list[OrderEvent]:
    """The same for every order of a list the staff member was shown, in one insert."""
    now = timezone.now()
    events = [
        OrderEvent(
            order=order,
            type=OrderEventType.VIEWED,
            actor=actor,
            actor_label=actor.username,
            data={"via": via},
            created_at=now,
        )
        for order in orders
    ]
    return OrderEvent.objects.bulk_create(events)
