"""The path after confirmation, through the API, on PostgreSQL: shipment → failed attempt →
the delivery-problem call → redeliver → delivered → feedback, every webhook the store receives
checked by the Standard Webhooks reference verifier."""

from datetime import date, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.conftest import ApiClient
from orderdesk.integrations.services import webhooks_dispatch
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.shipping.models import DeliveryProblem, Feedback, ProblemDecision, Shipment
from orderdesk.shipping.services import feedback_requests_send

from .conftest import NOW

pytestmark = pytest.mark.django_db


def drain() -> None:
    while webhooks_dispatch():
        pass


def documents(receiver, endpoint) -> list[dict]:
    """Every delivery verified with the endpoint's secret by the reference implementation."""
    return [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]


def test_confirmed_order_to_feedback_with_verified_webhooks(
    clock, confirmed_order, endpoint, receiver, store_api, operator_api
):
    order = confirmed_order()
    shipped = store_api.post(
        f"/api/v1/orders/{order.pk}/shipment", {"carrier": "garanta", "tracking_number": "GA-1"}
    )
    assert shipped.status_code == 200, shipped.content
    body = shipped.json()
    assert body["status"] == "shipped"
    assert body["shipment"]["carrier"] == "garanta"
    assert body["shipment"]["tracking_number"] == "GA-1"
    assert "/t/" in body["shipment"]["tracking_url"]

    clock.move_to(NOW + timedelta(hours=26))  # 25 Nov, 13:00 in Almaty
    failed = store_api.post("/api/v1/tracking/events", {
        "tracking_number": "GA-1", "status": "failed_attempt", "reason": "customer_absent",
        "at": "2026-11-25T12:40:00+05:00", "raw": {"code": "NOBODY_HOME"},
    })  # fmt: skip
    assert failed.status_code == 202, failed.content
    problem = DeliveryProblem.objects.get(order=order)
    assert (problem.reason, problem.deadline_at) == (
        "customer_absent", NOW + timedelta(hours=26 + 24)
    )  # fmt: skip
    task = CallTask.objects.get(order=order, purpose=CallPurpose.DELIVERY_PROBLEM)
    assert (task.state, task.reason) == (CallTaskState.QUEUED, "customer_absent")

    clock.move_to(NOW + timedelta(hours=26, minutes=10))
    claim = operator_api.post("/api/v1/calls/next")
    assert claim.status_code == 200, claim.content
    claimed = claim.json()
    assert [(t["purpose"], t["order_id"]) for t in claimed["tasks"]] == [
        ("delivery_problem", str(order.pk))
    ]
    lease_id = claimed["lease"]["id"]
    new_day = date(2026, 11, 27)
    outcome = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {
        "result": "resolved",
        "orders": [{"id": str(order.pk), "decision": "redeliver",
                    "delivery_date": new_day.isoformat(), "address": {"entrance": "3"}}],
    })  # fmt: skip
    assert outcome.status_code == 200, outcome.content
    order.refresh_from_db()
    assert (order.delivery_on, order.entrance, order.status) == (new_day, "3", "shipped")
    problem.refresh_from_db()
    assert (problem.decision, problem.redelivery_on) == (ProblemDecision.REDELIVER, new_day)

    clock.move_to(NOW + timedelta(days=3))
    delivered = store_api.post("/api/v1/tracking/events", {
        "tracking_number": "GA-1", "status": "delivered", "at": "2026-11-27T11:05:00+05:00",
    })  # fmt: skip
    assert delivered.status_code == 202
    order.refresh_from_db()
    shipment = Shipment.objects.get(order=order)
    assert order.status == OrderStatus.DELIVERED
    assert shipment.cash_collected == order.total
    assert shipment.delivered_at.isoformat() == "2026-11-27T06:05:00+00:00"
    problem.refresh_from_db()
    assert problem.won_back is True

    assert feedback_requests_send() == 0  # not yet: 24 hours after delivery
    clock.move_to(NOW + timedelta(days=4, hours=1))
    assert feedback_requests_send() == 1
    # No messaging channel answered: the request becomes a feedback call.
    assert CallTask.objects.filter(order=order, purpose=CallPurpose.FEEDBACK).count() == 1
    feedback_url = store_api.get(f"/api/v1/orders/{order.pk}").json()["feedback_url"]
    token = feedback_url.rstrip("/").rsplit("/", 1)[1]
    given = ApiClient(None).post(f"/api/v1/feedback/{token}", {"rating": 5, "comment": "Спасибо"})
    assert given.status_code == 201, given.content
    assert Feedback.objects.get(order=order).rating == 5
    # The answer came: the waiting feedback call is done.
    assert not CallTask.objects.filter(
        order=order, purpose=CallPurpose.FEEDBACK, state=CallTaskState.QUEUED
    ).exists()

    drain()
    sent = [(d["type"], d["data"]["status"]) for d in documents(receiver, endpoint)]
    # (created, confirmed and shipped share the frozen clock's first moment: their order
    # among themselves is the ids')
    assert sorted(sent[:3]) == [
        ("order.confirmed", "confirmed"),
        ("order.created", "awaiting_confirmation"),
        ("order.shipped", "shipped"),
    ]
    assert sent[3:] == [
        ("order.delivery_problem", "shipped"),
        ("order.changed", "shipped"),
        ("order.delivered", "delivered"),
        ("order.feedback", "delivered"),
    ]
    by_type = {d["type"]: d["data"] for d in documents(receiver, endpoint)}
    assert by_type["order.shipped"]["shipment"]["tracking_number"] == "GA-1"
    assert by_type["order.delivery_problem"]["delivery_problem"]["reason"] == "customer_absent"
    assert by_type["order.changed"]["delivery"]["date"] == "2026-11-27"
    assert by_type["order.delivered"]["shipment"]["cash_collected"] == f"{order.total:.2f}"
    assert by_type["order.feedback"]["feedback"]["rating"] == 5


