"""The admin screens for localities, carriers and zones, driven through Django's test client."""

from datetime import time

import pytest
from django.test import Client

from orderdesk.accounts.models import User
from orderdesk.delivery.models import Carrier, DeliveryZone, Locality, LocalityName
from orderdesk.delivery.selectors import locality_match

pytestmark = pytest.mark.django_db

ZONE_FORM = {
    "carrier": "",
    "country": "KZ",
    "locality": "",
    "lead_days": "1",
    "cutoff": "15:00",
    "weekdays": "1-5",
    "skips_holidays": "on",
    "intervals": "10:00-14:00;14:00-18:00",
    "is_active": "on",
}


@pytest.fixture
def admin_client() -> Client:
    user = User.objects.create_superuser("root", "root@example.kz", "pw", role="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/delivery/carrier/",
        "/admin/delivery/deliveryzone/",
        "/admin/delivery/locality/",
        "/admin/delivery/carrier/add/",
        "/admin/delivery/locality/add/",
        "/admin/delivery/deliveryzone/add/",
    ],
)
def test_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_zone_page_previews_dates_for_a_confirmation_now(admin_client):
    zone = DeliveryZone.objects.get(locality__name_ru="Алматы")
    page = admin_client.get(f"/admin/delivery/deliveryzone/{zone.pk}/change/").content.decode()
    assert "(Asia/Almaty)" in page
    assert "<b>earliest:</b>" in page


def test_adds_a_zone_for_a_locality(admin_client):
    carrier = Carrier.objects.get(code="garanta")
    shymkent = Locality.objects.get(country="KZ", name_ru="Шымкент")
    form = ZONE_FORM | {"carrier": carrier.pk, "locality": shymkent.pk}
    response = admin_client.post("/admin/delivery/deliveryzone/add/", form)
    assert response.status_code == 302
    zone = DeliveryZone.objects.get(locality=shymkent)
    assert (zone.lead_days, zone.cutoff, zone.weekdays, zone.skips_holidays, zone.intervals) == (
        1,
        time(15, 0),
        "1-5",
        True,
        "10:00-14:00;14:00-18:00",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekdays": "1-8"}, "weekdays"),
        ({"intervals": "14:00-10:00"}, "intervals"),
        ({"lead_days": "8"}, "lead_days"),
        ({"country": "RU"}, "locality"),
    ],
)
def test_refuses_bad_terms(admin_client, change, field):
    carrier = Carrier.objects.get(code="garanta")
    shymkent = Locality.objects.get(country="KZ", name_ru="Шымкент")
    form = ZONE_FORM | {"carrier": carrier.pk, "locality": shymkent.pk} | change
    response = admin_client.post("/admin/delivery/deliveryzone/add/", form)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not DeliveryZone.objects.filter(locality=shymkent).exists()


def test_refuses_a_second_country_row_for_the_same_carrier(admin_client):
    carrier = Carrier.objects.get(code="garanta")
    response = admin_client.post(
        "/admin/delivery/deliveryzone/add/", ZONE_FORM | {"carrier": carrier.pk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert DeliveryZone.objects.filter(carrier=carrier, locality=None, country="KZ").count() == 1


def test_editing_a_locality_rebuilds_the_names_it_is_matched_on(admin_client):
    locality = Locality.objects.get(country="KZ", name_ru="Шымкент")
    response = admin_client.post(
        f"/admin/delivery/locality/{locality.pk}/change/",
        {
            "country": "KZ",
            "region": locality.region,
            "name_ru": "Шымкент",
            "name_kk": "",
            "name_en": "Shymkent",
            "timezone": "Asia/Almaty",
            "aliases": "Чимкент\n\n  Южная столица \nЧимкент",
            "names-TOTAL_FORMS": "0",
            "names-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    locality.refresh_from_db()
    assert locality.aliases == ["Чимкент", "Южная столица"]
    assert sorted(LocalityName.objects.filter(locality=locality).values_list("key", flat=True)) == [
        "shymkent",
        "чимкент",
        "шымкент",
        "южная столица",
    ]
    assert locality_match(name="южная  столица") == locality
    assert locality_match(name="Chimkent") is None
