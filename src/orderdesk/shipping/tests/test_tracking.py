"""Tracking events: repeats are kept once, events out of order change nothing they should not,
bad input is refused by field and stores nothing; the shipment's own refusals."""

import pytest

from orderdesk.calling.models import OPEN_STATES, CallPurpose, CallTask, CallTaskState
from orderdesk.calling.services import call_task_open
from orderdesk.orders.models import Order, OrderEvent, OrderStatus, StoreEvent
from orderdesk.shipping.models import DeliveryProblem, ProblemDecision, Shipment, TrackingEvent
from orderdesk.shipping.services.carrier_sync import problem_decisions_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(clock, confirmed_order, store_api):
    order = confirmed_order()
    answer = store_api.post(
        f"/api/v1/orders/{order.pk}/shipment", {"carrier": "garanta", "tracking_number": "GA-77"}
    )
    assert answer.status_code == 200, answer.content
    return order


def event(store_api, status: str, at: str, **extra):
    return store_api.post(
        "/api/v1/tracking/events", {"tracking_number": "GA-77", "status": status, "at": at, **extra}
    )


def test_a_repeated_event_is_kept_once_and_opens_one_problem(shipped, store_api):
    first = event(store_api, "failed_attempt", "2026-11-25T12:00:00+05:00", raw={"code": "X1"})
    again = event(store_api, "failed_attempt", "2026-11-25T12:00:00+05:00", raw={"code": "X1"})
    assert (first.status_code, first.json()["repeat"]) == (202, False)
    assert (again.status_code, again.json()["repeat"]) == (202, True)
    assert TrackingEvent.objects.filter(shipment__order=shipped).count() == 1
    assert TrackingEvent.objects.get().raw_code == "X1"
    assert DeliveryProblem.objects.filter(order=shipped).count() == 1
    assert CallTask.objects.filter(order=shipped, purpose=CallPurpose.DELIVERY_PROBLEM).count() == 1
    problems = StoreEvent.objects.filter(order=shipped, type="order.delivery_problem")
    assert problems.count() == 1


def test_a_late_in_transit_after_delivered_changes_nothing(shipped, store_api):
    assert event(store_api, "delivered", "2026-11-25T15:00:00+05:00").json()["applied"] is True
    late = event(store_api, "in_transit", "2026-11-25T09:00:00+05:00")
    assert (late.status_code, late.json()["applied"]) == (202, False)
    shipment = Shipment.objects.get(order=shipped)
    assert shipment.status == "delivered"
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.DELIVERED
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    later = event(store_api, "failed_attempt", "2026-11-25T16:00:00+05:00")
    assert later.json()["applied"] is False
    assert not DeliveryProblem.objects.filter(order=shipped).exists()


def test_an_older_event_after_a_newer_one_does_not_move_the_parcel_back(shipped, store_api):
    event(store_api, "out_for_delivery", "2026-11-25T10:00:00+05:00")
    older = event(store_api, "in_transit", "2026-11-24T18:00:00+05:00")
    assert older.json()["applied"] is False
    assert Shipment.objects.get(order=shipped).status == "out_for_delivery"


def test_returned_records_the_reason_and_the_webhook(shipped, store_api):
    answer = event(store_api, "returned", "2026-11-26T10:00:00+05:00", reason="refused")
    assert answer.status_code == 202
    shipment = Shipment.objects.get(order=shipped)
    assert (shipment.return_reason, shipment.returned_at.isoformat()) == (
        "refused",
        "2026-11-26T05:00:00+00:00",
    )
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.RETURNED
    assert StoreEvent.objects.filter(order=shipped, type="order.returned").count() == 1


def test_bad_events_are_refused_by_field_and_store_nothing(shipped, store_api, other_store_api):
    bad = event(store_api, "teleported", "2026-11-25T10:00:00+05:00")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["status"]
    naive = event(store_api, "in_transit", "2026-11-25T10:00:00")
    assert naive.status_code == 422
    unknown = store_api.post("/api/v1/tracking/events",
                             {"tracking_number": "NOPE", "status": "in_transit",
                              "at": "2026-11-25T10:00:00+05:00"})  # fmt: skip
    assert unknown.status_code == 404
    foreign = other_store_api.post("/api/v1/tracking/events",
                                   {"tracking_number": "GA-77", "status": "delivered",
                                    "at": "2026-11-25T10:00:00+05:00"})  # fmt: skip
    assert foreign.status_code == 404
    assert not TrackingEvent.objects.exists()


