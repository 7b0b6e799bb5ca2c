"""PATCH /api/v1/orders/{id} and POST /api/v1/orders/{id}/cancel: the store changes its order
through the operator's services, with their timeline and webhooks."""

import pytest

from orderdesk.orders.models import Order, OrderEvent, OrderStatus, StoreEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store_api, make_payload) -> dict:
    response = store_api.post("/api/v1/orders", make_payload("P-1"))
    assert response.status_code == 201
    return response.json()


def _events(order_id, type_):
    return list(OrderEvent.objects.filter(order_id=order_id, type=type_).order_by("id"))


def test_patch_changes_address_recipient_date_comment_and_phones(store_api, order):
    response = store_api.patch(
        f"/api/v1/orders/{order['id']}",
        {
            "recipient": {"name": "Ерлан Қасымов", "phone": "8 (702) 555-11-22"},
            "customer": {"additional_phones": ["+7 705 000 11 22"]},
            "delivery": {"street": "Сатпаева", "house": "5", "floor": "3",
                         "elevator": "freight", "date": "2026-12-01", "comment": "Код 12"},
            "comment": "Позвоните заранее",
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["recipient"] == {"name": "Ерлан Қасымов", "phone": "+77025551122"}
    assert data["customer"]["additional_phones"] == ["+77050001122"]
    assert data["delivery"]["street"] == "Сатпаева"
    assert data["delivery"]["elevator"] == "freight"
    assert data["delivery"]["requested_date"] == "2026-12-01"
    assert data["delivery"]["comment"] == "Код 12"
    assert data["comment"] == "Позвоните заранее"
    (updated, phone_added) = _events(order["id"], "updated")
    assert updated.actor_label == "store:mebel"
    assert updated.data["reason"] == "store"
    assert updated.data["changes"]["street"] == {"from": "Абая", "to": "Сатпаева"}
    assert phone_added.data["changes"]["additional_phones"]["to"] == "+77050001122"
    assert StoreEvent.objects.filter(order_id=order["id"], type="order.changed").count() == 2


def test_patch_replaces_items_with_each_difference_on_the_timeline(store_api, order):
    items = [
        {"sku": "HRF-450", "name": "Холодильник", "quantity": 2, "price": "259990.00"},
        {"sku": "KET-1", "name": "Чайник", "quantity": 1, "price": "9990.00"},
    ]
    response = store_api.patch(f"/api/v1/orders/{order['id']}", {"items": items})
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "529970.00"
    assert [e.data["quantity"] for e in _events(order["id"], "item_changed")] == [
        {"from": 1, "to": 2}
    ]
    assert [e.data["sku"] for e in _events(order["id"], "item_added")] == ["KET-1"]
    again = store_api.patch(f"/api/v1/orders/{order['id']}", {"items": items})
    assert again.status_code == 200
    assert StoreEvent.objects.filter(order_id=order["id"], type="order.changed").count() == 1


def test_patch_names_every_bad_field_and_stores_nothing(store_api, order):
    response = store_api.patch(
        f"/api/v1/orders/{order['id']}",
        {
            "recipient": {"phone": "12"},
            "delivery": {"street": "Новая", "date": "2026-13-01", "locality": "Астана"},
            "items": [{"sku": "", "name": "X", "quantity": 0, "price": "1.00"}],
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"delivery.date", "delivery.locality", "items[0].sku", "items[0].quantity"} <= fields
    stored = Order.objects.get(pk=order["id"])
    assert stored.street == "Абая"
    phone = store_api.patch(
        f"/api/v1/orders/{order['id']}", {"recipient": {"phone": "12"}, "comment": "x"}
    )
    assert phone.status_code == 422
    assert [e["field"] for e in phone.json()["errors"]] == ["recipient.phone"]
    stored.refresh_from_db()
    assert stored.comment == ""
    assert not _events(order["id"], "updated")
    assert not StoreEvent.objects.filter(order_id=order["id"], type="order.changed").exists()


def test_patch_of_another_stores_order_is_404(other_store_api, order):
    response = other_store_api.patch(f"/api/v1/orders/{order['id']}", {"comment": "x"})
    assert response.status_code == 404


def test_items_cannot_change_after_confirmation(store_api, order):
    Order.objects.filter(pk=order["id"]).update(status=OrderStatus.CONFIRMED)
    items = [{"sku": "A", "name": "A", "quantity": 1, "price": "1.00"}]
    response = store_api.patch(f"/api/v1/orders/{order['id']}", {"items": items, "comment": "x"})
    assert response.status_code == 409
    assert Order.objects.get(pk=order["id"]).comment == ""  # all or nothing


def test_cancel_before_shipping_and_not_after(store_api, order):
    response = store_api.post(f"/api/v1/orders/{order['id']}/cancel", {"reason": "Передумал"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Передумал"
    assert response.json()["tasks"] == []  # the confirmation call closed with it
    (event,) = _events(order["id"], "status_changed")
    assert event.actor_label == "store:mebel"
    assert StoreEvent.objects.filter(order_id=order["id"], type="order.cancelled").count() == 1
    again = store_api.post(f"/api/v1/orders/{order['id']}/cancel", {"reason": "Ещё раз"})
    assert again.status_code == 409


def test_cancel_needs_a_reason(store_api, order):
    for body in ({}, {"reason": "  "}):
        response = store_api.post(f"/api/v1/orders/{order['id']}/cancel", body)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert Order.objects.get(pk=order["id"]).status == OrderStatus.AWAITING_CONFIRMATION


def test_shipped_order_is_not_cancelled(store_api, order):
    Order.objects.filter(pk=order["id"]).update(status=OrderStatus.SHIPPED)
    response = store_api.post(f"/api/v1/orders/{order['id']}/cancel", {"reason": "Поздно"})
    assert response.status_code == 409
    assert Order.objects.get(pk=order["id"]).status == OrderStatus.SHIPPED


def test_staff_tokens_do_not_change_orders(operator_api, order):
    response = operator_api.post(f"/api/v1/orders/{order['id']}/cancel", {"reason": "x"})
    assert response.status_code == 403
