from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from orderdesk.delivery.models import Locality
from orderdesk.delivery.selectors import LocalityIndex, locality_match

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Алматы", "Алматы"),
        ("  алматы ", "Алматы"),
        ("АЛМАТЫ", "Алматы"),
        ("Алма-Ата", "Алматы"),
        ("Almaty", "Алматы"),
        ("Нур-Султан", "Астана"),
        ("Королев", "Королёв"),
        ("орел", "Орёл"),
        ("Өскемен", "Усть-Каменогорск"),
        ("Уральск", "Уральск"),
        ("Орал", "Уральск"),
        ("Санкт  Петербург", None),
        ("Питер", "Санкт-Петербург"),
        ("Капшагай", "Конаев"),
    ],
)
def test_matches_names_case_yo_and_other_names(written, expected):
    found = locality_match(name=written)
    assert (found.name_ru if found else None) == expected


def test_unknown_locality_is_none():
    assert locality_match(name="Нетакогогорода") is None
    assert LocalityIndex().match("Нетакогогорода") is None


def test_index_matches_like_the_query():
    index = LocalityIndex()
    for written in ("алма-ата", "Королев", "Питер", "Oskemen"):
        assert index.match(written) == locality_match(name=written)


def test_migrate_loads_both_countries_with_their_zones():
    assert Locality.objects.filter(country="KZ").count() >= 80
    assert Locality.objects.filter(country="RU").count() >= 170
    assert Locality.objects.get(name_ru="Новосибирск").timezone == "Asia/Novosibirsk"


def test_shipped_tzdata_has_kazakhstan_on_one_zone():
    """Kazakhstan moved to UTC+5 everywhere on 2024-03-01; an older tzdata would call Almaty +6."""
    moment = datetime(2026, 1, 15, 12, tzinfo=UTC)
    zones = set(Locality.objects.filter(country="KZ").values_list("timezone", flat=True))
    assert {moment.astimezone(ZoneInfo(z)).utcoffset().total_seconds() for z in zones} == {5 * 3600}