def test_shipment_refusals(clock, confirmed_order, store_api, operator_api, make_payload, store):
    order = confirmed_order()
    path = f"/api/v1/orders/{order.pk}/shipment"
    unknown = store_api.post(path, {"carrier": "pigeon", "tracking_number": "P-1"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["carrier"]
    assert (
        operator_api.post(path, {"carrier": "garanta", "tracking_number": "G"}).status_code == 403
    )
    assert store_api.post(path, {"carrier": "garanta", "tracking_number": "G-1"}).status_code == 200
    same = store_api.post(path, {"carrier": "garanta", "tracking_number": "G-1"})
    assert (same.status_code, same.json()["shipment"]["tracking_number"]) == (200, "G-1")
    other = store_api.post(path, {"carrier": "garanta", "tracking_number": "G-2"})
    assert other.status_code == 409
    assert Shipment.objects.get(order=order).tracking_number == "G-1"
    awaiting = confirmed_order("A-2002", phone="+7 701 000 00 02")
    awaiting.status = OrderStatus.AWAITING_CONFIRMATION
    awaiting.save(update_fields=["status"])
    early = store_api.post(f"/api/v1/orders/{awaiting.pk}/shipment",
                           {"carrier": "garanta", "tracking_number": "G-3"})  # fmt: skip
    assert early.status_code == 409
    assert not Shipment.objects.filter(order=awaiting).exists()


def test_a_file_ships_all_or_nothing(clock, confirmed_order, store_api):
    first, second = confirmed_order("A-1"), confirmed_order("A-2", phone="+7 701 000 00 03")
    bad = "номер заказа,трек-номер,carrier\nA-1,T-1,garanta\nA-404,T-2,garanta\nA-2,T-1,garanta\n".encode()
    refused = store_api.client.post(
        "/api/v1/shipments/import", {"file": _upload("ship.csv", bad)},
        headers={"Authorization": f"Bearer {store_api.token}"},
    )  # fmt: skip
    assert refused.status_code == 422, refused.content
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("rows[3].order_number", "shipment_order_unknown"),
        ("rows[4].tracking_number", "shipment_tracking_number_taken"),
    ]
    assert not Shipment.objects.exists()
    good = b"order_number,tracking_number,carrier\nA-1,T-1,garanta\nA-2,T-2,garanta\n"
    preview = store_api.client.post(
        "/api/v1/shipments/import?preview=true", {"file": _upload("ship.csv", good)},
        headers={"Authorization": f"Bearer {store_api.token}"},
    )  # fmt: skip
    assert preview.status_code == 200, preview.content
    assert preview.json()["applied"] is False
    assert not Shipment.objects.exists()
    done = store_api.client.post(
        "/api/v1/shipments/import", {"file": _upload("ship.csv", good)},
        headers={"Authorization": f"Bearer {store_api.token}"},
    )  # fmt: skip
    assert [r["order_id"] for r in done.json()["rows"]] == [str(first.pk), str(second.pk)]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SHIPPED}


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def _open_task(order, purpose):
    return CallTask.objects.filter(order=order, purpose=purpose, state__in=OPEN_STATES)


def test_a_delivery_ends_the_problem_and_its_call_but_not_the_feedback_call(shipped, store_api):
    event(store_api, "failed_attempt", "2026-11-25T12:00:00+05:00", reason="customer_absent")
    call_task_open(order=shipped, purpose=CallPurpose.FEEDBACK)
    assert _open_task(shipped, CallPurpose.DELIVERY_PROBLEM).exists()
    event(store_api, "delivered", "2026-11-25T18:00:00+05:00")
    task = CallTask.objects.get(order=shipped, purpose=CallPurpose.DELIVERY_PROBLEM)
    assert (task.state, task.lease_id) == (CallTaskState.DONE, None)
    assert _open_task(shipped, CallPurpose.FEEDBACK).exists()  # asked after a delivery
    problem = DeliveryProblem.objects.get(order=shipped)
    assert problem.decision == ProblemDecision.CARRIER
    assert problem.decided_at.isoformat() == "2026-11-25T13:00:00+00:00"
    assert problem.won_back is None  # not won back by a call: the carrier settled it
    assert problem_decisions_send() == 0  # nothing to tell the carrier about its own delivery
    note = OrderEvent.objects.get(order=shipped, data__action="problem_settled_delivered")
    assert note.data["delivery_problem"] == "customer_absent"


def test_a_return_ends_the_problem_its_call_and_the_feedback_call(shipped, store_api):
    event(store_api, "failed_attempt", "2026-11-25T12:00:00+05:00", reason="refused")
    call_task_open(order=shipped, purpose=CallPurpose.FEEDBACK)
    event(store_api, "returned", "2026-11-26T10:00:00+05:00", reason="refused")
    states = dict(CallTask.objects.filter(order=shipped).values_list("purpose", "state"))
    assert states[CallPurpose.DELIVERY_PROBLEM] == CallTaskState.CANCELLED
    assert states[CallPurpose.FEEDBACK] == CallTaskState.CANCELLED
    assert DeliveryProblem.objects.get(order=shipped).decision == ProblemDecision.CARRIER
    assert OrderEvent.objects.filter(
        order=shipped, data__action="problem_settled_returned"
    ).exists()
