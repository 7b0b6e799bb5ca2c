"""The operator's desk: take the next call (key 1), work the card, record the outcome.

Every write is a service call: claims, heartbeats and outcomes are the calling app's, order
edits the orders app's (the script's comment lines through workspace.services). A request
about a call the operator no longer holds answers 409 with the lease-lost banner and swaps
nothing else, so what the operator typed stays in the page to be sent again after taking the
call back."""

from datetime import datetime, timedelta
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from orderdesk.calling.checks import OrderDecision
from orderdesk.calling.models import Lease, OperatorState, PauseCode
from orderdesk.calling.selectors import calling_policy_get, lease_live_of, operator_state_current
from orderdesk.calling.services.leases import (
    LEASE_NOT_HELD,
    OPERATOR_OFFLINE,
    call_next_claim,
    lease_heartbeat,
)
from orderdesk.calling.services.operators import operator_state_choose
from orderdesk.calling.services.outcomes import call_outcome_record
from orderdesk.calling.services.timers import attempt_timers_record
from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.orders.models import ViewedVia
from orderdesk.orders.services import call_card_view_record, orders_view_record

from ..access import operator_view
from ..card import CallCard, call_card_build, parse_date_or_none
from ..selectors import card_changes_since, operator_history, queue_tasks_attach
from .shift import card_shift_context, idle_context, talk_ended_at

HISTORY_DAYS = 7
# A lost call is noticed within 15 seconds (architecture: The operator's shift).
HEARTBEAT_MAX_SECONDS = 15
# How often the card asks what others changed in its orders (one indexed read of the timeline).
CARD_CHANGES_SECONDS = 5


def opstate_context(user, error: str = "") -> dict:
    lease = lease_live_of(operator=user)
    then_pause = ""
    if lease is not None and lease.then_pause_code in PauseCode.values:
        then_pause = PauseCode(lease.then_pause_code).label
    return {
        "current": operator_state_current(operator=user),
        "pause_codes": PauseCode.choices,
        "error": error,
        "then_pause": then_pause,
    }


