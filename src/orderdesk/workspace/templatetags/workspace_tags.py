"""Small presentation helpers. Every one returns plain text: the template escapes it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from orderdesk.calling.models import CallPurpose, CallTaskState
from orderdesk.core.phones import phone_mask
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
    """The address as the courier reads it, from the structured fields (else as given)."""
    parts = [order.locality.name_ru if order.locality_id else order.locality_name]
    labelled = [
        (order.street, ""),
        (order.house, _("house")),
        (order.apartment, _("apt.")),
        (order.entrance, _("entrance")),
        (order.floor, _("floor")),
        (order.intercom, _("intercom")),
    ]
    parts += [f"{label} {value}".strip() for value, label in labelled if value]
    if len(parts) == 1 and order.address_line:
        parts.append(order.address_line)
    return ", ".join(parts)


@register.filter
def masked(phone: str) -> str:
    """A phone shown where nobody needs to dial it (architecture: Personal data)."""
    return phone_mask(phone)


@register.filter
def viewed_via(value: str) -> str:
    """Where a view was recorded, in the reader's language; an unknown value as it is."""
    return ViewedVia(value).label if value in ViewedVia.values else value


@register.filter
def zoned(value: datetime | None, zone: str = "") -> str:
    """A moment as the clock of `zone` shows it (default: the reader's zone), the zone named,
    so nobody has to guess whose time it is: "24.11 10:30 (Asia/Vladivostok)"."""
    if not value:
        return ""
    zone = zone or timezone.get_current_timezone_name()
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%d.%m %H:%M} ({zone})"


@register.simple_tag
def reader_zone() -> str:
    """The zone the screen's plain times are in."""
    return timezone.get_current_timezone_name()


def _weekday_abbreviations() -> tuple[str, ...]:
    # Django's Kazakh catalogue abbreviates Tuesday as "Сб" (Saturday in Russian): these are
    # the project's own, translated with the rest of it.
    return (
        pgettext("weekday abbreviation", "Mon"),
        pgettext("weekday abbreviation", "Tue"),
        pgettext("weekday abbreviation", "Wed"),
        pgettext("weekday abbreviation", "Thu"),
        pgettext("weekday abbreviation", "Fri"),
        pgettext("weekday abbreviation", "Sat"),
        pgettext("weekday abbreviation", "Sun"),
    )


@register.filter
def day_label(value: date | None) -> str:
    """A delivery day with its weekday, in the reader's language: "Сс 24.11.2026"."""
    if not value:
        return ""
    return f"{_weekday_abbreviations()[value.weekday()]} {value:%d.%m.%Y}"


@register.filter
def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the reader's language, to the minute ("2 h 5 min"); Django's own
    wording has no Kazakh, so the live view spoke Russian to a Kazakh reader."""
    if not value:
        return ""
    minutes = max(0, int(((now or timezone.now()) - value).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours and len(parts) < 2:
        parts.append(ngettext("%(n)d h", "%(n)d h", hours) % {"n": hours})
    if not days and (minutes or not hours):
        parts.append(ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes})
    return " ".join(parts)
