"""Checks of the locality reference data shipped in ``delivery/data/localities.csv``.

Standard library only (no Django, no database), so these run before the
project settings exist:

    python -m pytest -p no:django src/orderdesk/delivery/tests/test_reference_data.py
"""

import csv
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "localities.csv"

HEADER = ["country", "region", "name_ru", "name_kk", "name_en", "timezone", "aliases"]
COUNTRIES = {"KZ", "RU"}
ALIAS_SEPARATOR = "|"

# Kazakhstan moved to a single zone (UTC+5) on 2024-03-01.
KZ_OFFSET = timedelta(hours=5)
KZ_CHECK_MOMENTS = [datetime(2024, 6, 1, 12, 0), datetime(2026, 1, 15, 12, 0)]
RU_CHECK_MOMENT = datetime(2026, 1, 15, 12, 0)


@lru_cache(maxsize=1)
def _load():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [row for row in reader]
    return header, rows


def _rows():
    header, rows = _load()
    # Short or long rows are reported by test_every_row_has_all_columns.
    return [dict(zip(header, row, strict=False)) for row in rows]


def _aliases(row):
    value = row["aliases"]
    return value.split(ALIAS_SEPARATOR) if value else []


def _names(row):
    return [n for n in (row["name_ru"], row["name_kk"], row["name_en"]) if n]


def _norm(text):
    """Case-insensitive, ё = е, dashes and spaces folded (as orderdesk.core.text.name_key)."""
    text = text.strip().casefold().replace("ё", "е").replace("—", "-").replace("–", "-")
    return " ".join(text.split()).replace(" - ", "-")


def _offset(tz_name, moment):
    return moment.replace(tzinfo=ZoneInfo(tz_name)).utcoffset()


def _by_name(country, name_ru):
    matches = [r for r in _rows() if r["country"] == country and r["name_ru"] == name_ru]
    assert len(matches) == 1, (
        f"expected exactly one {country} row named {name_ru!r}, got {len(matches)}"
    )
    return matches[0]


def test_file_is_utf8_without_bom():
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")


def test_header_is_exact():
    header, _ = _load()
    assert header == HEADER


def test_every_row_has_all_columns():
    _, rows = _load()
    bad = [(i + 2, row) for i, row in enumerate(rows) if len(row) != len(HEADER)]
    assert not bad, bad


def test_required_fields_and_country_codes():
    problems = []
    for row in _rows():
        if row["country"] not in COUNTRIES:
            problems.append(("country", row))
        for field in ("region", "name_ru", "name_en", "timezone"):
            if not row[field]:
                problems.append((f"empty {field}", row))
    assert not problems, problems


def test_no_surrounding_whitespace():
    problems = []
    for row in _rows():
        for field, value in row.items():
            if value != value.strip():
                problems.append((field, row))
        for alias in _aliases(row):
            if not alias or alias != alias.strip():
                problems.append(("alias", alias, row))
    assert not problems, problems


def test_kazakh_name_only_when_it_differs():
    problems = []
    for row in _rows():
        if row["country"] == "RU" and row["name_kk"]:
            problems.append(("RU row with name_kk", row))
        if row["name_kk"] and row["name_kk"] == row["name_ru"]:
            problems.append(("name_kk identical to name_ru", row))
    assert not problems, problems


def test_every_timezone_loads():
    zones = {row["timezone"] for row in _rows()}
    for name in sorted(zones):
        ZoneInfo(name)  # raises ZoneInfoNotFoundError if unknown


@pytest.mark.parametrize("moment", KZ_CHECK_MOMENTS, ids=lambda m: m.date().isoformat())
def test_kazakhstan_is_utc_plus_5(moment):
    wrong = [
        (row["name_ru"], row["timezone"], _offset(row["timezone"], moment))
        for row in _rows()
        if row["country"] == "KZ" and _offset(row["timezone"], moment) != KZ_OFFSET
    ]
    assert not wrong, wrong


def test_no_duplicate_country_and_name_ru():
    counts = Counter((row["country"], row["name_ru"]) for row in _rows())
    dupes = [key for key, n in counts.items() if n > 1]
    assert not dupes, dupes


def test_no_duplicate_country_and_normalised_name_ru():
    counts = Counter((row["country"], _norm(row["name_ru"])) for row in _rows())
    dupes = [key for key, n in counts.items() if n > 1]
    assert not dupes, dupes


