from datetime import timedelta

from orderdesk.calling.models import CallAttempt, CallTaskState
from orderdesk.conftest import ApiClient

from .conftest import NOW, fresh


def test_next_is_204_when_nothing_is_due(clock, operator_api):
    response = operator_api.post("/api/v1/calls/next")
    assert response.status_code == 204
    assert response.content == b""


def test_next_heartbeat_outcome_round_trip(clock, make_order, operator_api):
    order = make_order(phone="+77012223344")
    response = operator_api.post("/api/v1/calls/next")
    assert response.status_code == 200
    body = response.json()
    lease = body["lease"]
    assert lease["order_ids"] == [str(order.pk)]
    assert lease["expires_at"] == (NOW + timedelta(minutes=5)).isoformat()
    assert [o["id"] for o in body["orders"]] == [str(order.pk)]
    assert body["orders"][0]["queue_state"] == "in_call"

    again = operator_api.post("/api/v1/calls/next").json()
    assert (again["lease"]["id"], again["lease"]["resumed"]) == (lease["id"], True)

    clock.move_to(NOW + timedelta(minutes=1))
    beat = operator_api.post(f"/api/v1/calls/{lease['id']}/heartbeat")
    assert beat.status_code == 200
    assert beat.json()["lease"]["expires_at"] == (NOW + timedelta(minutes=6)).isoformat()

    done = operator_api.post(
        f"/api/v1/calls/{lease['id']}/outcome", {"result": "busy", "notes": "занято"}
    )
    assert done.status_code == 200
    result = done.json()
    assert result["attempt"]["result"] == "busy"
    assert (result["attempt"]["contacted"], result["attempt"]["final"]) == (False, False)
    assert result["orders"][0]["queue_state"] == "queued"
    assert result["replayed"] is False

    replay = operator_api.post(f"/api/v1/calls/{lease['id']}/outcome", {"result": "busy"})
    assert replay.status_code == 200
    assert replay.json()["replayed"] is True
    conflict = operator_api.post(f"/api/v1/calls/{lease['id']}/outcome", {"result": "no_answer"})
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "lease_not_held"
    assert CallAttempt.objects.count() == 1
    late_beat = operator_api.post(f"/api/v1/calls/{lease['id']}/heartbeat")
    assert late_beat.status_code == 409


def test_outcome_validation_is_422_naming_fields(clock, make_order, operator_api):
    order = make_order()
    lease_id = operator_api.post("/api/v1/calls/next").json()["lease"]["id"]
    bad_result = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {"result": "maybe"})
    assert bad_result.status_code == 422
    assert bad_result.json()["errors"][0]["field"] == "result"
    no_time = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {"result": "callback"})
    assert no_time.status_code == 422
    assert [e["field"] for e in no_time.json()["errors"]] == ["callback_at"]
    missing = operator_api.post(f"/api/v1/calls/{lease_id}/outcome", {"result": "confirmed"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == f"orders[{order.pk}]"
    assert fresh(order).queue_state == CallTaskState.IN_CALL


def test_another_operators_lease_is_not_found(clock, make_order, operator_api, operator2):
    make_order()
    lease_id = operator_api.post("/api/v1/calls/next").json()["lease"]["id"]
    from orderdesk.accounts.services import user_api_token_issue

    other = ApiClient(user_api_token_issue(user=operator2))
    assert other.post(f"/api/v1/calls/{lease_id}/heartbeat").status_code == 404
    response = other.post(f"/api/v1/calls/{lease_id}/outcome", {"result": "busy"})
    assert response.status_code == 404


def test_calls_need_an_operator_token(store_api):
    assert store_api.post("/api/v1/calls/next").status_code == 403
    assert ApiClient(None).post("/api/v1/calls/next").status_code == 401


def test_operator_state_endpoints(clock, operator_api):
    assert operator_api.get("/api/v1/calls/state").json()["state"] == "offline"
    paused = operator_api.post("/api/v1/calls/state", {"state": "paused", "pause_code": "lunch"})
    assert paused.json() == {"state": "paused", "pause_code": "lunch", "since": NOW.isoformat()}
    no_code = operator_api.post("/api/v1/calls/state", {"state": "paused"})
    assert no_code.status_code == 422
    assert no_code.json()["errors"][0]["field"] == "pause_code"
    ready = operator_api.post("/api/v1/calls/state", {"state": "ready"})
    assert ready.json()["state"] == "ready"


def test_the_claims_answer_is_a_view_recorded_once_per_call(
    clock, make_order, operator, operator_api
):
    from orderdesk.orders.models import OrderEvent, OrderEventType

    order = make_order(phone="+77012223344")
    lease_id = operator_api.post("/api/v1/calls/next").json()["lease"]["id"]
    operator_api.post("/api/v1/calls/next")  # the same call answered again
    operator_api.post(f"/api/v1/calls/{lease_id}/heartbeat")
    viewed = OrderEvent.objects.filter(type=OrderEventType.VIEWED)
    assert [(e.order_id, e.actor, e.data) for e in viewed] == [
        (order.pk, operator, {"via": "api", "lease": lease_id})
    ]
