from datetime import timedelta

import pytest

from orderdesk.accounts.services import user_api_token_issue
from orderdesk.calling.services import (
    ORDER_IN_CALL,
    call_next_claim,
    order_call_requeue,
)
from orderdesk.conftest import ApiClient
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderEventType, QueueState

from .conftest import NOW, fresh


def test_supervisor_requeues_unreachable_order_for_an_operator(
    clock, make_order, supervisor, operator, operator2
):
    order = make_order(queue_state=QueueState.UNREACHABLE, next_call_at=None)
    order_call_requeue(order=order, actor=supervisor, callback_user=operator2)
    moved = fresh(order)
    assert (moved.queue_state, moved.next_call_at, moved.callback_user_id) == (
        QueueState.CALLBACK,
        NOW,
        operator2.pk,
    )
    assert call_next_claim(operator=operator) is None
    assert call_next_claim(operator=operator2).lease.order_ids == [str(order.pk)]
    event = OrderEvent.objects.filter(order=order, type=OrderEventType.QUEUE_CHANGED).first()
    assert (event.actor_id, event.data["from"], event.data["reason"]) == (
        supervisor.pk,
        "unreachable",
        "supervisor",
    )


def test_requeue_leaves_an_order_in_a_call_alone(clock, make_order, supervisor, operator):
    order = make_order()
    call_next_claim(operator=operator)
    with pytest.raises(ApplicationError) as refused:
        order_call_requeue(order=order, actor=supervisor)
    assert refused.value.code == ORDER_IN_CALL
    assert fresh(order).queue_state == QueueState.IN_CALL


def test_requeue_api_for_supervisors_only(clock, make_order, supervisor, operator_api):
    order = make_order(queue_state=QueueState.UNREACHABLE, next_call_at=None)
    path = f"/api/v1/calls/orders/{order.pk}/requeue"
    assert operator_api.post(path, {}).status_code == 403
    api = ApiClient(user_api_token_issue(user=supervisor))
    later = NOW + timedelta(hours=2)
    response = api.post(path, {"next_call_at": later.isoformat()})
    assert response.status_code == 200
    assert response.json()["queue_state"] == "queued"
    assert fresh(order).next_call_at == later
