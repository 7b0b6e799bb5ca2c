"""An order's timeline as people read it: in the reader's language, with labels for the codes
the events keep ("Queued → In call"), times in a named zone, and nothing that names a record
for programs (task, lease and attempt ids, field names, ISO stamps). Plain text: the template
escapes it."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.accounts.models import Role
from orderdesk.calling.models import CallPurpose, CallResult, CallTaskState
from orderdesk.core.phones import phone_mask
from orderdesk.orders.models import Customer, Elevator, Order, OrderEventType, OrderStatus, Source

from .templatetags.workspace_tags import day_label, zoned

# The keys an event's data may carry that a reader is shown, with their labels; any other key
# (ids, internal flags) is left out.
KEY_LABELS = {
    "reason": gettext_lazy("reason"),
    "result": gettext_lazy("result"),
    "source": gettext_lazy("source"),
    "status": gettext_lazy("status"),
    "next_call_at": gettext_lazy("next call"),
    "min_gap_until": gettext_lazy("held by the minimum gap until"),
    "notes": gettext_lazy("notes"),
    "note": gettext_lazy("note"),
    "deliverable": gettext_lazy("deliverable"),
    "from_operator": gettext_lazy("from"),
    "to_operator": gettext_lazy("to"),
    "operator": gettext_lazy("operator"),
    "sku": gettext_lazy("SKU"),
    "name": gettext_lazy("item"),
    "quantity": gettext_lazy("quantity"),
    "price": gettext_lazy("price"),
    "locality_matched": gettext_lazy("locality recognised"),
}
REASON_LABELS = {
    "min_gap": gettext_lazy("minimum gap since the last call to this phone"),
    "check_due": gettext_lazy("time to call back after the delivery check"),
    "check_answered": gettext_lazy("the delivery check is answered"),
    "operator_absent": gettext_lazy("the operator of the personal callback is away"),
    "personal_data_erased": gettext_lazy("personal data erased"),
    "supervisor": gettext_lazy("by a supervisor"),
    "lease_released": gettext_lazy("call released by a supervisor"),
    "lease_expired": gettext_lazy("call lost (no heartbeat)"),
    "requeued_by_supervisor": gettext_lazy("called again by a supervisor"),
    "given_up_by_supervisor": gettext_lazy("given up by a supervisor"),
    "reassigned": gettext_lazy("handed over by a supervisor"),
    "problem_settled_delivered": gettext_lazy(
        "the parcel was delivered: the delivery problem is settled by the carrier, no call needed"
    ),
    "problem_settled_returned": gettext_lazy(
        "the parcel was returned: the delivery problem is settled by the carrier, no call needed"
    ),
}
CODE_LABELS = {
    **dict(CallResult.choices),
    **dict(OrderStatus.choices),
    **dict(Source.choices),
    **dict(Elevator.choices),
    **{f"order_{code}": label for code, label in OrderStatus.choices},
    **REASON_LABELS,
}
STATE_LABELS = dict(CallTaskState.choices)
PURPOSE_LABELS = dict(CallPurpose.choices)
ROLE_LABELS = {
    Role.OPERATOR: gettext_lazy("operator"),
    Role.SUPERVISOR: gettext_lazy("supervisor"),
    Role.ADMIN: gettext_lazy("admin"),
}


def value_text(value: Any, name: str = "") -> str:
    """One value as a reader sees it: labels for codes, dates and times written out."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(value_text(v, name) for v in value)
    text = str(value)
    if "phone" in name:
        return phone_mask(text)
    if text in CODE_LABELS:
        return str(CODE_LABELS[text])
    return _date_text(text) or text


def _date_text(text: str) -> str:
    if len(text) == 10:
        try:
            return day_label(date.fromisoformat(text))
        except ValueError:
            return ""
    if len(text) > 18 and text[4] == "-" and "T" in text:
        try:
            return zoned(datetime.fromisoformat(text))
        except ValueError:
            return ""
    return ""


def field_label(name: str) -> str:
    """An order field by its name on the screen ("street" in the reader's language)."""
    for model in (Order, Customer):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return str(KEY_LABELS.get(name, ""))


def event_summary(event) -> str:
    """One line per event: the changed fields with old → new values, a task's move between
    queue states, an attempt with its ordinal for the order, or its notable data."""
    data = event.data or {}
    if "changes" in data:
        parts = [
            f"{label}: {value_text(change.get('from'), name)} → {value_text(change.get('to'), name)}"
            for name, change in data["changes"].items()
            if (label := field_label(name))
        ]
        extras = _extras(data, skip={"changes"})
        return "; ".join(parts + extras)
    parts = []
    if event.type == OrderEventType.CALL_ATTEMPT and data.get("number"):
        parts.append(_("attempt %(n)s") % {"n": data["number"]})
    if "from" in data and "to" in data:
        labels = STATE_LABELS if event.type == OrderEventType.QUEUE_CHANGED else CODE_LABELS
        moved = f"{labels.get(data['from'], '—')} → {labels.get(data['to'], '—')}"
        if "purpose" in data:
            moved = f"{PURPOSE_LABELS.get(data['purpose'], '')}: {moved}"
        parts.append(moved)
    return "; ".join(parts + _extras(data, skip={"from", "to", "purpose", "number"}))


def _extras(data: dict, *, skip: set[str]) -> list[str]:
    extras = []
    for key, value in data.items():
        if key in skip or isinstance(value, dict):
            continue
        if key == "action":
            extras.append(value_text(value))
        elif key in KEY_LABELS and value not in (None, ""):
            extras.append(f"{KEY_LABELS[key]}: {value_text(value, key)}")
    return extras


def event_actor(event) -> str:
    """Who did it: "operator Aigerim"; the system and integrations by their label."""
    actor = event.actor
    if actor is None:
        label = event.actor_label
        return _("system") if label in ("", "system") else label
    name = actor.get_full_name() or actor.username
    role = ROLE_LABELS.get(actor.role)
    return f"{role} {name}" if role else name
