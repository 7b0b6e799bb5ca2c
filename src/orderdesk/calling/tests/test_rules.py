from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.calling.rules import (
    DEFAULT_WEEK_WINDOWS,
    RetryRule,
    local_day_start,
    pending_check_due,
    retry_next_at,
    window_contains,
    window_next_open,
    windows_parse,
    zone_country,
)

ZONES = [
    "Asia/Almaty",
    "Asia/Qostanay",
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
]
NO_ANSWER = RetryRule(delay=timedelta(minutes=30), per_day=4, total=10)


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("hour", "minute", "inside"),
    [(9, 59, False), (10, 0, True), (18, 59, True), (19, 0, False)],
)
def test_window_edges_in_local_time(zone, hour, minute, inside):
    at = local(zone, 2026, 11, 24, hour, minute).astimezone(UTC)
    assert window_contains(at=at, zone=zone, windows=DEFAULT_WEEK_WINDOWS) is inside


def test_kazakhstan_is_utc_plus_five_everywhere_since_march_2024():
    at = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 at UTC+5
    for zone in ("Asia/Almaty", "Asia/Qostanay", "Asia/Aqtobe", "Asia/Oral"):
        assert window_contains(at=at, zone=zone, windows=DEFAULT_WEEK_WINDOWS)
        assert not window_contains(
            at=at - timedelta(minutes=1), zone=zone, windows=DEFAULT_WEEK_WINDOWS
        )


def test_weekday_without_window_and_holidays_are_closed():
    windows = windows_parse({"7": None, "6": ["11:00", "15:00"]})
    sunday_noon = local("Europe/Moscow", 2026, 11, 29, 12, 0)
    saturday_1030 = local("Europe/Moscow", 2026, 11, 28, 10, 30)
    assert not window_contains(at=sunday_noon, zone="Europe/Moscow", windows=windows)
    assert not window_contains(at=saturday_1030, zone="Europe/Moscow", windows=windows)
    new_year = local("Europe/Moscow", 2027, 1, 1, 12, 0)
    assert not window_contains(
        at=new_year, zone="Europe/Moscow", windows=windows, holidays={date(2027, 1, 1)}
    )
    assert window_next_open(at=sunday_noon, zone="Europe/Moscow", windows=windows) == local(
        "Europe/Moscow", 2026, 11, 30, 10, 0
    )


def test_retry_after_window_moves_to_next_morning():
    ended = local("Asia/Vladivostok", 2026, 11, 24, 18, 45)
    next_at = retry_next_at(
        ended_at=ended,
        zone="Asia/Vladivostok",
        windows=DEFAULT_WEEK_WINDOWS,
        rule=NO_ANSWER,
        attempts_today=1,
        attempts_total=1,
    )
    assert next_at == local("Asia/Vladivostok", 2026, 11, 25, 10, 0)


def test_retry_inside_window_waits_the_delay():
    ended = local("Europe/Moscow", 2026, 11, 24, 12, 0)
    next_at = retry_next_at(
        ended_at=ended,
        zone="Europe/Moscow",
        windows=DEFAULT_WEEK_WINDOWS,
        rule=NO_ANSWER,
        attempts_today=2,
        attempts_total=2,
    )
    assert next_at == local("Europe/Moscow", 2026, 11, 24, 12, 30)


def test_retry_after_daily_quota_waits_for_next_day_and_skips_holidays():
    ended = local("Asia/Almaty", 2026, 12, 15, 11, 0)
    next_at = retry_next_at(
        ended_at=ended,
        zone="Asia/Almaty",
        windows=DEFAULT_WEEK_WINDOWS,
        rule=NO_ANSWER,
        attempts_today=4,
        attempts_total=4,
        holidays={date(2026, 12, 16)},
    )
    assert next_at == local("Asia/Almaty", 2026, 12, 17, 10, 0)


def test_retry_gives_up_after_total_and_wrong_number_goes_to_supervisor():
    kwargs = {"ended_at": datetime(2026, 11, 24, 7, 0, tzinfo=UTC), "zone": "Asia/Almaty"}
    kwargs["windows"] = DEFAULT_WEEK_WINDOWS
    assert retry_next_at(rule=NO_ANSWER, attempts_today=1, attempts_total=10, **kwargs) is None
    wrong = RetryRule(delay=timedelta(0), per_day=1, total=1, to_supervisor=True)
    assert retry_next_at(rule=wrong, attempts_today=1, attempts_total=1, **kwargs) is None


