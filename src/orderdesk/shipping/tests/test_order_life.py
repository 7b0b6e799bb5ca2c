"""The whole second half of an order's life through the interfaces, on PostgreSQL: the store's
order comes in, the operator confirms it on a call, the store dispatches the day (the documents
open and read), ships it, the carrier fails an attempt, the delivery-problem call redelivers it,
it is delivered, the customer answers the feedback request. Every webhook the store receives is
checked by the Standard Webhooks reference verifier."""

import io
from datetime import timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from orderdesk.conftest import ApiClient
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.shipping.services import feedback_requests_send

from .conftest import NOW
from .test_flow import documents, drain

pytestmark = pytest.mark.django_db


def test_intake_to_feedback_through_dispatch(
    clock, make_payload, endpoint, receiver, store_api, operator_api
):
    created = store_api.post("/api/v1/orders", make_payload("A-7001"))
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]

    lease = operator_api.post("/api/v1/calls/next").json()["lease"]
    confirmed = operator_api.post(f"/api/v1/calls/{lease['id']}/outcome", {
        "result": "confirmed",
        "orders": [{"id": order_id, "decision": "confirm", "delivery_date": "2026-11-25"}],
    })  # fmt: skip
    assert confirmed.status_code == 200, confirmed.content

    # The order named no carrier: the confirmation records the one whose rules it promised.
    assert Order.objects.get(pk=order_id).carrier.code == "garanta"
    dispatch = store_api.post("/api/v1/dispatches", {"carrier": "garanta", "date": "2026-11-25"})
    assert dispatch.status_code == 201, dispatch.content
    dispatched = dispatch.json()
    assert dispatched["orders"] == [order_id]
    again = store_api.post("/api/v1/dispatches", {"carrier": "garanta", "date": "2026-11-25"})
    assert again.status_code == 409  # dispatched once
    links = dispatched["documents"]
    waybill = PdfReader(io.BytesIO(store_api.get(links["waybills_pdf"]).content))
    text = " ".join(page.extract_text() for page in waybill.pages)
    assert "A-7001" in text and "Айгуль Тестова" in text
    pick_list = PdfReader(io.BytesIO(store_api.get(links["pick_list_pdf"]).content))
    assert "HRF-450" in pick_list.pages[0].extract_text()
    manifest = openpyxl.load_workbook(io.BytesIO(store_api.get(links["manifest_xlsx"]).content))
    rows = [row for row in manifest.active.iter_rows(values_only=True) if "A-7001" in row]
    assert len(rows) == 1
    assert Order.objects.get(pk=order_id).status == OrderStatus.IN_FULFILMENT

    shipped = store_api.post(
        f"/api/v1/orders/{order_id}/shipment", {"carrier": "garanta", "tracking_number": "GA-71"}
    )
    assert shipped.status_code == 200, shipped.content
    clock.move_to(NOW + timedelta(hours=26))
    failed = store_api.post("/api/v1/tracking/events", {
        "tracking_number": "GA-71", "status": "failed_attempt", "reason": "address_not_found",
        "at": "2026-11-25T12:40:00+05:00", "raw": {"code": "NOT_FOUND"},
    })  # fmt: skip
    assert failed.status_code == 202
    # the call a few minutes later (at one frozen instant the webhooks' order would be a tie)
    clock.move_to(NOW + timedelta(hours=26, minutes=5))
    claim = operator_api.post("/api/v1/calls/next").json()
    assert [t["purpose"] for t in claim["tasks"]] == ["delivery_problem"]
    resolved = operator_api.post(f"/api/v1/calls/{claim['lease']['id']}/outcome", {
        "result": "resolved",
        "orders": [{"id": order_id, "decision": "redeliver", "delivery_date": "2026-11-27",
                    "address": {"street": "Абая", "house": "12"}}],
    })  # fmt: skip
    assert resolved.status_code == 200, resolved.content

    clock.move_to(NOW + timedelta(days=3))
    store_api.post("/api/v1/tracking/events", {
        "tracking_number": "GA-71", "status": "delivered", "at": "2026-11-27T11:05:00+05:00",
    })  # fmt: skip
    # a late in_transit changes nothing
    late = store_api.post("/api/v1/tracking/events", {
        "tracking_number": "GA-71", "status": "in_transit", "at": "2026-11-26T09:00:00+05:00",
    })  # fmt: skip
    assert late.status_code == 202
    assert Order.objects.get(pk=order_id).status == OrderStatus.DELIVERED

    clock.move_to(NOW + timedelta(days=4, hours=1))
    assert feedback_requests_send() == 1
    token = store_api.get(f"/api/v1/orders/{order_id}").json()["feedback_url"].rstrip("/")
    answer = ApiClient(None).post(f"/api/v1/feedback/{token.rsplit('/', 1)[1]}", {"rating": 4})
    assert answer.status_code == 201, answer.content

    drain()
    sent = [d["type"] for d in documents(receiver, endpoint)]
    # (the first four share the frozen clock's first moment)
    assert sorted(sent[:4]) == [
        "order.confirmed", "order.created", "order.in_fulfilment", "order.shipped"
    ]  # fmt: skip
    assert sent[4:] == [
        "order.delivery_problem",
        "order.changed",
        "order.delivered",
        "order.feedback",
    ]
