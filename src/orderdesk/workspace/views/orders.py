"""The read-only order page: supervisors for their stores, operators for their own calls."""

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from orderdesk.accounts.models import User
from orderdesk.delivery.models import Carrier
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, ViewedVia
from orderdesk.orders.selectors import customer_open_orders, orders_visible_to_user
from orderdesk.orders.services import order_view_record
from orderdesk.shipping.selectors import order_delivery_facts

from ..access import any_staff_view
from ..selectors import operator_history, queue_tasks_attach

# Views are read in "who saw this customer" (views.customers); on the timeline they would bury
# what happened to the order under who looked at it.
TIMELINE_EVENTS = OrderEvent.objects.exclude(type=OrderEventType.VIEWED)


def orders_viewable_by(*, user: User):
    """Operators see only the orders they hold or worked on; supervisors their stores."""
    if user.is_operator:
        return operator_history(user=user)
    return orders_visible_to_user(user=user)


def order_for_viewer(*, user: User, order_id) -> Order:
    order = (
        orders_viewable_by(user=user)
        .select_related("store", "customer", "locality", "carrier")
        .prefetch_related(
            "items", Prefetch("events", queryset=TIMELINE_EVENTS.select_related("actor"))
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404("order not found")
    queue_tasks_attach([order])
    return order


@any_staff_view
def order_detail(request: HttpRequest, order_id) -> HttpResponse:
    order = order_for_viewer(user=request.user, order_id=order_id)
    order_view_record(order=order, actor=request.user, via=ViewedVia.ORDER_PAGE)
    others = customer_open_orders(order=order).exclude(pk=order.pk)
    others = others.filter(pk__in=orders_viewable_by(user=request.user).values("pk"))
    return render(
        request,
        "workspace/order_detail.html",
        {
            "order": order,
            "other_orders": others,
            "timeline": order.events.all(),
            "delivery": order_delivery_facts(order=order),
            "carriers": Carrier.objects.order_by("name"),
        },
    )
