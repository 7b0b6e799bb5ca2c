"""Small presentation helpers. Every one returns plain text: the template escapes it."""

from django import template
from django.utils.translation import gettext as _

from orderdesk.calling.models import CallPurpose, CallTaskState
from orderdesk.core.phones import phone_mask
from orderdesk.orders.address import order_address_text
from orderdesk.orders.models import OrderEventType, ViewedVia

register = template.Library()

_EVENT_LABELS = dict(OrderEventType.choices)
# Ids that name records for programs, not for the people reading a timeline.
_INTERNAL_KEYS = frozenset({"task", "lease", "attempt"})
_STATE_LABELS = dict(CallTaskState.choices)
_PURPOSE_LABELS = dict(CallPurpose.choices)


@register.filter
def event_label(event) -> str:
    return str(_EVENT_LABELS.get(event.type, event.type))


def _value(value, name: str = "") -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if "phone" in name and isinstance(value, str):
        return phone_mask(value)
    return str(value)


@register.filter
def event_summary(event) -> str:
    """One line per event: the changed fields with old → new values, or its notable data."""
    data = event.data or {}
    if "changes" in data:
        parts = [
            f"{name}: {_value(change.get('from'), name)} → {_value(change.get('to'), name)}"
            for name, change in data["changes"].items()
        ]
        return "; ".join(parts)
    labels = _STATE_LABELS if event.type == OrderEventType.QUEUE_CHANGED else {}
    if "from" in data and "to" in data:
        moved = (labels.get(data["from"], data["from"]), labels.get(data["to"], data["to"]))
        text = f"{_value(moved[0])} → {_value(moved[1])}"
    else:
        text = ""
    if "purpose" in data:
        text = f"{_PURPOSE_LABELS.get(data['purpose'], data['purpose'])}: {text}"
    extras = [
        f"{key}: {_value(value, key)}"
        for key, value in data.items()
        if key not in ("from", "to", "purpose", *_INTERNAL_KEYS)
        and not isinstance(value, dict | list)
    ]
    return "; ".join(part for part in [text, *extras] if part)


@register.filter
def address_text(order) -> str:
    return order_address_text(order)


@register.filter
def masked(phone: str) -> str:
    """A phone shown where nobody needs to dial it (architecture: Personal data)."""
    return phone_mask(phone)


@register.filter
def viewed_via(value: str) -> str:
    """Where a view was recorded, in the reader's language; an unknown value as it is."""
    return ViewedVia(value).label if value in ViewedVia.values else value
