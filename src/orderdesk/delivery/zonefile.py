"""The delivery-zone file (architecture: Delivery promise): one row per carrier and locality, checked in full before use.

    carrier,country,locality,lead_days,cutoff,weekdays,holidays,intervals
    garanta,KZ,Алматы,0,12:00,1-6,yes,10:00-14:00;14:00-18:00
    garanta,KZ,*,1,,1-6,yes,10:00-18:00

Every problem is named by line and column so one pass fixes the whole file; the caller imports
nothing unless the list of problems is empty. Parsing needs to know the carriers and localities,
which the caller hands in, so this module stays free of queries."""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .promise import (
    LEAD_DAYS_MAX,
    intervals_format,
    intervals_parse,
    time_parse,
    weekdays_format,
    weekdays_parse,
)

ZONE_COLUMNS = (
    "carrier",
    "country",
    "locality",
    "lead_days",
    "cutoff",
    "weekdays",
    "holidays",
    "intervals",
)
# Optional: names the carrier when the file registers it (a code the product does not know yet).
OPTIONAL_COLUMNS = ("carrier_name",)
CARRIER_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")  # Carrier.code is a slug of 50
CARRIER_NAME_MAX = 200
EVERY_OTHER_LOCALITY = "*"
YES = frozenset({"yes", "y", "true", "1", "да"})
NO = frozenset({"no", "n", "false", "0", "нет"})
PARSE_MESSAGES = {
    "weekdays": _lazy("%(value)r is not a list of ISO weekdays 1-7, such as 1-5, 1-6 or 1,3,5"),
    "intervals": _lazy(
        "%(value)r is not a list of windows HH:MM-HH:MM separated by semicolons, "
        "each ending after it starts, in order, not overlapping"
    ),
}


@dataclass(frozen=True)
class ZoneRow:
    """One valid row: `locality_id` None is the country's `*` row."""

    line: int
    carrier_id: int | None  # None: a carrier the product does not know yet, by `carrier_code`
    country: str
    locality_id: int | None
    lead_days: int
    cutoff: time | None
    weekdays: str
    skips_holidays: bool
    intervals: str
    carrier_code: str = ""
    carrier_name: str = ""  # the optional `carrier_name` column: names a carrier registered now


@dataclass(frozen=True)
class ZoneFileError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)s, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


# (name, country) → locality ids that carry that name in that country
LocalityLookup = Callable[[str, str], list[int]]


def zone_file_parse(
    *,
    lines: Iterable[str],
    carriers: dict[str, int],
    countries: Iterable[str],
    locality_ids: LocalityLookup,
) -> tuple[list[ZoneRow], list[ZoneFileError]]:
    """Rows and problems of a zone file; `carriers` maps carrier codes to ids."""
    lines = list(lines)
    delimiter = _delimiter(lines[0] if lines else "")
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing = [column for column in ZONE_COLUMNS if column not in header]
    if missing:
        return [], [
            ZoneFileError(1, column, _("the column is missing from the header"))
            for column in missing
        ]
    reader.fieldnames = header
    rows, errors, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in _values(raw)):
            continue
        row, row_errors = _row_parse(
            line=line,
            raw=raw,
            carriers=carriers,
            countries=frozenset(countries),
            locality_ids=locality_ids,
        )
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.carrier_code, row.country, row.locality_id)
        if key in seen:
            message = _("the same carrier, country and locality as line %(line)s") % {
                "line": seen[key]
            }
            errors.append(ZoneFileError(line, "locality", message))
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors


def _delimiter(header_line: str) -> str:
    """Commas, or semicolons as spreadsheets in Russian locales save them."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _values(raw: dict) -> list[str]:
    values = []
    for value in raw.values():
        values.extend(value if isinstance(value, list) else [value or ""])
    return values


def _row_parse(
    *,
    line: int,
    raw: dict,
    carriers: dict[str, int],
    countries: frozenset[str],
    locality_ids: LocalityLookup,
) -> tuple[ZoneRow | None, list[ZoneFileError]]:
    errors: list[ZoneFileError] = []

    def fail(column: str, message: str) -> None:
        errors.append(ZoneFileError(line, column, message))

    if raw.get(None):
        fail("", _("more values than columns"))
    text = {column: (raw.get(column) or "").strip() for column in ZONE_COLUMNS + OPTIONAL_COLUMNS}
    # A code the product does not know yet registers that carrier when the file is imported.
    carrier_id = carriers.get(text["carrier"])
    if carrier_id is None and not CARRIER_CODE.match(text["carrier"]):
        fail(
            "carrier",
            _("%(code)r is not a carrier code (up to 50 letters, digits, - and _)")
            % {"code": text["carrier"]},
        )
    if len(text["carrier_name"]) > CARRIER_NAME_MAX:
        fail("carrier_name", _("at most %(n)s characters") % {"n": CARRIER_NAME_MAX})
    country = text["country"].upper()
    if country not in countries:
        fail("country", _("%(value)r is not a known country code") % {"value": text["country"]})
    locality_id = None
    if text["locality"] != EVERY_OTHER_LOCALITY and country in countries:
        locality_id = _locality(text["locality"], country, locality_ids, fail)
    lead_days = _lead_days(text["lead_days"], fail)
    cutoff = _cutoff(text["cutoff"], fail)
    weekdays = _parsed(text["weekdays"], "weekdays", weekdays_parse, fail)
    skips_holidays = _holidays(text["holidays"], fail)
    intervals = _parsed(text["intervals"], "intervals", intervals_parse, fail)
    if errors:
        return None, errors
    return ZoneRow(
        line=line,
        carrier_id=carrier_id,
        country=country,
        locality_id=locality_id,
        lead_days=lead_days,
        cutoff=cutoff,
        weekdays=weekdays_format(weekdays),
        skips_holidays=skips_holidays,
        intervals=intervals_format(intervals),
        carrier_code=text["carrier"],
        carrier_name=text["carrier_name"],
    ), []


def _locality(name: str, country: str, locality_ids: LocalityLookup, fail) -> int | None:
    if not name:
        fail("locality", _("name a locality, or * for every other locality of the country"))
        return None
    found = locality_ids(name, country)
    if len(found) == 1:
        return found[0]
    if found:
        fail("locality", _("%(name)r names several localities") % {"name": name})
    else:
        fail(
            "locality",
            _("no locality %(name)r in %(country)s") % {"name": name, "country": country},
        )
    return None


def _lead_days(value: str, fail) -> int:
    if value.isdigit() and int(value) <= LEAD_DAYS_MAX:
        return int(value)
    fail("lead_days", _("a whole number of days from 0 to %(max)s") % {"max": LEAD_DAYS_MAX})
    return 0


def _cutoff(value: str, fail) -> time | None:
    if not value:
        return None
    try:
        return time_parse(value)
    except ValueError:
        fail("cutoff", _("%(value)r is not a time HH:MM (or empty for none)") % {"value": value})
        return None


def _holidays(value: str, fail) -> bool:
    if value.casefold() in YES:
        return True
    if value.casefold() not in NO:
        fail("holidays", _("%(value)r is not yes or no") % {"value": value})
    return False


def _parsed(value: str, column: str, parse, fail):
    try:
        return parse(value)
    except ValueError:
        fail(column, str(PARSE_MESSAGES[column]) % {"value": value})
        return None