def test_aliases_do_not_repeat_own_names_or_each_other():
    problems = []
    for row in _rows():
        own = {_norm(n) for n in _names(row)}
        seen = set()
        for alias in _aliases(row):
            key = _norm(alias)
            if key in own:
                problems.append(("alias repeats own name", alias, row["name_ru"]))
            if key in seen:
                problems.append(("alias repeated", alias, row["name_ru"]))
            seen.add(key)
    assert not problems, problems


def test_no_alias_equals_another_localitys_name():
    rows = _rows()
    owner = {}  # (country, normalised name) -> name_ru of the row it belongs to
    for row in rows:
        for name in _names(row):
            owner.setdefault((row["country"], _norm(name)), set()).add(row["name_ru"])
    clashes = []
    for row in rows:
        for alias in _aliases(row):
            others = owner.get((row["country"], _norm(alias)), set()) - {row["name_ru"]}
            if others:
                clashes.append((row["country"], row["name_ru"], alias, sorted(others)))
    assert not clashes, clashes


def test_no_name_equals_another_localitys_name():
    """name_kk / name_en of one row must not be the name of another row either."""
    owner = {}
    for row in _rows():
        for name in _names(row):
            owner.setdefault((row["country"], _norm(name)), set()).add(row["name_ru"])
    clashes = {key: sorted(v) for key, v in owner.items() if len(v) > 1}
    assert not clashes, clashes


def test_row_counts():
    counts = Counter(row["country"] for row in _rows())
    assert counts["KZ"] >= 80, counts
    assert counts["RU"] >= 170, counts


@pytest.mark.parametrize(
    "country, name_ru, name_en, timezone",
    [
        ("KZ", "Алматы", "Almaty", "Asia/Almaty"),
        ("KZ", "Астана", "Astana", "Asia/Almaty"),
        ("KZ", "Костанай", "Kostanay", "Asia/Qostanay"),
        ("KZ", "Актобе", "Aktobe", "Asia/Aqtobe"),
        ("KZ", "Уральск", "Oral", "Asia/Oral"),
        ("RU", "Москва", "Moscow", "Europe/Moscow"),
        ("RU", "Калининград", "Kaliningrad", "Europe/Kaliningrad"),
        ("RU", "Новосибирск", "Novosibirsk", "Asia/Novosibirsk"),
        ("RU", "Владивосток", "Vladivostok", "Asia/Vladivostok"),
        ("RU", "Петропавловск-Камчатский", "Petropavlovsk-Kamchatsky", "Asia/Kamchatka"),
        ("RU", "Самара", "Samara", "Europe/Samara"),
        ("RU", "Екатеринбург", "Yekaterinburg", "Asia/Yekaterinburg"),
    ],
)
def test_spot_check_timezones(country, name_ru, name_en, timezone):
    row = _by_name(country, name_ru)
    assert row["name_en"] == name_en
    assert row["timezone"] == timezone


def test_kazakhstan_new_regions_and_renamed_centres():
    assert _by_name("KZ", "Семей")["region"] == "область Абай"
    assert _by_name("KZ", "Талдыкорган")["region"] == "область Жетісу"
    assert _by_name("KZ", "Жезказган")["region"] == "область Ұлытау"
    konayev = _by_name("KZ", "Конаев")
    assert konayev["region"] == "Алматинская область"
    assert "Капшагай" in _aliases(konayev)
    for name in ("Астана", "Алматы", "Шымкент"):
        assert _by_name("KZ", name)["region"] == "город республиканского значения"


def test_russian_federal_cities():
    for name in ("Москва", "Санкт-Петербург", "Севастополь"):
        assert _by_name("RU", name)["region"] == "город федерального значения"


def test_every_russian_federal_subject_is_present():
    regions = {row["region"] for row in _rows() if row["country"] == "RU"}
    # 85 federal subjects (22 republics, 9 krais, 46 oblasts, 3 federal cities,
    # 1 autonomous oblast, 4 autonomous okrugs); federal cities share one label.
    assert len(regions) == 85 - 3 + 1, sorted(regions)


def test_russian_localities_cover_all_eleven_utc_offsets():
    offsets = {
        _offset(row["timezone"], RU_CHECK_MOMENT) for row in _rows() if row["country"] == "RU"
    }
    expected = {timedelta(hours=h) for h in range(2, 13)}
    assert offsets == expected, sorted(offsets)
