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
