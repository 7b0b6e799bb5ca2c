"""Search: an order number, a phone in any writing, a part of the name; within what the caller
may search (a store its own orders, staff their stores)."""

import pytest

from orderdesk.conftest import order_payload
from orderdesk.orders.models import OrderEvent, OrderEventType

pytestmark = pytest.mark.django_db


def customer(name: str, phone: str) -> dict:
    return {"name": name, "phone": phone, "email": "", "language": "ru"}


@pytest.fixture
def three_orders(store_api):
    for external_id, person in [
        ("S-1", customer("Айгуль Сапарова", "+7 701 123 45 67")),
        ("S-2", customer("Bolat Nurlanov", "8 (702) 555-12-34")),
        ("S-3", customer("Айгуль Сапарова", "+77011234567")),
    ]:
        response = store_api.post("/api/v1/orders", order_payload(external_id, customer=person))
        assert response.status_code == 201, response.json()


def found(api, text: str) -> list[str]:
    response = api.get("/api/v1/orders", search=text)
    assert response.status_code == 200, response.json()
    return sorted(order["external_id"] for order in response.json()["items"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("s-2", ["S-2"]),
        ("+7 702 555 12 34", ["S-2"]),
        ("87025551234", ["S-2"]),
        ("7 (702) 555-12-34", ["S-2"]),
        ("555-12", ["S-2"]),
        ("сапарова", ["S-1", "S-3"]),
        ("bolat", ["S-2"]),
        ("8 701 123 45 67", ["S-1", "S-3"]),
        ("nobody", []),
    ],
)
def test_search_by_number_phone_or_name(store_api, three_orders, text, expected):
    assert found(store_api, text) == expected


def test_search_sees_only_the_callers_store(store_api, other_store_api, three_orders):
    assert found(other_store_api, "Сапарова") == []
    assert found(other_store_api, "S-1") == []


def test_staff_search_their_stores_and_the_view_is_recorded(
    store_api, operator, operator_api, three_orders
):
    # The operator never called these orders, yet finds them: a customer calling in.
    assert found(operator_api, "+7 702 555 12 34") == ["S-2"]
    assert OrderEvent.objects.filter(
        type=OrderEventType.VIEWED, actor=operator, data__via="api"
    ).exists()


def test_search_combines_with_the_other_filters(store_api, three_orders):
    response = store_api.get("/api/v1/orders", search="Сапарова", external_id="S-3")
    assert [o["external_id"] for o in response.json()["items"]] == ["S-3"]


def test_overlong_search_is_a_422_naming_the_field(store_api):
    response = store_api.get("/api/v1/orders", search="x" * 201)
    assert response.status_code == 422
    assert "search" in str(response.json())
