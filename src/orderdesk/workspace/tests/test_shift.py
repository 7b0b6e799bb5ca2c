"""The shift, faster: search in the header, the keys, progressive mode, the customer whole,
timers, orders by phone and the supervisor's numbers."""

import pytest
from django.urls import reverse

from orderdesk.orders.models import OrderEvent, OrderEventType
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db


def a_customer(name: str, phone: str) -> dict:
    return {"name": name, "phone": phone, "email": "", "language": "ru"}


def test_operator_finds_an_order_of_their_store_by_phone_in_any_writing(
    operator, operator_client, make_order
):
    make_order("P-1", customer=a_customer("Ержан Тестов", "+7 705 111 22 33"))
    other_store, _key = store_create(name="Чужой магазин", slug="alien")
    make_order("P-2", store_=other_store, customer=a_customer("Ержан Тестов", "+77051112233"))
    page = operator_client.get(reverse("workspace:search"), {"q": "8 (705) 111-22-33"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-order="P-1"' in text and 'data-order="P-2"' not in text
    assert (
        OrderEvent.objects.filter(
            type=OrderEventType.VIEWED, actor=operator, data__via="search"
        ).count()
        == 1
    )


def test_supervisor_finds_by_name_and_number_and_the_header_has_the_box(
    supervisor_client, make_order
):
    make_order("P-7", customer=a_customer("<b>Ольга</b> Тест", "+7 707 000 11 22"))
    text = supervisor_client.get(reverse("workspace:search"), {"q": "ольга"}).content.decode()
    assert 'data-order="P-7"' in text and "&lt;b&gt;Ольга&lt;/b&gt;" in text
    assert 'id="search-q"' in text
    text = supervisor_client.get(reverse("workspace:search"), {"q": "p-7"}).content.decode()
    assert 'data-order="P-7"' in text
    text = supervisor_client.get(reverse("workspace:search"), {"q": "nobody"}).content.decode()
    assert 'id="search-empty"' in text


def test_search_needs_a_signed_in_staff_member(client, make_order):
    make_order("P-9")
    response = client.get(reverse("workspace:search"), {"q": "P-9"})
    assert response.status_code == 302
