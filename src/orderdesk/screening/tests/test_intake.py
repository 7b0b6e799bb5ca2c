"""Screening at intake: nothing is refused, every finding is on the timeline; a blacklisted
phone or one past its open-order limit waits for a supervisor instead of the call queue."""

import pytest
from django.urls import reverse

from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderEventType, OrderStatus
from orderdesk.orders.services import orders_intake
from orderdesk.screening.models import (
    BlacklistEntry,
    OrderScreening,
    ScreeningDecision,
    ScreeningPolicy,
)
from orderdesk.screening.services import SCREENING_NOT_PENDING, screening_decide

pytestmark = pytest.mark.django_db
PHONE = "+77011234567"  # the payload's phone, normalised


def _take(store, make_payload, external_id, **overrides):
    (result,) = orders_intake(store=store, payloads=[make_payload(external_id, **overrides)],
                              actor_label="test")  # fmt: skip
    assert result.errors == []
    return result.order


def _queue_state(order) -> str:
    return CallTask.objects.get(order=order, purpose=CallPurpose.CONFIRMATION).state


def _screening_note(order) -> dict:
    notes = OrderEvent.objects.filter(order=order, type=OrderEventType.NOTE)
    return next(e.data for e in notes if "screening" in e.data)


def test_a_new_phone_is_scored_and_queued(store, make_payload):
    order = _take(store, make_payload, "S-1")
    screening = OrderScreening.objects.get(order=order)
    assert (screening.reasons, screening.risk_score, screening.decision) == (["new_phone"], 10, "")
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.NOTE).exists()
    assert _queue_state(order) == CallTaskState.QUEUED


def test_the_same_items_again_is_flagged_as_a_duplicate(store, make_payload):
    first = _take(store, make_payload, "S-1")
    second = _take(store, make_payload, "S-2")
    other_items = _take(store, make_payload, "S-3", items=[
        {"sku": "KTL-1", "name": "Чайник", "quantity": 1, "price": "9990.00"}])  # fmt: skip
    screening = OrderScreening.objects.get(order=second)
    assert (screening.reasons, screening.duplicate_of_id) == (["duplicate"], first.pk)
    assert _screening_note(second) == {"screening": ["duplicate"], "risk": 20,
                                       "duplicate_of": str(first.pk)}  # fmt: skip
    assert OrderScreening.objects.get(order=other_items).duplicate_of_id is None
    assert _queue_state(second) == CallTaskState.QUEUED  # flagged, not held


def test_no_duplicate_outside_the_window(store, make_payload):
    ScreeningPolicy.objects.create(store=store, duplicate_window_hours=0)
    _take(store, make_payload, "S-1")
    second = _take(store, make_payload, "S-2")
    assert OrderScreening.objects.get(order=second).duplicate_of_id is None


def test_a_blacklisted_phone_waits_for_a_supervisor(store, make_payload, supervisor, operator):
    BlacklistEntry.objects.create(store=store, phone=PHONE, reason="ложные заказы")
    order = _take(store, make_payload, "S-1")
    assert order.status == OrderStatus.AWAITING_CONFIRMATION  # stored, not refused
    assert _queue_state(order) == CallTaskState.REVIEW
    assert _screening_note(order) == {"screening": ["blacklisted", "new_phone"], "risk": 70,
                                      "held": True}  # fmt: skip
    assert OrderScreening.objects.get(order=order).decision == ScreeningDecision.PENDING

    screening_decide(order=order, approve=False, actor=supervisor, note="номер мошенника")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (
        OrderStatus.CANCELLED, "screening: blacklisted, new_phone")  # fmt: skip
    assert _queue_state(order) == CallTaskState.CANCELLED
    with pytest.raises(ApplicationError) as refused:
        screening_decide(order=order, approve=True, actor=supervisor)
    assert refused.value.code == SCREENING_NOT_PENDING


def test_past_the_open_order_limit_waits_and_approval_queues_it(store, make_payload, supervisor):
    ScreeningPolicy.objects.create(store=store, open_orders_per_phone=1)
    _take(store, make_payload, "S-1")
    second = _take(store, make_payload, "S-2", items=[
        {"sku": "KTL-1", "name": "Чайник", "quantity": 1, "price": "9990.00"}])  # fmt: skip
    assert OrderScreening.objects.get(order=second).reasons == ["open_orders_limit"]
    assert _queue_state(second) == CallTaskState.REVIEW
    screening_decide(order=second, approve=True, actor=supervisor)
    assert _queue_state(second) == CallTaskState.QUEUED
    decision = OrderEvent.objects.filter(order=second, type=OrderEventType.NOTE).last()
    assert decision.data == {"screening_decision": "approved"}


def test_the_supervisor_page_lists_and_decides(store, make_payload, supervisor, client):
    BlacklistEntry.objects.create(store=store, phone=PHONE, reason="ложные заказы")
    order = _take(store, make_payload, "S-1")
    client.force_login(supervisor)
    page = client.get(reverse("workspace:held_orders")).content.decode()
    assert 'data-held="S-1"' in page
    response = client.post(reverse("workspace:held_order_decide", args=[order.pk]),
                           {"decision": "approve"})  # fmt: skip
    assert response.status_code == 302
    assert _queue_state(order) == CallTaskState.QUEUED
    assert 'data-held="S-1"' not in client.get(reverse("workspace:held_orders")).content.decode()
