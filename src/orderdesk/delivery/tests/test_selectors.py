from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from orderdesk.delivery.models import Carrier, DeliveryZone, Locality
from orderdesk.delivery.selectors import (
    DELIVERY_DATE_MISSING,
    DELIVERY_DATE_NOT_ALLOWED,
    NO_DELIVERY_ZONE,
    DeliveryZoneIndex,
    delivery_terms_for,
    order_delivery_date_errors,
    order_delivery_dates,
)
from orderdesk.orders.services import orders_intake

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
BEFORE_NOON = datetime(2026, 11, 24, 11, 59, tzinfo=ALMATY)
AT_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=ALMATY)
AFTER_NOON_ALLOWED = [
    "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-30", "2026-12-01",
    "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-07", "2026-12-08",
    "2026-12-09",
]  # fmt: skip


@pytest.fixture
def order_in(store, make_payload):
    def make(locality: str = "Алматы", external_id: str = "A-1"):
        payload = make_payload(external_id)
        payload["delivery"]["locality"] = locality
        (result,) = orders_intake(store=store, payloads=[payload], actor_label="test")
        assert not result.errors
        return result.order

    return make


def test_allowed_date_has_no_errors(order_in):
    order = order_in()
    assert (
        order_delivery_date_errors(order=order, delivery_on=date(2026, 11, 24), at=BEFORE_NOON)
        == []
    )


def test_date_past_the_cutoff_is_refused_naming_the_order_and_allowed_dates(order_in):
    order = order_in()
    errors = order_delivery_date_errors(order=order, delivery_on=date(2026, 11, 24), at=AT_NOON)
    assert errors == [
        {
            "field": f"orders[{order.pk}].delivery_date",
            "code": DELIVERY_DATE_NOT_ALLOWED,
            "message": "2026-11-24 is not an allowed delivery date; the earliest is 2026-11-25.",
            "order": str(order.pk),
            "earliest": "2026-11-25",
            "allowed": AFTER_NOON_ALLOWED,
        }
    ]


@pytest.mark.parametrize("day", [date(2026, 11, 29), date(2026, 12, 10), date(2026, 11, 23)])
def test_sunday_and_dates_outside_the_window_are_refused(order_in, day):
    errors = order_delivery_date_errors(order=order_in(), delivery_on=day, at=AT_NOON)
    assert [e["code"] for e in errors] == [DELIVERY_DATE_NOT_ALLOWED]


def test_missing_date_is_named(order_in):
    order = order_in()
    (error,) = order_delivery_date_errors(order=order, delivery_on=None, at=AT_NOON)
    assert (error["code"], error["message"], error["earliest"]) == (
        DELIVERY_DATE_MISSING,
        "Choose a delivery date; the earliest is 2026-11-25.",
        "2026-11-25",
    )


def test_unmatched_locality_has_no_zone(order_in):
    order = order_in(locality="Нетакогогорода")
    assert order_delivery_dates(order=order, at=AT_NOON) is None
    assert order_delivery_date_errors(order=order, delivery_on=date(2026, 11, 25), at=AT_NOON) == [
        {
            "field": f"orders[{order.pk}].delivery_date",
            "code": NO_DELIVERY_ZONE,
            "message": "No delivery zone serves Нетакогогорода.",
            "order": str(order.pk),
            "earliest": None,
            "allowed": [],
        }
    ]


def test_locality_without_zone_has_no_dates(order_in):
    DeliveryZone.objects.filter(country="RU").delete()
    order = order_in(locality="Казань")
    assert order.locality.name_ru == "Казань"
    assert order_delivery_dates(order=order, at=AT_NOON) is None
    (error,) = order_delivery_date_errors(order=order, delivery_on=date(2026, 11, 26), at=AT_NOON)
    assert (error["code"], error["message"]) == (
        NO_DELIVERY_ZONE,
        "No delivery zone serves Казань.",
    )


