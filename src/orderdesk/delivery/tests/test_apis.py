from datetime import UTC, datetime

import pytest
import time_machine

from orderdesk.delivery.models import Carrier, DeliveryZone, Locality
from orderdesk.delivery.services import locality_save

pytestmark = pytest.mark.django_db

URL = "/api/v1/delivery/dates"
ALMATY_AFTER_NOON = [
    "2026-11-25",
    "2026-11-26",
    "2026-11-27",
    "2026-11-28",
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
    "2026-12-03",
    "2026-12-04",
    "2026-12-05",
    "2026-12-07",
    "2026-12-08",
    "2026-12-09",
]


def test_store_key_gets_almaty_dates_after_the_cutoff(store_api):
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T12:00:00+05:00")
    assert response.status_code == 200
    assert response.json() == {
        "earliest": "2026-11-25",
        "allowed": ALMATY_AFTER_NOON,
        "timezone": "Asia/Almaty",
        "carrier": "garanta",
        "zone": {
            "carrier": "garanta",
            "carrier_name": "ГарантА",
            "country": "KZ",
            "locality": "Алматы",
            "lead_days": 0,
            "cutoff": "12:00",
            "weekdays": [1, 2, 3, 4, 5, 6],
            "skips_holidays": True,
            "intervals": ["10:00-14:00", "14:00-18:00"],
        },
        "locality": {"name": "Алматы", "country": "KZ"},
    }


def test_staff_token_gets_same_day_in_almaty_before_the_cutoff(operator_api):
    response = operator_api.get(URL, locality="almaty", at="2026-11-24T06:59:00Z")
    assert response.status_code == 200
    body = response.json()
    assert body["earliest"] == "2026-11-24"
    assert body["allowed"] == ["2026-11-24", *ALMATY_AFTER_NOON]


def test_other_kazakhstan_city_uses_the_country_row(store_api):
    response = store_api.get(URL, locality="Караганда", at="2026-11-24T09:00:00+05:00")
    assert response.status_code == 200
    body = response.json()
    assert (body["earliest"], body["allowed"][:3], body["allowed"][-1]) == (
        "2026-11-25",
        ["2026-11-25", "2026-11-26", "2026-11-27"],
        "2026-12-09",
    )
    assert body["zone"]["locality"] == "*"
    assert body["zone"]["cutoff"] is None
    assert body["locality"] == {"name": "Караганда", "country": "KZ"}


def test_unencoded_plus_in_the_offset_is_understood(store_api):
    response = store_api.client.get(
        f"{URL}?locality=Алматы&at=2026-11-24T11:59:00+05:00",
        headers={"Authorization": f"Bearer {store_api.token}"},
    )
    assert response.status_code == 200
    assert response.json()["earliest"] == "2026-11-24"


def test_named_carrier_is_used_even_when_another_is_earlier(store_api):
    slow = Carrier.objects.create(code="slow", name="Slow")
    DeliveryZone.objects.create(carrier=slow, country="KZ", lead_days=3, weekdays="1-5")
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00+05:00", carrier="slow")
    assert response.status_code == 200
    assert response.json()["earliest"] == "2026-11-27"
    assert response.json()["carrier"] == "slow"
    fastest = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00+05:00")
    assert fastest.json()["carrier"] == "garanta"


def test_unknown_locality_is_404_naming_it(store_api):
    response = store_api.get(URL, locality="Нетакогогорода", at="2026-11-24T10:00:00+05:00")
    assert response.status_code == 404
    assert response.json() == {
        "error": "locality_not_found",
        "message": "No locality 'Нетакогогорода'.",
        "locality": "Нетакогогорода",
    }


def test_unknown_carrier_is_404(store_api):
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00+05:00", carrier="x")
    assert response.status_code == 404
    assert response.json()["error"] == "carrier_not_found"


def test_locality_no_zone_serves_is_404(store_api):
    DeliveryZone.objects.filter(country="RU").delete()
    response = store_api.get(URL, locality="Казань", at="2026-11-24T10:00:00+03:00")
    assert response.status_code == 404
    assert response.json() == {
        "error": "no_delivery_zone",
        "message": "No delivery zone serves Казань.",
        "locality": "Казань",
    }


def test_naive_instant_is_422(store_api):
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "at",
            "code": "timezone_missing",
            "message": "give the UTC offset, e.g. 2026-11-24T11:59:00+05:00",
        }
    ]


def test_garbled_instant_is_422(store_api):
    response = store_api.get(URL, locality="Алматы", at="tomorrow")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_datetime"


def test_without_credentials_is_401():
    from django.test import Client

    response = Client().get(URL, {"locality": "Алматы", "at": "2026-11-24T10:00:00+05:00"})
    assert response.status_code == 401


@time_machine.travel(datetime(2026, 11, 28, 7, 0, tzinfo=UTC), tick=False)
def test_without_at_the_dates_are_for_now(store_api):
    # Saturday noon in Almaty: Sunday is no delivery day.
    response = store_api.get(URL, locality="Алматы")
    assert response.status_code == 200
    assert (response.json()["earliest"], response.json()["allowed"][:2]) == (
        "2026-11-30",
        ["2026-11-30", "2026-12-01"],
    )


def test_name_in_two_countries_needs_the_country(store_api):
    twin = Locality.objects.create(
        country="RU", region="Тест", name_ru="Алматы", name_en="Almaty", timezone="Europe/Moscow"
    )
    locality_save(locality=twin)
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00+05:00")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "locality",
            "code": "locality_ambiguous",
            "message": "'Алматы' names several localities: add country (KZ, RU).",
        }
    ]
    response = store_api.get(URL, locality="Алматы", at="2026-11-24T10:00:00+05:00", country="ru")
    assert response.status_code == 200
    assert response.json()["locality"] == {"name": "Алматы", "country": "RU"}
    assert (response.json()["carrier"], response.json()["earliest"]) == ("courier-ru", "2026-11-26")
