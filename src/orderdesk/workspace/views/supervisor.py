"""The supervisor's live view: the queue, the callbacks due, the unreachable orders to decide,
operators and their calls; refreshed by htmx polling without reloading the page. Actions
(release or reassign a call, decide an unreachable order) answer with the refreshed board."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderdesk.accounts.models import Role, User
from orderdesk.calling import services as calling_services
from orderdesk.calling.models import CallTaskState, Lease
from orderdesk.calling.selectors import cancel_reasons_for
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.selectors import orders_visible_to_user
from orderdesk.shipping.selectors import problems_open

from ..access import supervisor_view
from ..selectors import (
    callbacks_due,
    handover_candidates_attach,
    operators_board,
    queue_summary,
    stores_supervised_by,
    tasks_in_state,
)
from ..shift import operators_today_numbers

LIVE_REFRESH_SECONDS = 5


def live_context(request: HttpRequest, error: str = "") -> dict:
    now = timezone.now()
    stores = stores_supervised_by(user=request.user)
    operators = operators_board(stores=stores, now=now)
    handover_candidates_attach(operators)
    unreachable = list(tasks_in_state(stores=stores, state=CallTaskState.UNREACHABLE))
    reasons = {store.pk: cancel_reasons_for(store=store) for store in stores}
    for task in unreachable:
        task.cancel_choices = reasons.get(task.store_id, [])
    return {
        "now": now,
        "stores": stores,
        "queue": queue_summary(stores=stores),
        "callbacks": callbacks_due(stores=stores, now=now),
        "unreachable": unreachable,
        "pending": tasks_in_state(stores=stores, state=CallTaskState.PENDING_CHECK),
        "problems": problems_open(stores=stores),
        "operators": operators,
        "numbers": operators_today_numbers(stores=stores, now=now),
        "zone_name": timezone.get_current_timezone_name(),
        "refresh_seconds": LIVE_REFRESH_SECONDS,
        "board_error": error,
    }


@supervisor_view
def live(request: HttpRequest) -> HttpResponse:
    template = "workspace/live.html#live-board" if request.htmx else "workspace/live.html"
    return render(request, template, live_context(request))


def _board_answer(request: HttpRequest, error: str = "") -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "workspace/live.html#live-board",
            live_context(request, error),
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("workspace:live")


def _lease_in_scope(request: HttpRequest, lease_id) -> Lease:
    stores = stores_supervised_by(user=request.user)
    lease = Lease.objects.filter(pk=lease_id, store__in=stores).first()
    if lease is None:
        raise Http404("lease not found")
    return lease


@require_POST
@supervisor_view
def lease_release(request: HttpRequest, lease_id) -> HttpResponse:
    lease = _lease_in_scope(request, lease_id)
    try:
        calling_services.lease_release(lease_id=lease.pk, supervisor=request.user)
    except ApplicationError as exc:
        return _board_answer(request, exc.message)
    return _board_answer(request)


@require_POST
@supervisor_view
def lease_reassign(request: HttpRequest, lease_id) -> HttpResponse:
    lease = _lease_in_scope(request, lease_id)
    operator_id = request.POST.get("operator", "")
    target = (
        User.objects.filter(pk=int(operator_id), role=Role.OPERATOR).first()
        if operator_id.isdigit()
        else None
    )
    if target is None:
        return _board_answer(request, "operator: choose an operator")
    try:
        calling_services.lease_reassign(lease_id=lease.pk, operator=target, supervisor=request.user)
    except ApplicationError as exc:
        return _board_answer(request, exc.message)
    return _board_answer(request)


@require_POST
@supervisor_view
def unreachable_decide(request: HttpRequest, order_id) -> HttpResponse:
    order = orders_visible_to_user(user=request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404("order not found")
    try:
        calling_services.order_unreachable_decide(
            order=order,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            supervisor=request.user,
        )
    except ApplicationError as exc:
        return _board_answer(request, exc.message)
    return _board_answer(request)


CHECK_ANSWERS = {"yes": True, "no": False}


@require_POST
@supervisor_view
def address_check(request: HttpRequest, order_id) -> HttpResponse:
    """The answer to an order's out-of-city check, as the API records it (the same service)."""
    order = orders_visible_to_user(user=request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404("order not found")
    answer = request.POST.get("deliverable", "")
    if answer not in CHECK_ANSWERS:
        return _board_answer(request, _("deliverable: answer yes or no"))
    try:
        calling_services.address_check_record(
            order=order,
            deliverable=CHECK_ANSWERS[answer],
            note=request.POST.get("note", "")[:2000],
            actor=request.user,
        )
    except ApplicationError as exc:
        return _board_answer(request, exc.message)
    return _board_answer(request)
