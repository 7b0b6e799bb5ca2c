"""The delivery promise (architecture: Delivery promise) as plain functions on plain values: no database, no clock.

    start    = local date of the confirmation, + 1 day when its local time is at/after the cut-off
    delivery = ISO weekday listed and, when holidays are skipped, not a public holiday
    earliest = first delivery day on or after start + lead_days
    allowed  = every delivery day from earliest to the confirmation's local date + 15 days

The text forms (`1-6`, `10:00-14:00;14:00-18:00`, `12:00`) are the ones admins type and
`importzones` reads; their parsers live here so the admin, the import and the tests agree."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ALLOWED_WINDOW_DAYS = 15
LEAD_DAYS_MAX = 7
# A schedule with at least one weekday always has a delivery day within this many days, even
# across the longest public-holiday runs (Russia's New Year: 1-8 January).
SEARCH_DAYS = 60
HOLIDAY_COUNTRIES = ("KZ", "RU")

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class DeliveryTerms:
    """One zone's terms: a carrier's rules for a locality (or every other one of a country)."""

    carrier: str
    country: str
    lead_days: int
    cutoff: time | None
    weekdays: frozenset[int]
    skips_holidays: bool
    intervals: tuple[tuple[time, time], ...] = ()
    locality: str = "*"
    carrier_name: str = ""

    def as_dict(self) -> dict:
        return {
            "carrier": self.carrier,
            "carrier_name": self.carrier_name,
            "country": self.country,
            "locality": self.locality,
            "lead_days": self.lead_days,
            "cutoff": self.cutoff.strftime("%H:%M") if self.cutoff else None,
            "weekdays": sorted(self.weekdays),
            "skips_holidays": self.skips_holidays,
            "intervals": [intervals_format(((start, end),)) for start, end in self.intervals],
        }


@dataclass(frozen=True)
class DeliveryDates:
    earliest: date
    allowed: list[date] = field(default_factory=list)
    timezone: str = ""
    zone: DeliveryTerms | None = None
    carrier: str = ""

    def as_dict(self) -> dict:
        return {
            "earliest": self.earliest.isoformat(),
            "allowed": [day.isoformat() for day in self.allowed],
            "timezone": self.timezone,
            "carrier": self.carrier,
            "zone": self.zone.as_dict() if self.zone else None,
        }


def delivery_dates(*, terms: DeliveryTerms, at: datetime, timezone: str) -> DeliveryDates:
    """The dates a confirmation at instant `at` may promise, in the locality's zone `timezone`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the confirmation instant must carry a UTC offset")
    local = at.astimezone(ZoneInfo(timezone))
    today = local.date()
    start = today + timedelta(days=1) if delivery_after_cutoff(terms=terms, local=local) else today
    earliest = delivery_day_next(terms=terms, on=start + timedelta(days=terms.lead_days))
    last = today + timedelta(days=ALLOWED_WINDOW_DAYS)
    allowed = [
        earliest + timedelta(days=offset)
        for offset in range((last - earliest).days + 1)
        if delivery_day_is(terms=terms, day=earliest + timedelta(days=offset))
    ]
    return DeliveryDates(
        earliest=earliest, allowed=allowed, timezone=timezone, zone=terms, carrier=terms.carrier
    )


def delivery_after_cutoff(*, terms: DeliveryTerms, local: datetime) -> bool:
    """A confirmation exactly at the cut-off minute counts as after it."""
    return terms.cutoff is not None and local.time() >= terms.cutoff


def delivery_day_is(*, terms: DeliveryTerms, day: date) -> bool:
    if day.isoweekday() not in terms.weekdays:
        return False
    return not (terms.skips_holidays and day in public_holidays(terms.country, day.year))


def delivery_day_next(*, terms: DeliveryTerms, on: date) -> date:
    """The first delivery day on or after `on`."""
    for offset in range(SEARCH_DAYS):
        day = on + timedelta(days=offset)
        if delivery_day_is(terms=terms, day=day):
            return day
    raise ValueError(f"no delivery day within {SEARCH_DAYS} days of {on.isoformat()}")


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays (with the days off they are moved to) of one year."""
    if country not in HOLIDAY_COUNTRIES:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year).keys())


# Text forms ------------------------------------------------------------------------------------


def time_parse(text: str) -> time:
    """`HH:MM` (or `H:MM`, as spreadsheets write it), 00:00-23:59."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time HH:MM")
    return time(int(match[1]), int(match[2]))


def weekdays_parse(text: str) -> frozenset[int]:
    """ISO weekdays as ranges and lists: `1-5`, `1-6`, `1,3,5`, `1-3,6`."""
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"{text!r} is not a list of ISO weekdays (1-7)")
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= 7:
            raise ValueError(f"{text!r} is not a list of ISO weekdays (1-7)")
        days.update(range(first, last + 1))
    return frozenset(days)


def weekdays_format(days: frozenset[int]) -> str:
    """The shortest text form: consecutive days as ranges (`1-6`, `1,3,5`, `1-3,6`)."""
    parts, ordered = [], sorted(days)
    run_start = None
    for index, day in enumerate(ordered):
        run_start = day if run_start is None else run_start
        if index + 1 == len(ordered) or ordered[index + 1] != day + 1:
            parts.append(str(day) if run_start == day else f"{run_start}-{day}")
            run_start = None
    return ",".join(parts)


def intervals_parse(text: str) -> tuple[tuple[time, time], ...]:
    """`10:00-14:00;14:00-18:00`: windows that start before they end, in order, not overlapping."""
    windows: list[tuple[time, time]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        start_text, dash, end_text = part.partition("-")
        if not dash:
            raise ValueError(f"{part!r} is not a time window HH:MM-HH:MM")
        start, end = time_parse(start_text), time_parse(end_text)
        if start >= end:
            raise ValueError(f"{part!r} ends before it starts")
        if windows and start < windows[-1][1]:
            raise ValueError(f"{part!r} overlaps or precedes the window before it")
        windows.append((start, end))
    return tuple(windows)


def intervals_format(windows: tuple[tuple[time, time], ...]) -> str:
    return ";".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in windows)
