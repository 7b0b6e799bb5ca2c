"""Filling speech modules with an order's data: plain functions on plain values.

A placeholder the module's text names but the context lacks stays visible as `{name}` in
`speech_fill`; the card offers only the phrases `speech_complete` passes, so an operator never
reads a gap aloud. The text is plain text: the template escapes it like any other value."""

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def speech_fill(text: str, context: Mapping[str, object]) -> str:
    def replace(match: re.Match) -> str:
        value = context.get(match.group(1))
        return match.group(0) if value in (None, "") else str(value)

    return _PLACEHOLDER.sub(replace, text)


def speech_placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def speech_complete(text: str, context: Mapping[str, object]) -> bool:
    """Every placeholder of `text` has a value in `context`."""
    return all(context.get(name) not in (None, "") for name in speech_placeholders(text))
