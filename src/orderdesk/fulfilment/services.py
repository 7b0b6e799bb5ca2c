"""Every write of fulfilment: a dispatch takes the confirmed orders of one carrier and date."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.delivery.models import Carrier
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.services import actor_label_of, order_status_change
from orderdesk.stores.models import Store

from .models import Dispatch, DispatchOrder
from .selectors import dispatch_candidates_lock

DISPATCH_EMPTY = "dispatch_empty"


@transaction.atomic
def dispatch_create(
    *,
    store: Store,
    carrier: Carrier,
    delivery_on: date,
    actor: User | None = None,
    actor_label: str = "",
) -> Dispatch:
    """Every confirmed order of the store for this carrier and date, not dispatched yet, moves
    to `in_fulfilment` in one transaction with the dispatch that lists it.

    The candidates are locked `FOR UPDATE`: a concurrent dispatch of the same orders waits for
    this one, then PostgreSQL re-reads the rows it waited for and drops those no longer
    `confirmed`, so an order lands in one dispatch only (the unique `DispatchOrder.order`
    would refuse a second anyway). Nothing to dispatch is a 409 and stores nothing."""
    orders = dispatch_candidates_lock(store=store, carrier=carrier, delivery_on=delivery_on)
    if not orders:
        raise ApplicationError(
            DISPATCH_EMPTY,
            f"date: no confirmed order of {carrier.code} for {delivery_on:%Y-%m-%d} "
            "waits for dispatch",
            status_code=409,
        )
    dispatch = Dispatch.objects.create(
        store=store,
        carrier=carrier,
        delivery_on=delivery_on,
        created_by=actor,
        created_by_label=actor_label_of(actor, actor_label),
        created_at=timezone.now(),
    )
    DispatchOrder.objects.bulk_create(
        DispatchOrder(dispatch=dispatch, order=order, position=n) for n, order in enumerate(orders)
    )
    for order in orders:
        order_status_change(
            order=order,
            to=OrderStatus.IN_FULFILMENT,
            actor=actor,
            actor_label=actor_label,
            data={"dispatch": str(dispatch.pk)},
        )
    return dispatch