def test_order_dates_carry_zone_timezone_and_carrier(order_in):
    dates = order_delivery_dates(order=order_in(), at=BEFORE_NOON)
    assert (dates.earliest, dates.timezone, dates.carrier) == (
        date(2026, 11, 24),
        "Asia/Almaty",
        "garanta",
    )
    assert (dates.zone.locality, dates.zone.cutoff, dates.zone.lead_days) == ("Алматы", time(12), 0)


def test_earliest_carrier_wins_unless_the_order_names_one(order_in):
    quick = Carrier.objects.create(code="quick", name="Quick")
    slow = Carrier.objects.create(code="slow", name="Slow")
    astana = Locality.objects.get(country="KZ", name_ru="Астана")
    DeliveryZone.objects.create(
        carrier=quick, country="KZ", locality=astana, lead_days=0, weekdays="1-7"
    )
    DeliveryZone.objects.create(carrier=slow, country="KZ", lead_days=4, weekdays="1-5")
    order = order_in(locality="Астана")
    assert order_delivery_dates(order=order, at=AT_NOON).carrier == "quick"
    assert order_delivery_dates(order=order, at=AT_NOON).earliest == date(2026, 11, 24)
    order.carrier = slow
    assert order_delivery_dates(order=order, at=AT_NOON).earliest == date(2026, 11, 30)
    errors = order_delivery_date_errors(order=order, delivery_on=date(2026, 11, 25), at=AT_NOON)
    assert errors[0]["allowed"][:2] == ["2026-11-30", "2026-12-01"]


def test_locality_row_beats_the_country_row_of_the_same_carrier(order_in):
    garanta = Carrier.objects.get(code="garanta")
    astana = Locality.objects.get(country="KZ", name_ru="Астана")
    DeliveryZone.objects.create(
        carrier=garanta, country="KZ", locality=astana, lead_days=3, weekdays="1-6"
    )
    terms = DeliveryZoneIndex().terms_for(locality=astana)
    assert [(t.carrier, t.locality, t.lead_days) for t in terms] == [("garanta", "Астана", 3)]
    assert order_delivery_dates(order=order_in(locality="Астана"), at=AT_NOON).earliest == date(
        2026, 11, 27
    )


def test_inactive_zones_and_carriers_are_ignored(order_in):
    order = order_in()
    DeliveryZone.objects.filter(locality__name_ru="Алматы").update(is_active=False)
    assert order_delivery_dates(order=order, at=BEFORE_NOON).zone.locality == "*"
    Carrier.objects.filter(code="garanta").update(is_active=False)
    assert order_delivery_dates(order=order, at=BEFORE_NOON) is None


def test_terms_for_a_locality_one_per_carrier_read_in_one_query(django_assert_num_queries):
    kazpost = Carrier.objects.create(code="kazpost", name="Казпочта")
    DeliveryZone.objects.create(carrier=kazpost, country="KZ", lead_days=3, weekdays="1-5")
    almaty = Locality.objects.get(country="KZ", name_ru="Алматы")
    with django_assert_num_queries(1):
        terms = delivery_terms_for(locality=almaty)
    assert [(t.carrier, t.locality, t.lead_days, t.cutoff) for t in terms] == [
        ("garanta", "Алматы", 0, time(12)),
        ("kazpost", "*", 3, None),
    ]
    assert [t.carrier for t in delivery_terms_for(locality=almaty, carrier_code="kazpost")] == [
        "kazpost"
    ]
    kazan = Locality.objects.get(country="RU", name_ru="Казань")
    assert [(t.carrier, t.country) for t in delivery_terms_for(locality=kazan)] == [
        ("courier-ru", "RU")
    ]


def test_zone_with_unreadable_terms_is_skipped_not_fatal(order_in, caplog):
    DeliveryZone.objects.filter(locality__name_ru="Алматы").update(weekdays="каждый день")
    dates = order_delivery_dates(order=order_in(), at=BEFORE_NOON)
    assert (dates.zone.locality, dates.earliest) == ("*", date(2026, 11, 25))
    assert "has unreadable terms; skipped" in caplog.text