def test_retry_respects_minimum_gap():
    ended = local("Asia/Almaty", 2026, 11, 24, 12, 0)
    quick = RetryRule(delay=timedelta(minutes=2), per_day=4, total=10)
    next_at = retry_next_at(
        ended_at=ended,
        zone="Asia/Almaty",
        windows=DEFAULT_WEEK_WINDOWS,
        rule=quick,
        attempts_today=1,
        attempts_total=1,
        min_gap=timedelta(minutes=10),
    )
    assert next_at == local("Asia/Almaty", 2026, 11, 24, 12, 10)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (11, 0, (2026, 11, 24, 12, 0)),
        (15, 59, (2026, 11, 24, 16, 59)),
        (16, 0, (2026, 11, 25, 10, 0)),
        (18, 30, (2026, 11, 25, 10, 0)),
    ],
)
def test_pending_check_callback_in_an_hour_or_next_morning(hour, minute, expected):
    at = local("Asia/Almaty", 2026, 11, 24, hour, minute)
    due = pending_check_due(at=at, zone="Asia/Almaty", windows=DEFAULT_WEEK_WINDOWS)
    assert due == local("Asia/Almaty", *expected)


def test_pending_check_next_morning_skips_days_off():
    windows = windows_parse({"6": None, "7": None})
    friday_evening = local("Europe/Moscow", 2026, 11, 27, 17, 0)
    due = pending_check_due(at=friday_evening, zone="Europe/Moscow", windows=windows)
    assert due == local("Europe/Moscow", 2026, 11, 30, 10, 0)


def test_zone_country_and_local_day_start():
    assert zone_country("Asia/Almaty") == "KZ"
    assert zone_country("Asia/Kamchatka") == "RU"
    assert zone_country("Mars/Olympus") is None
    at = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # already the 25th in Almaty
    assert local_day_start(at=at, zone="Asia/Almaty") == local("Asia/Almaty", 2026, 11, 25, 0, 0)


# Properties -------------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 3, 2), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
hours = st.integers(min_value=0, max_value=23)
week_windows = st.dictionaries(
    st.integers(min_value=1, max_value=7),
    st.one_of(
        st.none(),
        st.tuples(hours, hours)
        .filter(lambda pair: pair[0] < pair[1])
        .map(lambda pair: (time(pair[0]), time(pair[1]))),
    ),
).map(lambda custom: {**DEFAULT_WEEK_WINDOWS, **custom})
holiday_sets = st.frozensets(
    st.dates(min_value=date(2024, 3, 1), max_value=date(2031, 3, 1)), max_size=20
)


@settings(max_examples=300, deadline=None)
@given(at=moments, zone=st.sampled_from(ZONES), windows=week_windows, holidays=holiday_sets)
def test_next_open_is_inside_the_window_and_never_earlier(at, zone, windows, holidays):
    opens = window_next_open(at=at, zone=zone, windows=windows, holidays=holidays)
    if opens is None:
        assert all(value is None for value in windows.values())
        return
    assert opens >= at
    assert window_contains(at=opens, zone=zone, windows=windows, holidays=holidays)
    if window_contains(at=at, zone=zone, windows=windows, holidays=holidays):
        assert opens == at
    else:
        # Nothing between `at` and `opens` is callable: `opens` is the start of a window.
        local_opens = opens.astimezone(ZoneInfo(zone))
        start = windows[local_opens.isoweekday()][0]
        assert local_opens.time() == start
        assert not window_contains(
            at=opens - timedelta(minutes=1), zone=zone, windows=windows, holidays=holidays
        )


@settings(max_examples=300, deadline=None)
@given(
    ended=moments,
    zone=st.sampled_from(ZONES),
    windows=week_windows,
    holidays=holiday_sets,
    delay=st.integers(min_value=0, max_value=24 * 60),
    per_day=st.integers(min_value=1, max_value=6),
    today=st.integers(min_value=1, max_value=8),
    total=st.integers(min_value=1, max_value=12),
)
def test_retry_is_inside_a_window_after_the_delay_or_gives_up(
    ended, zone, windows, holidays, delay, per_day, today, total
):
    rule = RetryRule(delay=timedelta(minutes=delay), per_day=per_day, total=10)
    next_at = retry_next_at(
        ended_at=ended,
        zone=zone,
        windows=windows,
        rule=rule,
        attempts_today=min(today, total),
        attempts_total=total,
        holidays=holidays,
    )
    if total >= rule.total or all(value is None for value in windows.values()):
        assert next_at is None
        return
    assert next_at is not None
    assert next_at >= ended + timedelta(minutes=delay)
    assert window_contains(at=next_at, zone=zone, windows=windows, holidays=holidays)
    if min(today, total) >= per_day:
        tz = ZoneInfo(zone)
        assert next_at.astimezone(tz).date() > ended.astimezone(tz).date()


@settings(max_examples=200, deadline=None)
@given(at=moments, zone=st.sampled_from(ZONES))
def test_pending_check_is_within_about_an_hour_or_next_morning(at, zone):
    due = pending_check_due(at=at, zone=zone, windows=DEFAULT_WEEK_WINDOWS)
    tz = ZoneInfo(zone)
    assert due is not None
    assert window_contains(at=due, zone=zone, windows=DEFAULT_WEEK_WINDOWS)
    local_at = at.astimezone(tz)
    if time(10) <= local_at.time() < time(16):
        assert due == at + timedelta(hours=1)
    elif local_at.time() >= time(16):
        assert due.astimezone(tz).date() == local_at.date() + timedelta(days=1)
        assert due.astimezone(tz).time() == time(10)
