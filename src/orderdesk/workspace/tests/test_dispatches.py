"""The supervisor's dispatch screen: what waits, the dispatch button, the documents."""

import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from orderdesk.delivery.models import Carrier
from orderdesk.fulfilment.models import Dispatch
from orderdesk.fulfilment.tests.conftest import DELIVERY_ON, confirmed_order_make
from orderdesk.orders.models import OrderStatus
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def garanta():
    return Carrier.objects.get(code="garanta")


def test_supervisor_dispatches_from_the_screen_and_downloads(supervisor_client, store, garanta):
    orders = [confirmed_order_make(store=store, carrier=garanta) for _ in range(2)]
    page = supervisor_client.get(reverse("workspace:dispatches")).content.decode()
    assert "ГарантА" in page
    assert f'value="{DELIVERY_ON:%Y-%m-%d}"' in page
    response = supervisor_client.post(
        reverse("workspace:dispatch_post"),
        {"store": store.pk, "carrier": "garanta", "date": DELIVERY_ON.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    dispatch = Dispatch.objects.get()
    assert dispatch.created_by.username == "sup1"
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_FULFILMENT
    page = response.content.decode()
    url = reverse("workspace:dispatch_document", args=[dispatch.pk, "waybills_pdf"])
    assert f"{url}?lang=kk" in page
    waybills = supervisor_client.get(url, {"lang": "kk"})
    assert waybills["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(waybills.content)).pages[0].extract_text()
    assert orders[0].external_id in text and "Айгүл Сейітова" in text
    manifest = supervisor_client.get(
        reverse("workspace:dispatch_document", args=[dispatch.pk, "manifest_xlsx"])
    )
    assert len(list(openpyxl.load_workbook(io.BytesIO(manifest.content)).active.rows)) == 3


def test_another_stores_orders_and_dispatches_are_out_of_reach(supervisor_client, garanta):
    other, _ = store_create(name="Чужой магазин", slug="alien")
    order = confirmed_order_make(store=other, carrier=garanta)
    page = supervisor_client.get(reverse("workspace:dispatches")).content.decode()
    assert "Чужой магазин" not in page
    supervisor_client.post(
        reverse("workspace:dispatch_post"),
        {"store": other.pk, "carrier": "garanta", "date": DELIVERY_ON.isoformat()},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert not Dispatch.objects.exists()


def test_operators_do_not_see_the_screen(operator_client):
    assert operator_client.get(reverse("workspace:dispatches")).status_code == 404
