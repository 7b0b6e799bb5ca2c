"""Reads of orders, always scoped to what the caller may see (a store, or a staff user)."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from orderdesk.accounts.models import Role, User
from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.stores.models import Store

from .models import OPEN_STATUSES, Customer, Order, OrderEvent, OrderEventType

ORDER_RELATED = ("store", "customer", "locality", "carrier")


def orders_visible_to_user(*, user: User) -> QuerySet[Order]:
    """Admins see every store, supervisors their stores, operators the orders they hold or held
    (taking a call and recording its outcome both write the operator's own timeline events)."""
    orders = Order.objects.all()
    if user.role == Role.ADMIN:
        return orders
    if user.role == Role.SUPERVISOR:
        return orders.filter(store__in=user.stores.all())
    worked = OrderEvent.objects.filter(actor=user).exclude(type=OrderEventType.VIEWED)
    worked = worked.values("order_id")
    return orders.filter(pk__in=worked)


def orders_visible(*, store: Store | None = None, user: User | None = None) -> QuerySet[Order]:
    if store is not None:
        return Order.objects.filter(store=store)
    if user is not None:
        return orders_visible_to_user(user=user)
    return Order.objects.none()


SEARCH_MIN_DIGITS = 4


def orders_searchable(*, store: Store | None = None, user: User | None = None) -> QuerySet[Order]:
    """Where a search looks: a store's own orders; staff the orders of the stores they work
    (an operator answering a call must find an order they never called), admins every store."""
    if store is not None:
        return Order.objects.filter(store=store)
    if user is None:
        return Order.objects.none()
    if user.role == Role.ADMIN:
        return Order.objects.all()
    return Order.objects.filter(store__in=user.stores.all())


def search_condition(text: str) -> Q:
    """An order number (exactly, any case), a phone however it is written (the whole number in
    any notation, or at least four of its digits in a row) or a part of the customer's name."""
    text = " ".join(text.split())
    condition = Q(external_id__iexact=text) | Q(customer__name__icontains=text)
    try:
        phone = phone_normalize(text)
    except PhoneError:
        phone = ""
    if phone:
        condition |= Q(customer__phone=phone) | Q(customer__additional_phones__contains=[phone])
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= SEARCH_MIN_DIGITS and len(digits) * 2 >= len(text.replace(" ", "")):
        condition |= Q(customer__phone__contains=digits)
    return condition


def orders_search(
    *, text: str, store: Store | None = None, user: User | None = None
) -> QuerySet[Order]:
    """Orders matching the search text among those the caller may search, newest first."""
    return (
        orders_searchable(store=store, user=user)
        .filter(search_condition(text))
        .select_related(*ORDER_RELATED)
        .prefetch_related("items")
        .order_by("-created_at", "-id")
    )


def order_get(
    *, order_id, store: Store | None = None, user: User | None = None, with_timeline: bool = False
) -> Order:
    """One order the caller may see; another tenant's order is 'not found', never 'forbidden'."""
    orders = (
        orders_visible(store=store, user=user)
        .select_related(*ORDER_RELATED)
        .prefetch_related("items")
    )
    if with_timeline:
        orders = orders.prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor"))
        )
    order = orders.filter(pk=order_id).first()
    if order is None:
        raise Http404(f"order {order_id} not found")
    return order


def orders_list(
    *,
    store: Store | None = None,
    user: User | None = None,
    external_id: str | None = None,
    status: str | None = None,
    updated_since: datetime | None = None,
    search: str = "",
) -> QuerySet[Order]:
    """Newest change first (uses orders_store_updated_idx). A search looks in every order the
    caller may search (`orders_searchable`)."""
    if search:
        orders = orders_searchable(store=store, user=user).filter(search_condition(search))
    else:
        orders = orders_visible(store=store, user=user)
    if external_id:
        orders = orders.filter(external_id=external_id)
    if status:
        orders = orders.filter(status=status)
    if updated_since:
        orders = orders.filter(updated_at__gte=updated_since)
    return (
        orders.select_related(*ORDER_RELATED)
        .prefetch_related("items")
        .order_by("-updated_at", "-id")
    )


def customer_open_orders(*, order: Order) -> QuerySet[Order]:
    """All open orders of this order's customer in the same store (confirmed in one call)."""
    return (
        Order.objects.filter(
            store_id=order.store_id, customer_id=order.customer_id, status__in=OPEN_STATUSES
        )
        .select_related(*ORDER_RELATED)
        .prefetch_related("items")
        .order_by("created_at")
    )


def customers_supervised_by(*, user: User) -> QuerySet[Customer]:
    """Customers whose views a person may list: admins every store's, supervisors their stores',
    operators none (who saw a customer is a supervisor's question, not an operator's)."""
    if user.role == Role.ADMIN:
        return Customer.objects.all()
    if user.role == Role.SUPERVISOR:
        return Customer.objects.filter(store__in=user.stores.all())
    return Customer.objects.none()


def customer_get_supervised(*, customer_id, user: User) -> Customer:
    """One customer the user supervises; another store's is 'not found', never 'forbidden'."""
    customer = (
        customers_supervised_by(user=user).select_related("store").filter(pk=customer_id).first()
    )
    if customer is None:
        raise Http404(f"customer {customer_id} not found")
    return customer


def customer_views_list(*, customer: Customer) -> QuerySet[OrderEvent]:
    """Who saw this customer's personal data, newest first: every `viewed` event on their
    orders (the customer comes from `customer_get_supervised`, so the scope is already the
    caller's). Served by the timeline index (order, created_at) per order."""
    return (
        OrderEvent.objects.filter(
            type=OrderEventType.VIEWED,
            order__in=Order.objects.filter(
                store_id=customer.store_id, customer_id=customer.pk
            ).values("pk"),
        )
        .select_related("actor", "order")
        .order_by("-created_at", "-id")
    )


def customers_by_phone(*, phone: str, stores: QuerySet[Store] | list[Store]) -> QuerySet[Customer]:
    """The customers of `stores` with this phone (E.164), as their main or an additional
    number; the caller's scope is `stores`, so another store's customer is never found."""
    from django.db.models import Q

    return (
        Customer.objects.filter(store__in=stores)
        .filter(Q(phone=phone) | Q(additional_phones__contains=[phone]))
        .select_related("store")
        .order_by("pk")
    )


def customer_export_data(*, customer: Customer) -> tuple[dict, list[Order]]:
    """Everything held about the customer: the customer, their orders with items, addresses
    and timelines, and what the apps above orders keep about them (call attempts, tasks)."""
    from .extensions import export_parts_read
    from .representations import event_data, order_data

    orders = list(
        Order.objects.filter(customer=customer)
        .select_related(*ORDER_RELATED)
        .prefetch_related(
            "items", Prefetch("events", queryset=OrderEvent.objects.select_related("actor"))
        )
        .order_by("created_at", "pk")
    )
    return {
        "customer": {
            "id": customer.pk,
            "store": customer.store.slug,
            "name": customer.name,
            "phone": customer.phone,
            "additional_phones": list(customer.additional_phones),
            "email": customer.email,
            "language": customer.language,
            "created_at": customer.created_at.isoformat(),
            "erased_at": customer.erased_at.isoformat() if customer.erased_at else None,
        },
        "orders": [
            {
                **order_data(order, items=list(order.items.all())),
                "timeline": [event_data(e) for e in order.events.all()],
            }
            for order in orders
        ],
        **{"call_attempts": [], "call_tasks": [], "messages": [], **export_parts_read(orders)},
    }, orders
