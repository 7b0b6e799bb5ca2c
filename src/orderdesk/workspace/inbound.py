"""The inbound line (seed 004): a customer calls in; the operator finds them by phone and sees,
on one screen, every order of theirs in the stores the operator serves, with its status, the
parcel's tracking history and the previous contacts (calls)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from orderdesk.accounts.models import Role, User
from orderdesk.calling.models import CallAttempt
from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.orders.models import Customer, Order
from orderdesk.shipping.models import Shipment, TrackingEvent
from orderdesk.stores.models import Store


@dataclass
class InboundOrder:
    order: Order
    shipment: Shipment | None
    history: list[TrackingEvent] = field(default_factory=list)


@dataclass
class InboundCustomer:
    customer: Customer
    orders: list[InboundOrder]
    contacts: list[CallAttempt]


def stores_served_by(*, user: User) -> QuerySet[Store]:
    return Store.objects.all() if user.role == Role.ADMIN else user.stores.all()


def inbound_lookup(*, user: User, phone: str) -> list[InboundCustomer] | None:
    """The customers with this phone in the user's stores (one per store), newest order first;
    None when the phone cannot be read."""
    try:
        e164 = phone_normalize(phone)
    except PhoneError:
        return None
    customers = Customer.objects.filter(phone=e164, store__in=stores_served_by(user=user))
    found = []
    for customer in customers.select_related("store").order_by("store__name"):
        orders = list(
            Order.objects.filter(customer=customer)
            .select_related("store", "customer", "carrier", "shipment__carrier")
            .prefetch_related(
                "items",
                Prefetch("shipment__events", queryset=TrackingEvent.objects.order_by("at", "id")),
            )
            .order_by("-created_at")
        )
        found.append(
            InboundCustomer(
                customer=customer,
                orders=[_inbound_order(order) for order in orders],
                contacts=list(
                    CallAttempt.objects.filter(customer=customer)
                    .select_related("operator")
                    .prefetch_related("orders")
                    .order_by("-started_at")[:30]
                ),
            )
        )
    return found


def _inbound_order(order: Order) -> InboundOrder:
    shipment = getattr(order, "shipment", None)  # None when not shipped
    return InboundOrder(
        order=order,
        shipment=shipment,
        history=list(shipment.events.all()) if shipment else [],
    )
