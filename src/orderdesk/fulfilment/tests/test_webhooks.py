"""The store hears of its changes, its cancel and the dispatch as signed webhooks, verified by
the Standard Webhooks reference implementation against a real receiver on 127.0.0.1."""

from collections import defaultdict

import pytest
from standardwebhooks.webhooks import Webhook

from orderdesk.delivery.models import Carrier
from orderdesk.integrations.services import webhooks_dispatch
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import order_status_change

from .conftest import DELIVERY_ON

pytestmark = pytest.mark.django_db


def test_change_dispatch_and_cancel_reach_the_store_signed(
    store_api, make_payload, endpoint, receiver
):
    dispatched = store_api.post("/api/v1/orders", make_payload("W-1")).json()["id"]
    cancelled = store_api.post("/api/v1/orders", make_payload("W-2")).json()["id"]
    changed = store_api.patch(f"/api/v1/orders/{dispatched}", {"comment": "Звонить после 18"})
    assert changed.status_code == 200
    order_status_change(
        order=Order.objects.get(pk=dispatched), to=OrderStatus.CONFIRMED, actor_label="test",
        extra_fields={"carrier": Carrier.objects.get(code="garanta"), "delivery_on": DELIVERY_ON},
    )  # fmt: skip
    response = store_api.post("/api/v1/dispatches", {"carrier": "garanta", "date": "2026-11-26"})
    assert response.status_code == 201
    assert (
        store_api.post(f"/api/v1/orders/{cancelled}/cancel", {"reason": "Дубль"}).status_code == 200
    )
    while webhooks_dispatch():
        pass
    received = defaultdict(list)
    for request in receiver.requests:
        document = Webhook(endpoint.secret).verify(request.body, request.headers)
        received[document["data"]["id"]].append((document["type"], document["data"]["status"]))
    assert received[dispatched] == [
        ("order.created", "awaiting_confirmation"),
        ("order.changed", "awaiting_confirmation"),
        ("order.confirmed", "confirmed"),
        ("order.in_fulfilment", "in_fulfilment"),
    ]
    assert received[cancelled] == [
        ("order.created", "awaiting_confirmation"),
        ("order.cancelled", "cancelled"),
    ]
