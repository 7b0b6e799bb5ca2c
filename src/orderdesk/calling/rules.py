"""The pure rules of calling: the window, the retry schedule, the pending-check callback time.

Plain functions on plain values (aware datetimes, IANA zone names, `time` pairs per ISO weekday,
a container of holiday dates), no database: the queue selectors and the outcome service feed
them, and the tests check them exhaustively with hypothesis."""

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

# ISO weekday (1 = Monday … 7 = Sunday) → (start inclusive, end exclusive) in local time, or None
# for a day without calls.
WeekWindows = Mapping[int, tuple[time, time] | None]

DEFAULT_WINDOW = (time(10, 0), time(19, 0))
DEFAULT_WEEK_WINDOWS: dict[int, tuple[time, time] | None] = dict.fromkeys(
    range(1, 8), DEFAULT_WINDOW
)
# How far ahead the next window is searched: long enough for the Russian New Year holidays.
SEARCH_DAYS = 60
NO_HOLIDAYS: frozenset[date] = frozenset()


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _day_window(
    day: date, windows: WeekWindows, holidays: Container[date]
) -> tuple[time, time] | None:
    window = windows.get(day.isoweekday())
    if window is None or day in holidays:
        return None
    return window


def window_contains(
    *, at: datetime, zone: str, windows: WeekWindows, holidays: Container[date] = NO_HOLIDAYS
) -> bool:
    """Is `at` inside the calling window in the zone's local time (start in, end out)?"""
    local = at.astimezone(_zone(zone))
    window = _day_window(local.date(), windows, holidays)
    if window is None:
        return False
    start, end = window
    return start <= local.time().replace(tzinfo=None) < end


def _local_at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time as an aware datetime; a time skipped by a DST jump moves forward."""
    local = datetime.combine(day, moment, tzinfo=zone)
    # Round-trip through UTC to normalise nonexistent local times (fold rules of zoneinfo).
    return local.astimezone(UTC).astimezone(zone)


def window_next_open(
    *, at: datetime, zone: str, windows: WeekWindows, holidays: Container[date] = NO_HOLIDAYS
) -> datetime | None:
    """`at` itself when inside the window, else the start of the next window; None when the
    policy has no calling day within SEARCH_DAYS (every day off)."""
    tz = _zone(zone)
    local = at.astimezone(tz)
    for offset in range(SEARCH_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        window = _day_window(day, windows, holidays)
        if window is None:
            continue
        start, end = (_local_at(day, moment, tz) for moment in window)
        if offset == 0 and local >= end:
            continue
        return max(start, local) if offset == 0 else start
    return None


def window_next_day_open(
    *, at: datetime, zone: str, windows: WeekWindows, holidays: Container[date] = NO_HOLIDAYS
) -> datetime | None:
    """The start of the first window on a later local day than `at` (the "next morning")."""
    tz = _zone(zone)
    local_day = at.astimezone(tz).date()
    following = _local_at(local_day + timedelta(days=1), time(0, 0), tz)
    return window_next_open(at=following, zone=zone, windows=windows, holidays=holidays)


@dataclass(frozen=True)
class RetryRule:
    """What an unsuccessful call leads to: another try after `delay`, at most `per_day` tries
    on one local day and `total` in all; `to_supervisor` skips retries (wrong number)."""

    delay: timedelta
    per_day: int
    total: int
    to_supervisor: bool = False


def retry_next_at(
    *,
    ended_at: datetime,
    zone: str,
    windows: WeekWindows,
    rule: RetryRule,
    attempts_today: int,
    attempts_total: int,
    min_gap: timedelta = timedelta(0),
    holidays: Container[date] = NO_HOLIDAYS,
) -> datetime | None:
    """When to call again after an unsuccessful attempt; None means give up (`unreachable`).

    The attempt counts already include the one that just ended. A retry never lands in the
    night gap: it moves to the start of the next window; once the day's quota is used it waits
    for the next day's window."""
    if rule.to_supervisor or attempts_total >= rule.total:
        return None
    candidate = ended_at + max(rule.delay, min_gap)
    if attempts_today >= rule.per_day:
        tomorrow = window_next_day_open(at=ended_at, zone=zone, windows=windows, holidays=holidays)
        if tomorrow is None:
            return None
        candidate = max(candidate, tomorrow)
    return window_next_open(at=candidate, zone=zone, windows=windows, holidays=holidays)


PENDING_CHECK_AFTER = timedelta(hours=1)
PENDING_CHECK_CUTOFF = time(16, 0)


def pending_check_due(
    *,
    at: datetime,
    zone: str,
    windows: WeekWindows,
    after: timedelta = PENDING_CHECK_AFTER,
    cutoff: time = PENDING_CHECK_CUTOFF,
    holidays: Container[date] = NO_HOLIDAYS,
) -> datetime | None:
    """When to call back about a delivery feasibility check (architecture: The confirmation call): in about an hour;
    from the cutoff (16:00 local) on, the next working morning. A time outside the window moves
    to the next window's start."""
    local = at.astimezone(_zone(zone))
    if local.time().replace(tzinfo=None) >= cutoff:
        return window_next_day_open(at=at, zone=zone, windows=windows, holidays=holidays)
    return window_next_open(at=at + after, zone=zone, windows=windows, holidays=holidays)


# Seed 002: a callback after an out-of-city check made after this local time, or on a later
# day than the call that asked for the check, moves the delivery date.
CHECK_CALLBACK_EVENING = time(17, 0)


def check_callback_first_day(
    *, asked_at: datetime, at: datetime, zone: str, evening: time = CHECK_CALLBACK_EVENING
) -> date | None:
    """The first delivery day a confirmation at `at` may promise after an address check asked
    for at `asked_at` (seed 002: "проверь дату доставки, перенеси, если звонок на следующий
    день или после 17:00"); None when the callback is early enough that nothing moves.

    The date agreed in the first call is gone either way: a callback on a later day can promise
    no earlier than the day after it; one made from 17:00 counts as made the next morning, so no
    earlier than the day after that."""
    tz = _zone(zone)
    asked, local = asked_at.astimezone(tz), at.astimezone(tz)
    evening_call = local.time().replace(tzinfo=None) >= evening
    if local.date() <= asked.date() and not evening_call:
        return None
    return local.date() + timedelta(days=2 if evening_call else 1)


def local_day_start(*, at: datetime, zone: str) -> datetime:
    """Midnight of `at`'s local day, as an aware datetime (for "attempts today")."""
    tz = _zone(zone)
    return _local_at(at.astimezone(tz).date(), time(0, 0), tz)


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    countries = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            countries[fields[2]] = fields[0]
    return countries


def zone_country(zone: str) -> str | None:
    """The ISO country of an IANA zone per the tz database's zone.tab (None when unknown)."""
    return _zone_countries().get(zone)


def windows_parse(raw: Mapping[str, object] | None) -> dict[int, tuple[time, time] | None]:
    """`{"1": ["10:00", "19:00"], "7": null}` → WeekWindows; weekdays not named use the default."""
    windows: dict[int, tuple[time, time] | None] = dict(DEFAULT_WEEK_WINDOWS)
    for key, value in (raw or {}).items():
        day = int(key)
        if value is None:
            windows[day] = None
        else:
            start, end = value  # type: ignore[misc]
            windows[day] = (time.fromisoformat(start), time.fromisoformat(end))
    return windows
