"""Personal data access is recorded on the order's timeline (architecture: Personal data): who
looked, when, where (`ViewedVia`).

One view is one page or one API answer a person was shown: refreshes that only extend or check
what is already on the screen (the call card's heartbeat, checklist and edit answers) are not
new views, and the call card is recorded once per call (per lease), however often the operator
reloads it. A list records one event per order it showed, in one insert."""

from typing import Any

from django.utils import timezone

from orderdesk.accounts.models import User

from ..models import Order, OrderEvent, OrderEventType, ViewedVia
from .lifecycle import order_event_record


def order_view_record(
    *, order: Order, actor: User, via: ViewedVia, data: dict[str, Any] | None = None
) -> OrderEvent:
    """A staff member opened the order with the customer's personal data (screen or API)."""
    return order_event_record(
        order=order, type=OrderEventType.VIEWED, actor=actor, data={"via": via, **(data or {})}
    )


def orders_view_record(
    *, orders: list[Order], actor: User, via: ViewedVia, data: dict[str, Any] | None = None
) -> list[OrderEvent]:
    """The same for every order of a list the staff member was shown, in one insert."""
    now = timezone.now()
    events = [
        OrderEvent(
            order=order,
            type=OrderEventType.VIEWED,
            actor=actor,
            actor_label=actor.username,
            data={"via": via, **(data or {})},
            created_at=now,
        )
        for order in orders
    ]
    return OrderEvent.objects.bulk_create(events)


def call_card_view_record(
    *, orders: list[Order], actor: User, lease_id, via: ViewedVia = ViewedVia.DESK
) -> list[OrderEvent]:
    """The call's orders, once per call and place (the desk's card, or `calls/next` in the
    API): a reload, or the API's claim answering the lease already held, shows what the
    operator already saw, so only the orders not yet recorded under this lease are written
    (an order may join the call when the customer's next order comes due)."""
    seen = set(
        OrderEvent.objects.filter(
            order__in=orders,
            type=OrderEventType.VIEWED,
            actor=actor,
            data__via=via,
            data__lease=str(lease_id),
        ).values_list("order_id", flat=True)
    )
    fresh = [order for order in orders if order.pk not in seen]
    return orders_view_record(orders=fresh, actor=actor, via=via, data={"lease": str(lease_id)})