def heartbeat_seconds(lease: Lease) -> int:
    lease_seconds = calling_policy_get(store=lease.store_id).lease_seconds
    return max(10, min(HEARTBEAT_MAX_SECONDS, lease_seconds // 3))


def live_lease(request: HttpRequest) -> Lease | None:
    lease = lease_live_of(operator=request.user)
    if lease is None or lease.expires_at <= timezone.now():
        return None
    return lease


def card_page(request: HttpRequest, card: CallCard) -> HttpResponse:
    return render(
        request,
        "workspace/desk_card.html",
        {
            "card": card,
            "opstate": opstate_context(request.user),
            "heartbeat_seconds": heartbeat_seconds(card.lease),
            **card_shift_context(card.lease),
            "changes_seconds": CARD_CHANGES_SECONDS,
        },
    )


def lease_lost_response(request: HttpRequest) -> HttpResponse:
    """409: reveal the banner, keep the page (and every typed value) as it is."""
    response = render(
        request,
        "workspace/_lease_lost.html",
        # The header learns the state the server now has (never "in a call" without a call).
        {"lost": True, "opstate": opstate_context(request.user)},
        status=409,
    )
    response["HX-Retarget"] = "#lease-lost-banner"
    response["HX-Reswap"] = "outerHTML"
    return response


@operator_view
def desk(request: HttpRequest) -> HttpResponse:
    lease = live_lease(request)
    if lease is not None:
        card = call_card_build(lease=lease, operator=request.user, at=timezone.now())
        if card.orders or card.problems or card.feedback:
            # Only the full card is a view: heartbeats, the checklist and the edits' answers
            # refresh what is already on the screen (orders.services.audit).
            call_card_view_record(
                orders=[oc.order for oc in card.orders]
                + [pc.order for pc in card.problems]
                + [fc.order for fc in card.feedback]
                + card.other_orders,
                actor=request.user,
                lease_id=lease.pk,
            )
            return card_page(request, card)
    return render(
        request,
        "workspace/desk_idle.html",
        {
            "opstate": opstate_context(request.user),
            "nothing_eligible": request.GET.get("empty") == "1",
            "incoming_poll_seconds": INCOMING_POLL_SECONDS,
            **idle_context(request, empty=request.GET.get("empty") == "1"),
        },
    )


def _offline_answer(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """Key 1 while offline: the state stays, the page says why no call came."""
    if request.htmx:
        return render(
            request,
            "workspace/_opstate.html",
            {"opstate": opstate_context(request.user, exc.message)},
            status=409,
        )
    messages.error(request, exc.message)
    return redirect("workspace:desk")


@require_POST
@operator_view
def next_call(request: HttpRequest) -> HttpResponse:
    """Key 1: the most urgent eligible customer (or the call already held)."""
    try:
        claim = call_next_claim(operator=request.user)
    except ApplicationError as exc:
        if exc.code != OPERATOR_OFFLINE:
            raise
        return _offline_answer(request, exc)
    target = reverse("workspace:desk") + ("" if claim else "?empty=1")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


INCOMING_POLL_SECONDS = 5


@operator_view
def incoming(request: HttpRequest) -> HttpResponse:
    """The idle desk asks now and then whether a call was put on this operator (a supervisor's
    hand-over): the card opens at once, without pressing 1. Reads only."""
    if live_lease(request) is not None:
        return HttpResponseClientRedirect(reverse("workspace:desk"))
    return HttpResponse(status=204)


@require_POST
@operator_view
def state_set(request: HttpRequest) -> HttpResponse:
    state = request.POST.get("state", "")
    pause_code = request.POST.get("pause_code", "") if state == OperatorState.PAUSED else ""
    error = ""
    try:
        operator_state_choose(operator=request.user, state=state, pause_code=pause_code)
    except ValidationFailed as exc:
        error = " ".join(e["message"] for e in exc.errors)
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:
        return render(
            request,
            "workspace/_opstate.html",
            {"opstate": opstate_context(request.user, error)},
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("workspace:desk")


@require_POST
@operator_view
def heartbeat(request: HttpRequest) -> HttpResponse:
    try:
        lease_id = UUID(request.POST.get("lease", ""))
    except ValueError as exc:
        raise Http404("lease not found") from exc
    try:
        lease = lease_heartbeat(lease_id=lease_id, operator=request.user)
    except ApplicationError as exc:
        if exc.code != LEASE_NOT_HELD:
            raise
        return lease_lost_response(request)
    return render(
        request,
        "workspace/_heartbeat.html",
        {"card": {"lease": lease}, "heartbeat_seconds": heartbeat_seconds(lease)},
    )


@require_POST
@operator_view
def card_changes(request: HttpRequest) -> HttpResponse:
    """Polled every few seconds by the card: what others (the store, a supervisor) changed in
    the call's orders since the card last showed them. Out of band, so the outcome form and the
    other panels keep what is typed. A lease no longer held stops the polling (the heartbeat
    shows the lease-lost banner)."""
    lease = _held_lease(request)
    seen = _seen_at(request)
    if lease is None or seen is None:
        return render(request, "workspace/_card_changes.html", {"lease": None})
    changes = card_changes_since(order_ids=lease.order_ids, since=seen, operator=request.user)
    context = {
        "lease": lease,
        "seen": changes[-1].created_at if changes else seen,
        "changes_seconds": CARD_CHANGES_SECONDS,
    }
    html = render_to_string("workspace/_card_changes.html", context, request=request)
    if changes:
        html += _changes_html(request, lease, changes)
    return HttpResponse(html)


def _seen_at(request: HttpRequest) -> datetime | None:
    """When the card last showed the orders (its poll posts it back)."""
    try:
        seen = datetime.fromisoformat(request.POST.get("seen", ""))
    except ValueError:
        return None
    return seen if timezone.is_aware(seen) else None


def _changes_html(request: HttpRequest, lease: Lease, changes: list) -> str:
    """Out of band: each changed order's panel again with a notice of who changed it; for an
    order that left the call (cancelled), only a notice in its panel, so the forms and the
    outcome being typed stay as they are; the timeline."""
    card = call_card_build(lease=lease, operator=request.user, at=timezone.now())
    by_order = {str(oc.order.pk): oc for oc in card.orders}
    notices: dict[str, str] = {}
    for event in changes:
        notices[str(event.order_id)] = change_notice(event)
    parts = []
    for order_id, notice in notices.items():
        oc = by_order.get(order_id)
        if oc is not None:
            oc.notice = notice
            template, context = "workspace/desk_card.html#order-panel", {"oc": oc}
        else:  # it left the call: its decision is moot and is no longer posted
            number = next(e.order.external_id for e in changes if str(e.order_id) == order_id)
            template = "workspace/_order_left_call.html"
            context = {"order_id": order_id, "number": number}
        context |= {"card": card, "notice": notice, "oob": True, "oob_panel": True}
        parts.append(render_to_string(template, context, request=request))
    parts.append(
        render_to_string(
            "workspace/desk_card.html#card-timeline", {"card": card, "oob": True}, request=request
        )
    )
    return "".join(parts)


def change_notice(event) -> str:
    """Who changed which order when, the time in the desk's stated zone."""
    who = event.actor.username if event.actor_id else event.actor_label
    number, at = event.order.external_id, timezone.localtime(event.created_at)
    time = f"{at:%H:%M} ({timezone.get_current_timezone_name()})"
    if event.type == "status_changed" and event.data.get("to") == "cancelled":
        return _(
            "Order %(number)s was cancelled by %(who)s at %(time)s (%(reason)s). It has left "
            "this call; what you typed is kept."
        ) % {
            "number": number,
            "who": who,
            "time": time,
            "reason": event.data.get("reason", ""),
        }
    if event.type == "status_changed" and event.data.get("to") == "delivered":
        return _(
            "Order %(number)s was delivered (%(who)s, %(time)s): its delivery problem settled "
            "itself and it has left this call; what you typed is kept."
        ) % {"number": number, "who": who, "time": time}
    if event.type == "status_changed" and event.data.get("to") == "returned":
        return _(
            "Order %(number)s went back to the store (%(who)s, %(time)s): there is nothing left "
            "to call about and it has left this call; what you typed is kept."
        ) % {"number": number, "who": who, "time": time}
    return _("Order %(number)s was changed by %(who)s at %(time)s: the card shows it now.") % {
        "number": number,
        "who": who,
        "time": time,
    }


def _held_lease(request: HttpRequest) -> Lease | None:
    """The live lease the posted form belongs to; None when it is no longer this operator's."""
    lease = live_lease(request)
    if lease is None or str(lease.pk) != request.POST.get("lease", str(lease.pk)):
        return None
    return lease


@require_POST
@operator_view
def checks(request: HttpRequest) -> HttpResponse:
    """The checklist for the outcome form as typed: Confirm is enabled only when it passes."""
    lease = _held_lease(request)
    if lease is None:
        return lease_lost_response(request)
    card = call_card_build(
        lease=lease, operator=request.user, at=timezone.now(), form=request.POST.dict()
    )
    return render(
        request, "workspace/_outcome_form.html#checklist", {"card": card, "clear_errors": True}
    )


def _decisions(request: HttpRequest) -> list[OrderDecision]:
    """Each order's decision as the outcome form posts it (`decision_<order id>`, with its
    `date_<id>` and `reason_<id>`); the service checks them against the orders it holds."""
    decisions = []
    for key, decision in request.POST.items():
        if not key.startswith("decision_") or not decision:
            continue
        order_id = key.removeprefix("decision_")
        decisions.append(
            OrderDecision(
                order_id=order_id,
                decision=decision,
                delivery_on=parse_date_or_none(request.POST.get(f"date_{order_id}", "")),
                reason=request.POST.get(f"reason_{order_id}", ""),
                address=_address_corrections(request, order_id) or None,
            )
        )
    return decisions


def _address_corrections(request: HttpRequest, order_id: str) -> dict[str, str]:
    """A redelivery's corrected address or recipient (`address_<order id>_<field>`), the
    fields filled in only."""
    prefix = f"address_{order_id}_"
    return {
        key.removeprefix(prefix): value.strip()
        for key, value in request.POST.items()
        if key.startswith(prefix) and value.strip()
    }


def _callback_at(request: HttpRequest) -> datetime | None:
    """The picker gives the customer's wall-clock time: passed on without an offset, which the
    outcome service reads in the customer's zone."""
    raw = request.POST.get("callback_at", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None)
    except ValueError:
        return None


@require_POST
@operator_view
def outcome(request: HttpRequest) -> HttpResponse:
    """The outcome form, parsed and handed to the service (which runs every check): the card
    is not rebuilt for it."""
    lease = _held_lease(request)
    if lease is None:
        return lease_lost_response(request)
    try:
        recorded = call_outcome_record(
            lease_id=lease.pk,
            operator=request.user,
            result=request.POST.get("result", ""),
            notes=request.POST.get("notes", ""),
            callback_at=_callback_at(request),
            personal=request.POST.get("personal") == "1",
            reason=request.POST.get("reason", ""),
            decisions=_decisions(request),
        )
    except ValidationFailed as exc:
        return render(request, "workspace/_outcome_errors.html", {"errors": exc.errors}, status=422)
    except ApplicationError as exc:
        if exc.code != LEASE_NOT_HELD:
            raise
        return lease_lost_response(request)
    if not recorded.replayed:
        attempt_timers_record(
            attempt=recorded.attempt, operator=request.user, talk_ended_at=talk_ended_at(request)
        )
    messages.success(request, _("Outcome recorded. Press 1 for the next call."))
    if request.htmx:
        return HttpResponseClientRedirect(reverse("workspace:desk"))
    return redirect("workspace:desk")


@require_POST
@operator_view
def reclaim(request: HttpRequest) -> HttpResponse:
    """After a lost lease: take the next call; when it is the same customer, the page keeps
    everything typed and only learns the new lease, so the operator can send it again."""
    customer_id = request.POST.get("customer", "")
    # Taking the call back is choosing to work: a lost call left the operator offline.
    operator_state_choose(operator=request.user, state=OperatorState.READY)
    claim = call_next_claim(operator=request.user)
    if claim is not None and str(claim.lease.customer_id) == customer_id:
        return render(
            request,
            "workspace/_reclaimed.html",
            {
                "lease": claim.lease,
                "heartbeat_seconds": heartbeat_seconds(claim.lease),
                "seen": timezone.now(),
                "changes_seconds": CARD_CHANGES_SECONDS,
            },
        )
    if request.htmx:
        # Another customer (or nobody): stay on this page, so what was typed can still be read
        # and copied, and say where the next call is.
        return render(request, "workspace/_reclaim_other.html", {"claim": claim})
    if claim is not None:
        messages.warning(
            request, _("That customer could not be taken again; here is the next call.")
        )
    return redirect(reverse("workspace:desk") + ("" if claim else "?empty=1"))


@operator_view
def history(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    orders = queue_tasks_attach(list(operator_history(user=request.user, since=since)[:200]))
    # The list shows each customer's name: a view of every order on it.
    orders_view_record(orders=orders, actor=request.user, via=ViewedVia.HISTORY)
    return render(request, "workspace/history.html", {"orders": orders, "days": HISTORY_DAYS})
