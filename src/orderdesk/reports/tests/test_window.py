"""Seconds inside the calling window (time to first call, the 15-minute SLA)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from orderdesk.calling.rules import DEFAULT_WEEK_WINDOWS
from orderdesk.reports.window import window_seconds

ALMATY = ZoneInfo("Asia/Almaty")


def at(day: int, hour: int, minute: int = 0, zone=ALMATY) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=zone)


def seconds(start, end, **kwargs) -> float:
    kwargs.setdefault("windows", DEFAULT_WEEK_WINDOWS)
    return window_seconds(start=start, end=end, zone="Asia/Almaty", **kwargs)


def test_inside_one_window():
    assert seconds(at(10, 11), at(10, 11, 30)) == 1800


def test_night_does_not_count():
    assert seconds(at(10, 18, 55), at(11, 10, 10)) == 900
    assert seconds(at(10, 20), at(11, 9, 59)) == 0


def test_a_day_off_and_a_holiday_do_not_count():
    windows = dict(DEFAULT_WEEK_WINDOWS) | {6: None}  # 14 Nov 2026 is a Saturday
    assert seconds(at(13, 18), at(15, 11), windows=windows) == 3600 + 3600
    assert seconds(at(13, 18), at(16, 11), windows=windows, holidays={date(2026, 11, 15)}) == (
        3600 + 3600
    )


def test_per_weekday_hours_and_other_zones():
    windows = dict(DEFAULT_WEEK_WINDOWS) | {2: (time(9, 0), time(12, 0))}  # Tuesday 10 Nov
    moscow = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 06:00 Moscow, 08:00 Almaty
    assert seconds(moscow, at(10, 13), windows=windows) == 3 * 3600


def test_end_before_start_is_zero():
    assert seconds(at(10, 12), at(10, 11)) == 0
