"""Small presentation helpers. Every one returns plain text: the template escapes it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import ngettext, pgettext

from orderdesk.core.phones import phone_mask
from orderdesk.orders.address import order_address_text
from orderdesk.orders.models import OrderEventType, ViewedVia

register = template.Library()

_EVENT_LABELS = dict(OrderEventType.choices)


@register.filter
def event_label(event) -> str:
    return str(_EVENT_LABELS.get(event.type, event.type))


@register.filter
def event_summary(event) -> str:
    """The event's line in the reader's language (workspace.timeline)."""
    from ..timeline import event_summary as summary

    return summary(event)


@register.filter
def event_actor(event) -> str:
    from ..timeline import event_actor as actor

    return actor(event)


ADDRESS_FIELDS = ("street", "house", "apartment", "entrance", "floor", "intercom")


@register.filter
def address_has_fields(order) -> bool:
    """Whether the address is in fields (else `address_text` is the line as given)."""
    return any(getattr(order, name) for name in ADDRESS_FIELDS)


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
