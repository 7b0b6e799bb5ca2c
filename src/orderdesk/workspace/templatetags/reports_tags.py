"""How report figures read on a page: shares as percentages, seconds as minutes; a figure that
is null (nothing to count) stays empty, never 0."""

from django import template

register = template.Library()


@register.filter
def share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


@register.filter
def minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"
