"""Filling a template's `{placeholders}`: pure functions on plain values.

A line whose placeholder has no value is left out whole ("Tracking: {tracking_url}" before the
parcel has a number), so no message ever carries an unfilled placeholder; a template naming a
placeholder that does not exist is refused when it is saved (`template_errors`)."""

import string
from collections.abc import Mapping

PLACEHOLDERS = (
    "order_number",
    "customer_name",
    "store_name",
    "delivery_date",
    "delivery_interval",
    "total",
    "carrier",
    "tracking_number",
    "tracking_url",
    "self_service_url",
    "feedback_url",
)
_formatter = string.Formatter()


def placeholders_of(text: str) -> list[str]:
    """The placeholder names `text` uses; ValueError when a brace is not closed."""
    return [name for _literal, name, _spec, _conv in _formatter.parse(text) if name is not None]


def template_errors(text: str) -> list[str]:
    """What is wrong with a template's text, for the admin's form."""
    try:
        names = placeholders_of(text)
    except ValueError:
        return ["unbalanced braces: write {{ and }} for literal braces"]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    return [f"unknown placeholder {{{name}}}" for name in unknown]


def _line_render(line: str, values: Mapping[str, str]) -> str | None:
    parts = []
    for literal, name, _spec, _conv in _formatter.parse(line):
        parts.append(literal)
        if name is None:
            continue
        value = values.get(name, "")
        if not value:
            return None
        parts.append(value)
    return "".join(parts)


def text_render(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder filled; lines with an empty one dropped."""
    lines = (_line_render(line, values) for line in text.splitlines())
    return "\n".join(line for line in lines if line is not None).strip()
