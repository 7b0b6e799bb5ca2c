"""Filters of the shift's screens."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as h:mm:ss (a day's totals) — "0:00:00" for none."""
    try:
        seconds = max(0, int(seconds or 0))
    except (TypeError, ValueError):
        seconds = 0
    return str(timedelta(seconds=seconds))


@register.filter
def field(values, name: str) -> str:
    """A posted value by its full name (`customer.phone`: a dotted name the template language
    cannot look up itself)."""
    if not isinstance(values, dict):
        return ""
    return values.get(name, "")


@register.filter
def item_field(values, row: int) -> dict:
    """The posted fields of item row `row` (`items[0].sku` …), by their short names."""
    if not isinstance(values, dict):
        return {}
    prefix = f"items[{row}]."
    return {key.removeprefix(prefix): v for key, v in values.items() if key.startswith(prefix)}
