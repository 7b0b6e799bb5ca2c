"""Time inside the calling window: the pure rule behind "time to first call" and the 15-minute
SLA. An order that came in at night has not waited while nobody was allowed to call; only the
seconds inside the store's calling window, in the customer's local time, count."""

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from orderdesk.calling.rules import NO_HOLIDAYS, WeekWindows


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65_536)
def _window_bounds(zone: str, day: date, window: tuple[time, time]) -> tuple[datetime, datetime]:
    """The window of one local day as UTC instants (a report asks for the same few zones and
    days for every order of the period)."""
    tz = _zone(zone)
    return tuple(  # type: ignore[return-value]
        datetime.combine(day, moment, tzinfo=tz).astimezone(UTC) for moment in window
    )


def window_seconds(
    *,
    start: datetime,
    end: datetime,
    zone: str,
    windows: WeekWindows,
    holidays: Container[date] = NO_HOLIDAYS,
) -> float:
    """Seconds of [start, end) that fall inside the calling window of the zone's local days
    (start of a window inclusive, end exclusive, as the queue reads it)."""
    if end <= start:
        return 0.0
    tz = _zone(zone)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        window = windows.get(day.isoweekday())
        if window is not None and day not in holidays:
            opens, closes = _window_bounds(zone, day, window)
            overlap = (min(end, closes) - max(start, opens)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total
