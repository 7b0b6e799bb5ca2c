"""The pace of the operator's shift: progressive mode (the next call offered after the wrap-up
time, `p` holds it), why the queue is empty, the customer whole on the card, the timers."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from orderdesk.calling.models import Lease

from ..access import operator_view
from ..services import desk_progressive_set
from ..shift import customer_history, empty_queue_reasons, next_call_offer


def idle_context(request: HttpRequest, *, empty: bool) -> dict:
    """What the idle desk shows besides the key 1: the countdown to the next call and, when the
    last try found nothing, why."""
    now = timezone.now()
    return {
        "offer": next_call_offer(operator=request.user, at=now, empty=empty),
        "empty_reasons": empty_queue_reasons(operator=request.user, at=now) if empty else None,
        "zone_name": timezone.get_current_timezone_name(),
    }


def card_shift_context(lease: Lease) -> dict:
    return {"history": customer_history(store_id=lease.store_id, customer_id=lease.customer_id)}


def talk_ended_at(request: HttpRequest) -> datetime | None:
    """When the operator said the conversation was over (key 0), as the page sends it: an ISO
    instant with its offset. Anything else: not said."""
    raw = request.POST.get("talk_ended_at", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


@require_POST
@operator_view
def progressive_set(request: HttpRequest) -> HttpResponse:
    desk_progressive_set(operator=request.user, progressive=request.POST.get("progressive") == "1")
    return redirect("workspace:desk")
