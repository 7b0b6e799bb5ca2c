"""Edits during the call: each one a service call with its timeline event."""

import pytest
from django.urls import reverse

from orderdesk.calling.tests.conftest import fresh
from orderdesk.catalog.models import Product
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import Elevator, OrderEvent, OrderEventType, StoreEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(ready_operator, operator_client, make_order):
    order = make_order(
        items=[
            {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"},
            {"sku": "KTL-1", "name": "Чайник", "quantity": 2, "price": "10000.00"},
        ]
    )
    operator_client.post(reverse("workspace:next"))
    return order


def post(client, name, order, data=None, *args):
    return client.post(
        reverse(f"workspace:{name}", args=[order.pk, *args]), data or {}, HTTP_HX_REQUEST="true"
    )


def events(order, type_):
    return list(OrderEvent.objects.filter(order=order, type=type_).order_by("id"))


def test_item_quantity_and_remove_update_total(operator_client, held):
    kettle = held.items.get(sku="KTL-1")
    response = post(operator_client, "item_quantity", held, {"quantity": "3"}, kettle.pk)
    assert response.status_code == 200
    held = fresh(held)
    assert str(held.total) == "289990.00"
    assert events(held, OrderEventType.ITEM_CHANGED)[0].data["quantity"] == {"from": 2, "to": 3}
    post(operator_client, "item_remove", held, {}, kettle.pk)
    held = fresh(held)
    assert [i.sku for i in held.items.all()] == ["HRF-450"]
    assert str(held.total) == "259990.00"
    assert events(held, OrderEventType.ITEM_REMOVED)[0].data["sku"] == "KTL-1"


def test_last_item_cannot_be_removed(operator_client, held):
    held.items.filter(sku="KTL-1").delete()
    fridge = held.items.get()
    response = post(operator_client, "item_remove", held, {}, fridge.pk)
    assert response.status_code == 422
    assert held.items.count() == 1


def test_zero_quantity_is_refused(operator_client, held):
    kettle = held.items.get(sku="KTL-1")
    assert (
        post(operator_client, "item_quantity", held, {"quantity": "0"}, kettle.pk).status_code
        == 422
    )
    kettle.refresh_from_db()
    assert kettle.quantity == 2


def test_add_product_of_own_store_only(operator_client, held, store):
    from orderdesk.stores.services import store_create

    iron = Product.objects.create(store=store, sku="IRN-2", name="Утюг", price="15000.00")
    other_store, _ = store_create(name="Другой", slug="other2")
    alien = Product.objects.create(store=other_store, sku="ALN", name="Чужой", price="1.00")
    assert (
        post(operator_client, "item_add", held, {"product": alien.pk, "quantity": 1}).status_code
        == 422
    )
    response = post(operator_client, "item_add", held, {"product": iron.pk, "quantity": "2"})
    assert response.status_code == 200
    added = held.items.get(sku="IRN-2")
    assert (added.quantity, added.added_by_operator, str(added.price)) == (2, True, "15000.00")
    held = fresh(held)
    assert str(held.total) == "309990.00"
    assert events(held, OrderEventType.ITEM_ADDED)[0].data["sku"] == "IRN-2"
    assert StoreEvent.objects.filter(order=held, type=StoreEventType.CHANGED).exists()


def test_elevator_freight_is_a_flag_passenger_a_courier_comment(operator_client, held):
    post(operator_client, "elevator", held, {"elevator": "freight"})
    held = fresh(held)
    assert held.elevator == Elevator.FREIGHT and held.delivery_comment == ""
    post(operator_client, "elevator", held, {"elevator": "passenger"})
    held = fresh(held)
    assert held.elevator == Elevator.PASSENGER
    assert held.delivery_comment == "Пассажирский лифт в доме."


def test_time_wish_goes_to_customer_comment(operator_client, held):
    response = post(operator_client, "time_wish", held, {"start": "14:00", "end": "18:00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="script" hx-swap-oob="outerHTML"' in html
    assert 'id="card-timeline" hx-swap-oob="outerHTML"' in html
    script = html[html.index('id="script"') :]
    assert "жеткізуді 14:00–18:00 аралығында" in script[: script.index("</section>")]
    held = fresh(held)
    assert held.time_wish == "14:00–18:00"
    assert held.comment == (
        "Клиент сможет принять доставку с 14:00 до 18:00; учитывается по возможности."
    )
    bad = post(operator_client, "time_wish", held, {"start": "18:00", "end": "14:00"})
    assert bad.status_code == 422


def test_bad_connection_note_and_additional_phone(operator_client, held):
    post(operator_client, "bad_connection", held)
    post(operator_client, "bad_connection", held)
    held = fresh(held)
    assert held.delivery_comment == "У клиента плохая связь, он может быть недоступен."
    assert post(operator_client, "phone_add", held, {"phone": "123"}).status_code == 422
    post(operator_client, "phone_add", held, {"phone": "8 (705) 111-22-33"})
    held.customer.refresh_from_db()
    assert held.customer.additional_phones == ["+77051112233"]
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'href="tel:+77051112233"' in page
    assert "дополнительные телефоны: — → +7705***2233" in page  # the field by its name


def test_recipient_change_is_on_the_timeline(operator_client, held):
    post(operator_client, "recipient", held, {"recipient_name": "Марат", "recipient_phone": ""})
    held = fresh(held)
    assert held.recipient_name == "Марат"
    change = events(held, OrderEventType.UPDATED)[-1]
    assert change.data["changes"]["recipient_name"]["to"] == "Марат"
    assert change.actor.username == "op1"


def test_value_longer_than_its_field_is_refused_and_nothing_changes(operator_client, held):
    """The form names what is too long instead of failing the save (PostgreSQL refuses the
    value)."""
    before = (held.street, held.house, held.recipient_phone)
    response = post(operator_client, "address", held, {"street": "Абая", "house": "1" * 51})
    assert response.status_code == 422
    assert "house: at most 50 characters" in response.content.decode()
    response = post(
        operator_client, "recipient", held, {"recipient_name": "Марат", "recipient_phone": "7" * 21}
    )
    assert response.status_code == 422
    assert "recipient_phone: at most 20 characters" in response.content.decode()
    held = fresh(held)
    assert (held.street, held.house, held.recipient_phone) == before
    assert held.recipient_name != "Марат"
    assert events(held, OrderEventType.UPDATED) == []


def test_out_of_city_marks_address_check_and_blocks_confirm(operator_client, held):
    post(operator_client, "address", held, {"street": "Абая", "house": "10", "is_out_of_city": "1"})
    held = fresh(held)
    assert held.is_out_of_city and held.needs_address_check
    lease_id = held.lease_id
    checks = operator_client.post(
        reverse("workspace:checks"), {"lease": str(lease_id), f"decision_{held.pk}": "confirm"}
    ).content.decode()
    assert f'data-check="{held.pk}.address_check"' in checks
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'class="script-module active" data-situation="out_of_city"' in page


def test_items_short_of_stock_are_marked(ready_operator, operator_client, make_order, store):
    Product.objects.create(
        store=store, sku="HRF-450", name="Холодильник", price="1", stock_quantity=0
    )
    Product.objects.create(store=store, sku="KTL-1", name="Чайник", price="1", stock_quantity=5)
    make_order(
        items=[
            {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00"},
            {"sku": "KTL-1", "name": "Чайник", "quantity": 2, "price": "10000.00"},
        ]
    )
    operator_client.post(reverse("workspace:next"))
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert page.count('data-stock="short"') == 1
    fridge_row = page[page.index("<td>HRF-450</td>") : page.index("<td>KTL-1</td>")]
    assert 'data-stock="short"' in fridge_row
    assert "в наличии: 0" in page
