"""Changes to an order while its customer is on the line. Each is one service call with its
timeline event; the answer is the order's panel again, with the script, the timeline and the
checklist out of band: the card is built once per edit. The edit forms post the outcome form
along (`hx-include` on the card), so the checklist judges the decisions as typed."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from orderdesk.calling.models import CallTaskState
from orderdesk.core.errors import ApplicationError
from orderdesk.messaging.models import OptOutVia
from orderdesk.messaging.services.operator import operator_message_send
from orderdesk.messaging.services.opt_out import customer_opt_out
from orderdesk.orders.models import Order
from orderdesk.orders.services import (
    customer_phone_add,
    order_item_add,
    order_item_quantity_set,
    order_item_remove,
    order_update,
)

from .. import services
from ..access import operator_view
from ..card import call_card_build
from ..selectors import operator_history
from .operator import lease_lost_response, live_lease

ADDRESS_FIELDS = ("street", "house", "apartment", "entrance", "floor", "intercom")
FIELD_MAX = 200
FIELD_TOO_LONG = "field_too_long"


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()[:FIELD_MAX]


def _order_text(request: HttpRequest, name: str) -> str:
    """A value for the order's own column: longer than the column keeps is refused (422)."""
    value = request.POST.get(name, "").strip()
    limit = Order._meta.get_field(name).max_length
    if len(value) > limit:
        raise ApplicationError(FIELD_TOO_LONG, f"{name}: at most {limit} characters")
    return value


def _int(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return 0


def held_order_of(*, lease, order_id) -> Order | None:
    """The order if this live lease holds it in the call, else None."""
    if lease is None or str(order_id) not in lease.order_ids:
        return None
    return (
        Order.objects.select_related("store", "customer")
        .filter(pk=order_id, call_tasks__lease=lease, call_tasks__state=CallTaskState.IN_CALL)
        .first()
    )


def held_order_edit(change: Callable[..., object]) -> Callable:
    """Wrap an edit: the order must be held by this operator's live lease. An order the operator
    never worked on is 404; one whose lease they lost is 409 (the lease-lost banner)."""

    @require_POST
    @operator_view
    def view(request: HttpRequest, order_id, **kwargs) -> HttpResponse:
        lease = live_lease(request)
        order = held_order_of(lease=lease, order_id=order_id)
        if order is None:
            if operator_history(user=request.user).filter(pk=order_id).exists():
                return lease_lost_response(request)
            raise Http404("order not found")
        error, status = "", 200
        try:
            change(request, order, **kwargs)
        except ApplicationError as exc:
            error, status = exc.message, 422
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("workspace:desk")
        card = call_card_build(
            lease=lease, operator=request.user, at=timezone.now(), form=request.POST.dict()
        )
        oc = next(c for c in card.orders if c.order.pk == order.pk)
        oc.error = error
        context = {"card": card, "oc": oc, "oob": True}
        html = "".join(
            render_to_string(template, context, request=request)
            for template in (
                "workspace/desk_card.html#order-panel",
                "workspace/desk_card.html#script-panel",
                "workspace/desk_card.html#card-timeline",
                "workspace/desk_card.html#card-messages",
                "workspace/_outcome_form.html#checklist",
            )
        )
        return HttpResponse(html, status=status)

    return view


@held_order_edit
def address(request: HttpRequest, order: Order) -> None:
    changes = {name: _order_text(request, name) for name in ADDRESS_FIELDS}
    changes["is_out_of_city"] = request.POST.get("is_out_of_city") == "1"
    order_update(order=order, changes=changes, actor=request.user, reason="call")


@held_order_edit
def recipient(request: HttpRequest, order: Order) -> None:
    changes = {
        "recipient_name": _order_text(request, "recipient_name"),
        "recipient_phone": _order_text(request, "recipient_phone"),
    }
    order_update(order=order, changes=changes, actor=request.user, reason="call")


@held_order_edit
def item_quantity(request: HttpRequest, order: Order, item_id: int) -> None:
    order_item_quantity_set(
        order=order, item_id=item_id, quantity=_int(request, "quantity"), actor=request.user
    )


@held_order_edit
def item_remove(request: HttpRequest, order: Order, item_id: int) -> None:
    order_item_remove(order=order, item_id=item_id, actor=request.user)


@held_order_edit
def item_add(request: HttpRequest, order: Order) -> None:
    order_item_add(
        order=order,
        product_id=_int(request, "product"),
        quantity=_int(request, "quantity"),
        actor=request.user,
    )


@held_order_edit
def phone_add(request: HttpRequest, order: Order) -> None:
    customer_phone_add(order=order, phone=_text(request, "phone"), actor=request.user)


@held_order_edit
def elevator(request: HttpRequest, order: Order) -> None:
    services.order_elevator_set(
        order=order, elevator=_text(request, "elevator"), actor=request.user
    )


@held_order_edit
def time_wish(request: HttpRequest, order: Order) -> None:
    services.order_time_wish_set(
        order=order, start=_text(request, "start"), end=_text(request, "end"), actor=request.user
    )


@held_order_edit
def bad_connection(request: HttpRequest, order: Order) -> None:
    services.order_bad_connection_note(order=order, actor=request.user)


@held_order_edit
def message_send(request: HttpRequest, order: Order) -> None:
    """A template again (e.g. the private link) or the operator's own text, to the customer."""
    operator_message_send(
        order=order,
        actor=request.user,
        event=request.POST.get("template", ""),
        text=request.POST.get("text", ""),
    )


@held_order_edit
def opt_out(request: HttpRequest, order: Order) -> None:
    """The customer asked on the phone for no more messages."""
    customer_opt_out(customer=order.customer, via=OptOutVia.OPERATOR)
