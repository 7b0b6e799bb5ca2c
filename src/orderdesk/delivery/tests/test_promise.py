"""The delivery-promise rule (architecture: Delivery promise): properties over random terms and
instants, and the worked examples with exact dates. Pure: no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.delivery.promise import (
    LEAD_DAYS_MAX,
    DeliveryTerms,
    delivery_dates,
    intervals_format,
    intervals_parse,
    time_parse,
    weekdays_format,
    weekdays_parse,
)

ALMATY = "Asia/Almaty"
MOSCOW = "Europe/Moscow"
ZONES = [ALMATY, "Asia/Aqtobe", MOSCOW, "Europe/Kaliningrad", "Asia/Vladivostok", "Asia/Kamchatka"]
MON_SAT = frozenset(range(1, 7))
GARANTA_ALMATY = DeliveryTerms(
    carrier="garanta", country="KZ", locality="Алматы", lead_days=0, cutoff=time(12, 0),
    weekdays=MON_SAT, skips_holidays=True,
)  # fmt: skip
GARANTA_KZ = DeliveryTerms(
    carrier="garanta", country="KZ", lead_days=1, cutoff=None, weekdays=MON_SAT,
    skips_holidays=True,
)  # fmt: skip
COURIER_RU = DeliveryTerms(
    carrier="courier-ru", country="RU", lead_days=2, cutoff=None, weekdays=MON_SAT,
    skips_holidays=True,
)  # fmt: skip


def _local(text: str, zone: str = ALMATY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def _days(*texts: str) -> list[date]:
    return [date.fromisoformat(t) for t in texts]


def _dates(terms: DeliveryTerms, at: datetime, zone: str = ALMATY) -> tuple[date, list[date]]:
    result = delivery_dates(terms=terms, at=at, timezone=zone)
    return result.earliest, result.allowed


# The worked examples -------------------------------------------------------------------------


def test_almaty_one_minute_before_noon_is_same_day():
    earliest, allowed = _dates(GARANTA_ALMATY, _local("2026-11-24T11:59:59"))
    assert earliest == date(2026, 11, 24)
    assert allowed == _days(
        "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-30",
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-07",
        "2026-12-08", "2026-12-09",
    )  # fmt: skip


def test_almaty_at_noon_exactly_is_next_day():
    earliest, allowed = _dates(GARANTA_ALMATY, _local("2026-11-24T12:00:00"))
    assert earliest == date(2026, 11, 25)
    assert allowed[0] == date(2026, 11, 25)
    assert allowed[-1] == date(2026, 12, 9)
    assert len(allowed) == 13


def test_instant_in_another_offset_is_read_in_local_time():
    # 06:59 UTC is 11:59 in Almaty (UTC+5); 07:00 UTC is noon.
    assert _dates(GARANTA_ALMATY, datetime(2026, 11, 24, 6, 59, tzinfo=UTC))[0] == date(
        2026, 11, 24
    )
    assert _dates(GARANTA_ALMATY, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))[0] == date(2026, 11, 25)
    # 20:00 UTC on the 24th is already 01:00 on the 25th in Almaty.
    assert _dates(GARANTA_ALMATY, datetime(2026, 11, 24, 20, 0, tzinfo=UTC))[0] == date(
        2026, 11, 25
    )


@pytest.mark.parametrize("clock", ["09:00", "11:59", "12:00", "18:30"])
def test_other_city_is_next_day_whatever_the_time(clock):
    earliest, allowed = _dates(GARANTA_KZ, _local(f"2026-11-24T{clock}"), zone="Asia/Almaty")
    assert earliest == date(2026, 11, 25)
    assert (allowed[0], allowed[-1], len(allowed)) == (date(2026, 11, 25), date(2026, 12, 9), 13)


def test_other_city_on_saturday_skips_sunday():
    assert _dates(GARANTA_KZ, _local("2026-11-28T10:00"))[0] == date(2026, 11, 30)


def test_saturday_evening_before_a_monday_holiday():
    # Capital Day, Monday 6 July 2026: Sunday is no delivery day, Monday a holiday.
    saturday_evening = _local("2026-07-04T18:00")
    for terms in (GARANTA_ALMATY, GARANTA_KZ):
        earliest, allowed = _dates(terms, saturday_evening)
        assert earliest == date(2026, 7, 7)
        assert allowed == _days(
            "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10", "2026-07-11", "2026-07-13",
            "2026-07-14", "2026-07-15", "2026-07-16", "2026-07-17", "2026-07-18",
        )  # fmt: skip
    working_holidays = DeliveryTerms(**{**GARANTA_KZ.__dict__, "skips_holidays": False})
    assert _dates(working_holidays, saturday_evening)[0] == date(2026, 7, 6)


def test_new_year_in_kazakhstan():
    # 1 and 2 January 2027 are holidays, the 2nd (a Saturday) moves to Monday the 4th;
    # Orthodox Christmas, Thursday 7 January, is a holiday too.
    earliest, allowed = _dates(GARANTA_ALMATY, _local("2026-12-31T15:00"))
    assert earliest == date(2027, 1, 5)
    assert allowed == _days(
        "2027-01-05", "2027-01-06", "2027-01-08", "2027-01-09", "2027-01-11", "2027-01-12",
        "2027-01-13", "2027-01-14", "2027-01-15",
    )  # fmt: skip


def test_nauryz_in_kazakhstan():
    # Nauryz 21-23 March 2026 (Saturday to Monday); the weekend days move to the 24th and 25th.
    earliest, allowed = _dates(GARANTA_ALMATY, _local("2026-03-20T13:00"))
    assert earliest == date(2026, 3, 26)
    assert allowed == _days(
        "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-30", "2026-03-31", "2026-04-01",
        "2026-04-02", "2026-04-03", "2026-04-04",
    )  # fmt: skip
    morning_before = _dates(GARANTA_ALMATY, _local("2026-03-20T10:00"))
    assert morning_before[0] == date(2026, 3, 20)
    assert morning_before[1][:2] == _days("2026-03-20", "2026-03-26")


def test_russian_new_year_holidays():
    earliest, allowed = _dates(COURIER_RU, _local("2026-12-29T10:00", MOSCOW), zone=MOSCOW)
    # 31 December 2026 is a day off in Russia (moved from 4 January), then 1-8 January.
    assert earliest == date(2027, 1, 9)
    assert allowed == _days("2027-01-09", "2027-01-11", "2027-01-12", "2027-01-13")


def test_instant_without_offset_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        delivery_dates(terms=GARANTA_KZ, at=datetime(2026, 11, 24, 10, 0), timezone=ALMATY)


# Properties over random terms and instants -----------------------------------------------------

terms_strategy = st.builds(
    DeliveryTerms,
    carrier=st.just("c"),
    country=st.sampled_from(["KZ", "RU"]),
    lead_days=st.integers(0, LEAD_DAYS_MAX),
    cutoff=st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    weekdays=st.frozensets(st.integers(1, 7), min_size=1),
    skips_holidays=st.booleans(),
)
instants = st.datetimes(
    min_value=datetime(2024, 3, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def _is_delivery_day(terms: DeliveryTerms, day: date) -> bool:
    if day.isoweekday() not in terms.weekdays:
        return False
    return not (terms.skips_holidays and day in holidays.country_holidays(terms.country))


def _start(terms: DeliveryTerms, local: datetime) -> date:
    after = terms.cutoff is not None and local.time() >= terms.cutoff
    return local.date() + timedelta(days=1 if after else 0)


@settings(max_examples=300, deadline=None)
@given(terms=terms_strategy, at=instants, zone=st.sampled_from(ZONES))
def test_earliest_is_the_first_delivery_day_from_start_plus_lead(terms, at, zone):
    result = delivery_dates(terms=terms, at=at, timezone=zone)
    local = at.astimezone(ZoneInfo(zone))
    not_before = _start(terms, local) + timedelta(days=terms.lead_days)
    assert result.earliest >= not_before
    assert _is_delivery_day(terms, result.earliest)
    skipped = (not_before + timedelta(days=n) for n in range((result.earliest - not_before).days))
    assert not any(_is_delivery_day(terms, day) for day in skipped)
    assert (result.timezone, result.zone, result.carrier) == (zone, terms, "c")


@settings(max_examples=300, deadline=None)
@given(terms=terms_strategy, at=instants, zone=st.sampled_from(ZONES))
def test_allowed_is_every_delivery_day_from_earliest_within_15_days(terms, at, zone):
    result = delivery_dates(terms=terms, at=at, timezone=zone)
    last = at.astimezone(ZoneInfo(zone)).date() + timedelta(days=15)
    span = (last - result.earliest).days + 1
    expected = [
        result.earliest + timedelta(days=n)
        for n in range(max(span, 0))
        if _is_delivery_day(terms, result.earliest + timedelta(days=n))
    ]
    assert result.allowed == expected
    assert all(result.earliest <= day <= last for day in result.allowed)
    if result.earliest <= last:
        assert result.allowed[0] == result.earliest
    else:
        assert result.allowed == []


@settings(max_examples=300, deadline=None)
@given(terms=terms_strategy, at=instants, zone=st.sampled_from(ZONES))
def test_earliest_is_allowed_when_holidays_are_worked(terms, at, zone):
    terms = DeliveryTerms(**{**terms.__dict__, "skips_holidays": False})
    result = delivery_dates(terms=terms, at=at, timezone=zone)
    assert result.earliest in result.allowed


@settings(max_examples=300, deadline=None)
@given(
    terms=terms_strategy.filter(lambda t: t.cutoff is not None),
    day=st.dates(min_value=date(2024, 3, 1), max_value=date(2030, 12, 31)),
    zone=st.sampled_from(ZONES),
)
def test_cutoff_exactly_counts_as_after(terms, day, zone):
    tz = ZoneInfo(zone)
    no_cutoff = DeliveryTerms(**{**terms.__dict__, "cutoff": None})
    at_cutoff = datetime.combine(day, terms.cutoff, tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    earliest = delivery_dates(terms=terms, at=at_cutoff, timezone=zone).earliest
    assert earliest == delivery_dates(terms=no_cutoff, at=next_midnight, timezone=zone).earliest
    if terms.cutoff > time(0, 0):
        minute_before = at_cutoff - timedelta(minutes=1)
        before = delivery_dates(terms=terms, at=minute_before, timezone=zone).earliest
        assert before == delivery_dates(terms=no_cutoff, at=minute_before, timezone=zone).earliest


# Text forms ------------------------------------------------------------------------------------


@given(st.frozensets(st.integers(1, 7), min_size=1))
def test_weekdays_text_round_trips(days):
    assert weekdays_parse(weekdays_format(days)) == days


@pytest.mark.parametrize(
    ("text", "days", "canonical"),
    [("1-5", {1, 2, 3, 4, 5}, "1-5"), ("1-6", set(range(1, 7)), "1-6"),
     ("1,3,5", {1, 3, 5}, "1,3,5"), ("5,1-3", {1, 2, 3, 5}, "1-3,5"), ("7", {7}, "7")],
)  # fmt: skip
def test_weekdays_forms(text, days, canonical):
    assert weekdays_parse(text) == frozenset(days)
    assert weekdays_format(weekdays_parse(text)) == canonical


@pytest.mark.parametrize("text", ["", "0", "8", "1-8", "5-1", "mon", "1,,3", "1-"])
def test_weekdays_refused(text):
    with pytest.raises(ValueError, match="ISO weekdays"):
        weekdays_parse(text)


def test_intervals_forms():
    assert intervals_parse(" 10:00-14:00 ; 14:00-18:00 ") == (
        (time(10), time(14)),
        (time(14), time(18)),
    )
    assert intervals_parse("") == ()
    assert intervals_format(intervals_parse("9:00-12:00")) == "09:00-12:00"


@pytest.mark.parametrize(
    "text", ["10:00", "14:00-10:00", "10:00-14:00;12:00-16:00", "10-14", "24:00-25:00"]
)
def test_intervals_refused(text):
    with pytest.raises(ValueError):
        intervals_parse(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("09:05", time(9, 5)), ("9:05", time(9, 5)), ("23:59", time(23, 59))]
)
def test_time_forms(text, expected):
    assert time_parse(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "1200", "12:5", "", "noon"])
def test_time_refused(text):
    with pytest.raises(ValueError, match="HH:MM"):
        time_parse(text)
