"""The store event types: the names stores subscribe to and receive (architecture: Interfaces)."""

from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.services.lifecycle import STATUS_EVENTS


def test_event_types_are_the_stable_names():
    assert StoreEventType.values == [
        "order.created", "order.confirmed", "order.cancelled", "order.changed",
        "order.shipped", "order.delivered", "order.returned", "order.in_fulfilment",
        "order.delivery_problem", "order.feedback",
    ]  # fmt: skip


def test_each_status_a_store_hears_of_publishes_its_own_event():
    assert STATUS_EVENTS == {
        OrderStatus.CONFIRMED: StoreEventType.CONFIRMED,
        OrderStatus.CANCELLED: StoreEventType.CANCELLED,
        OrderStatus.IN_FULFILMENT: StoreEventType.IN_FULFILMENT,
        OrderStatus.SHIPPED: StoreEventType.SHIPPED,
        OrderStatus.DELIVERED: StoreEventType.DELIVERED,
        OrderStatus.RETURNED: StoreEventType.RETURNED,
    }
