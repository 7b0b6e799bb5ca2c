"""Untrusted input checked before it reaches a query: text PostgreSQL cannot store (a NUL byte) or
UTF-8 cannot encode (a lone surrogate), JSON nested deeper than any document of ours, and dates at
the ends of the calendar, where moving an instant to UTC or adding days to a date overflows.

Each problem is named by its field path, as every 422 of the API is."""

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .errors import ValidationFailed, field_path

# An order in a bulk request is 3 levels down and its items' attributes 3 more: 32 leaves room
# for any attribute a store sends, far below where Python's JSON parser and encoder recurse out.
MAX_DEPTH = 32
# The years an instant may fall in once moved to UTC: a year's margin at each end of Python's
# calendar, so that day arithmetic on an accepted date (a delivery date and its lead days, a
# callback in the customer's zone) cannot overflow.
YEARS_ALLOWED = range(2, 9999)

TEXT_NUL = "text_nul"
TEXT_SURROGATE = "text_surrogate"
JSON_TOO_DEEP = "json_too_deep"
JSON_INVALID = "invalid_json"
DATE_OUT_OF_RANGE = "date_out_of_range"

_REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# A whole string that is an ISO 8601 date or date and time (with or without offset).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.,]+(?:Z|[+-]\d{2}(?::?\d{2}){0,2})?)?")


def text_problem(text: str) -> tuple[str, str] | None:
    """(code, message) when `text` cannot be stored, else None."""
    found = _REFUSED_CHARACTERS.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return TEXT_NUL, _("contains a NUL character")
    return TEXT_SURROGATE, _("contains an unpaired surrogate (not valid Unicode)")


def date_problem(text: str) -> tuple[str, str] | None:
    """(code, message) when `text` is an ISO date or instant outside YEARS_ALLOWED in UTC."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None  # not a date after all: the field's own validation speaks
    if not date_in_range(value):
        return DATE_OUT_OF_RANGE, date_range_message()
    return None


def date_in_range(value: date | datetime) -> bool:
    """A naive instant is read in the default time zone, as Django reads it."""
    if not isinstance(value, datetime):
        return value.year in YEARS_ALLOWED
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC).year in YEARS_ALLOWED
    except (OverflowError, ValueError):
        return False


def _problem(path: tuple, code: str, message: str) -> dict[str, str]:
    return {"field": field_path(path) or "body", "code": code, "message": message}


def _string_problems(text: str, path: tuple, *, dates: bool) -> list[dict[str, str]]:
    found = text_problem(text) or (date_problem(text) if dates else None)
    return [_problem(path, *found)] if found else []


def json_problems(
    value: Any, *, dates: bool = False, max_depth: int = MAX_DEPTH
) -> list[dict[str, str]]:
    """Every string (keys too) that cannot be stored, and every container nested past
    `max_depth`, by path. Iterative, so no document is too deep to look at. With `dates`, whole
    strings that are ISO dates or instants must also lie in YEARS_ALLOWED: for bodies whose
    date fields are declared elsewhere (each router's schema), this holds them all to it."""
    if not dates and _is_clean(value, max_depth):
        return []  # the usual case, told without building a path for every value
    problems: list[dict[str, str]] = []
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            problems.extend(_string_problems(node, path, dates=dates))
            continue
        if not isinstance(node, dict | list):
            continue
        if len(path) >= max_depth:
            problems.append(_problem(path, JSON_TOO_DEEP, _("nested too deeply")))
            continue
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            if isinstance(key, str) and (found := text_problem(key)):
                problems.append(_problem(path, *found))  # named by its object: not echoed
            stack.append((child, (*path, key)))
    return sorted(problems, key=lambda p: p["field"])


def _is_clean(value: Any, max_depth: int) -> bool:
    """No refused character in any string or key, and no nesting past `max_depth`: the same
    test as json_problems', at a fraction of its cost (a bulk intake runs it per order)."""

    def refused(text: str) -> bool:  # an ASCII string (told in O(1)) can only hold a NUL
        return "\x00" in text or (not text.isascii() and search(text) is not None)

    search = _REFUSED_CHARACTERS.search
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if refused(node):
                return False
            continue
        if not isinstance(node, dict | list):
            continue
        if depth >= max_depth:
            return False
        if isinstance(node, dict):
            if any(isinstance(k, str) and refused(k) for k in node):
                return False
            node = node.values()
        for child in node:
            if type(child) is str:
                if refused(child):
                    return False
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return True


def json_parse(body: bytes) -> Any:
    """The document in `body`. Python's parser recurses once per level and gives up (a
    RecursionError) somewhere near a thousand: that, like bad JSON, is the client's error."""
    try:
        return json.loads(body or b"null")
    except RecursionError as exc:
        raise ValidationFailed(
            [{"field": "body", "code": JSON_TOO_DEEP, "message": _("nested too deeply")}]
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            [{"field": "body", "code": JSON_INVALID, "message": str(exc)}]
        ) from exc


def json_checked(body: bytes) -> Any:
    """The document in `body`, refused (422) when any of it cannot be stored."""
    document = json_parse(body)
    if problems := json_problems(document, dates=True):
        raise ValidationFailed(problems)
    return document


def date_range_message() -> str:
    return _("date out of the supported range (years 2 to 9998)")


def _in_range(value):
    if not date_in_range(value):
        raise PydanticCustomError(DATE_OUT_OF_RANGE, date_range_message())
    if isinstance(value, datetime) and not timezone.is_naive(value):
        return value.astimezone(UTC)
    return value


# A datetime or date parameter or field that refuses the calendar's edges by name, as pydantic
# refuses anything else it cannot read. An instant is held in UTC: Python takes offsets up to
# 23:59, PostgreSQL only up to 15:59, so one sent on as written could fail in the query.
Instant = Annotated[datetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_in_range)]

# Paging: an offset past what PostgreSQL's bigint holds is refused by name rather than failing in
# the query; no list of ours reaches a billion rows.
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=10**9)]
