from orderdesk.orders.models import Order


def test_creates_order_and_replay_returns_it(store_api, make_payload):
    response = store_api.post("/api/v1/orders", make_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_confirmation"
    assert body["queue_state"] == "queued"
    assert body["customer"]["phone"] == "+77011234567"
    assert body["delivery"]["locality"] == "Алматы"
    assert body["delivery"]["timezone"] == "Asia/Almaty"
    again = store_api.post("/api/v1/orders", make_payload())
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Order.objects.count() == 1