def test_a_low_rating_opens_a_call_for_a_supervisor(clock, confirmed_order, store_api, supervisor):
    order = confirmed_order()
    store_api.post(f"/api/v1/orders/{order.pk}/shipment",
                   {"carrier": "garanta", "tracking_number": "GA-2"})  # fmt: skip
    store_api.post(
        "/api/v1/tracking/events",
        {"tracking_number": "GA-2", "status": "delivered", "at": "2026-11-24T10:30:00+05:00"},
    )
    token = store_api.get(f"/api/v1/orders/{order.pk}").json()["feedback_url"].split("/")[-2]
    assert ApiClient(None).post(f"/api/v1/feedback/{token}", {"rating": 2}).status_code == 201
    task = CallTask.objects.get(order=order, purpose=CallPurpose.FEEDBACK)
    assert (task.state, task.callback_user, task.reason) == (
        CallTaskState.CALLBACK, supervisor, "low_rating:2"
    )  # fmt: skip
    again = ApiClient(None).post(f"/api/v1/feedback/{token}", {"rating": 5})
    assert again.status_code == 409
    assert Feedback.objects.get(order=order).rating == 2


def test_feedback_with_a_bad_token_or_rating_stores_nothing(clock, confirmed_order, store_api):
    order = confirmed_order()
    anonymous = ApiClient(None)
    assert anonymous.post("/api/v1/feedback/nonsense.abc", {"rating": 4}).status_code == 404
    store_api.post(f"/api/v1/orders/{order.pk}/shipment",
                   {"carrier": "garanta", "tracking_number": "GA-3"})  # fmt: skip
    store_api.post(
        "/api/v1/tracking/events",
        {"tracking_number": "GA-3", "status": "delivered", "at": "2026-11-24T10:30:00+05:00"},
    )
    order_json = store_api.get(f"/api/v1/orders/{order.pk}").json()
    token = order_json["feedback_url"].split("/")[-2]
    tracking_token = order_json["shipment"]["tracking_url"].split("/")[-2]
    refused = anonymous.post(f"/api/v1/feedback/{token}", {"rating": 9})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["rating"]
    # The tracking page's token is not a feedback credential.
    assert anonymous.post(f"/api/v1/feedback/{tracking_token}", {"rating": 4}).status_code == 404
    assert not Feedback.objects.filter(order=order).exists()


def test_redelivery_on_a_date_the_carrier_cannot_serve_is_refused(
    clock, confirmed_order, store_api, operator_api
):
    order = confirmed_order()
    store_api.post(f"/api/v1/orders/{order.pk}/shipment",
                   {"carrier": "garanta", "tracking_number": "GA-4"})  # fmt: skip
    store_api.post(
        "/api/v1/tracking/events",
        {"tracking_number": "GA-4", "status": "exception", "at": "2026-11-24T10:30:00+05:00"},
    )
    lease_id = operator_api.post("/api/v1/calls/next").json()["lease"]["id"]
    sunday = "2026-11-29"
    refused = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {
        "result": "resolved",
        "orders": [{"id": str(order.pk), "decision": "redeliver", "delivery_date": sunday,
                    "address": {"password": "x"}}],
    })  # fmt: skip
    assert refused.status_code == 422, refused.content
    fields = sorted(e["field"] for e in refused.json()["errors"])
    assert fields == [f"orders[{order.pk}].address.password", f"orders[{order.pk}].delivery_date"]
    assert DeliveryProblem.objects.get(order=order).decided_at is None
    returned = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {
        "result": "resolved",
        "orders": [{"id": str(order.pk), "decision": "return", "reason": "refused to wait"}],
    })  # fmt: skip
    assert returned.status_code == 200, returned.content
    problem = DeliveryProblem.objects.get(order=order)
    assert (problem.decision, problem.return_reason) == ("return", "refused to wait")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
