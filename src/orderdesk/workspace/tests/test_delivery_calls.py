"""Delivery problems on the screens: the operator's card (reason, deadline in the customer's
zone, tracking history, the phrase for the reason in the customer's language, the decision),
the supervisor's live view, and the inbound line that finds a customer by phone."""

from datetime import datetime

import pytest
from django.utils import translation

from orderdesk.calling.models import CallPurpose, CallTask, CallTaskState
from orderdesk.orders.models import Order, OrderEvent, OrderStatus, ViewedVia
from orderdesk.orders.services import order_status_change
from orderdesk.shipping.models import DeliveryProblem
from orderdesk.shipping.services import shipment_record, tracking_event_record
from orderdesk.workspace.timeline import event_summary

from .test_card_changes import _changes
from .test_desk import take_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem_order(make_order, store, work_morning):
    """Shipped, then the courier found nobody home (the customer speaks Kazakh)."""
    order = make_order("P-1")
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")
    shipment_record(order=order, carrier_code="garanta", tracking_number="GA-900")
    tracking_event_record(
        tracking_number="GA-900", status="failed_attempt", reason="customer_absent", store=store,
        at=datetime.fromisoformat("2026-11-24T10:15:00+05:00"),
    )  # fmt: skip
    return order


def test_the_card_shows_the_problem_and_resolves_it(problem_order, ready_operator, operator_client):
    operator_client.post("/desk/next/")
    page = operator_client.get("/desk/").content.decode()
    assert 'id="problem-' in page
    assert 'data-reason="customer_absent"' in page
    assert "25.11.2026 10:30" in page  # 24 hours later, in the customer's zone
    assert "Asia/Almaty" in page
    assert 'data-situation="problem_customer_absent"' in page
    assert "курьері" in page  # the Kazakh phrase: the customer's language
    lease_id = CallTask.objects.get(order=problem_order, purpose=CallPurpose.DELIVERY_PROBLEM)
    lease_id = lease_id.lease_id
    answer = operator_client.post("/desk/outcome/", {
        "lease": str(lease_id), "result": "resolved",
        f"decision_{problem_order.pk}": "redeliver", f"date_{problem_order.pk}": "2026-11-26",
        f"address_{problem_order.pk}_entrance": "4", f"address_{problem_order.pk}_floor": "",
    })  # fmt: skip
    assert answer.status_code == 302, answer.content
    problem = DeliveryProblem.objects.get(order=problem_order)
    assert (problem.decision, problem.redelivery_on.isoformat()) == ("redeliver", "2026-11-26")
    order = Order.objects.get(pk=problem_order.pk)
    assert (order.delivery_on.isoformat(), order.entrance, order.floor) == ("2026-11-26", "4", "5")
    task = CallTask.objects.get(order=problem_order, purpose=CallPurpose.DELIVERY_PROBLEM)
    assert task.state == CallTaskState.DONE


def test_a_confirmation_card_does_not_show_the_problem_phrases(
    make_order, ready_operator, operator_client
):
    make_order("C-1")
    operator_client.post("/desk/next/")
    page = operator_client.get("/desk/").content.decode()
    assert 'data-situation="greeting"' in page
    assert "problem_" not in page


def test_the_live_view_lists_open_problems_with_their_deadline(problem_order, supervisor_client):
    page = supervisor_client.get("/live/").content.decode()
    assert 'id="live-problems"' in page
    assert "P-1" in page
    section = page[page.index('id="live-problems"') :]
    stamp = section.split('<time datetime="', 1)[1].split('"', 1)[0]
    assert datetime.fromisoformat(stamp) == datetime.fromisoformat("2026-11-25T10:30:00+05:00")


def test_the_inbound_line_finds_the_customer_by_phone(
    problem_order, make_order, operator, operator_client
):
    make_order("P-2")
    page = operator_client.get("/inbound/", {"phone": "8 (701) 123-45-67"}).content.decode()
    assert "P-1" in page and "P-2" in page
    assert "GA-900" in page
    assert 'class="delivery-status"' in page
    assert problem_order.events.filter(type="viewed", actor=operator).exists()
    assert problem_order.events.get(type="viewed", actor=operator).data["via"] == ViewedVia.DESK
    assert (
        "P-1"
        not in operator_client.get("/inbound/", {"phone": "+7 702 000 00 00"}).content.decode()
    )
    unreadable = operator_client.get("/inbound/", {"phone": "abc"}).content.decode()
    assert 'role="alert"' in unreadable


def test_a_supervisor_records_the_shipment_and_staff_the_feedback(
    make_order, supervisor_client, store, work_morning
):
    order = make_order("S-1")
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")
    page = supervisor_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="shipment-form"' in page
    refused = supervisor_client.post(f"/orders/{order.pk}/shipment/",
                                     {"carrier": "garanta", "tracking_number": ""}, follow=True)  # fmt: skip
    assert 'class="message error"' in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    supervisor_client.post(f"/orders/{order.pk}/shipment/",
                           {"carrier": "garanta", "tracking_number": "GA-5"})  # fmt: skip
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    tracking_event_record(tracking_number="GA-5", status="delivered", store=store,
                          at=datetime.fromisoformat("2026-11-24T10:20:00+05:00"))  # fmt: skip
    supervisor_client.post(f"/orders/{order.pk}/feedback/", {"rating": "4", "comment": "ок"})
    page = supervisor_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="feedback-given"' in page and "4/5" in page
    assert 'id="tracking-number">GA-5<' in page


def test_a_feedback_call_on_the_card(make_order, store, ready_operator, operator_client):
    from orderdesk.shipping.models import Feedback
    from orderdesk.shipping.services import feedback_requests_send

    order = make_order("F-1")
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")
    shipment_record(order=order, carrier_code="garanta", tracking_number="GA-7")
    tracking_event_record(tracking_number="GA-7", status="delivered", store=store,
                          at=datetime.fromisoformat("2026-11-23T10:00:00+05:00"))  # fmt: skip
    from orderdesk.shipping.models import Shipment

    Shipment.objects.filter(order=order).update(
        feedback_due_at=datetime.fromisoformat("2026-11-24T10:00:00+05:00")
    )
    assert feedback_requests_send() == 1  # no messaging channel: a feedback call
    operator_client.post("/desk/next/")
    page = operator_client.get("/desk/").content.decode()
    assert f'id="feedback-{order.pk}"' in page
    answer = operator_client.post(f"/orders/{order.pk}/feedback/",
                                  {"rating": "5", "comment": "всё отлично", "next": "desk"})  # fmt: skip
    assert answer.status_code == 302 and answer.url.endswith("/desk/")
    given = Feedback.objects.get(order=order)
    assert (given.rating, given.via, given.actor) == (5, "operator", ready_operator)
    task = CallTask.objects.get(order=order, purpose=CallPurpose.FEEDBACK)
    operator_client.post("/desk/outcome/", {"lease": str(task.lease_id), "result": "resolved"})
    task.refresh_from_db()
    assert task.state == CallTaskState.DONE


def test_a_low_rating_heard_in_a_call_goes_to_a_supervisor_when_the_call_ends(
    make_order, store, ready_operator, operator_client, supervisor
):
    from orderdesk.shipping.models import Feedback
    from orderdesk.shipping.services import feedback_requests_send

    order = make_order("F-2")
    order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")
    shipment_record(order=order, carrier_code="garanta", tracking_number="GA-8")
    tracking_event_record(tracking_number="GA-8", status="delivered", store=store,
                          at=datetime.fromisoformat("2026-11-23T10:00:00+05:00"))  # fmt: skip
    from orderdesk.shipping.models import Shipment

    Shipment.objects.filter(order=order).update(
        feedback_due_at=datetime.fromisoformat("2026-11-24T10:00:00+05:00")
    )
    assert feedback_requests_send() == 1  # no messaging channel: a feedback call
    operator_client.post("/desk/next/")
    page = operator_client.get("/desk/").content.decode()
    assert f'id="feedback-{order.pk}"' in page
    answer = operator_client.post(f"/orders/{order.pk}/feedback/",
                                  {"rating": "1", "comment": "курьер опоздал", "next": "desk"})  # fmt: skip
    assert answer.status_code == 302 and answer.url.endswith("/desk/")
    given = Feedback.objects.get(order=order)
    assert (given.rating, given.escalated_at) == (1, None)  # the feedback call is still on
    task = CallTask.objects.get(order=order, purpose=CallPurpose.FEEDBACK)
    operator_client.post("/desk/outcome/", {"lease": str(task.lease_id), "result": "resolved"})
    task.refresh_from_db()
    assert task.state == CallTaskState.DONE
    from orderdesk.shipping.services.feedback import low_ratings_escalate

    assert low_ratings_escalate() == 1
    follow_up = CallTask.objects.get(
        order=order, purpose=CallPurpose.FEEDBACK, state=CallTaskState.CALLBACK
    )
    assert (follow_up.callback_user, follow_up.reason) == (supervisor, "low_rating:1")
    assert low_ratings_escalate() == 0


def test_a_delivery_during_the_problem_call_shows_on_the_card_and_ends_the_problem(
    problem_order, store, ready_operator, operator_client, work_morning
):
    page = take_call(operator_client).content.decode()
    assert f'id="decision-fieldset-{problem_order.pk}"' in page
    task = CallTask.objects.get(order=problem_order, purpose=CallPurpose.DELIVERY_PROBLEM)
    assert task.state == CallTaskState.IN_CALL
    work_morning.shift(5)
    tracking_event_record(
        tracking_number="GA-900", status="delivered", store=store,
        at=datetime.fromisoformat("2026-11-24T10:40:00+05:00"),
    )  # fmt: skip
    task.refresh_from_db()
    assert (task.state, task.lease_id) == (CallTaskState.DONE, None)
    html = _changes(operator_client, page).content.decode()
    # A notice in the problem's panel; its decision no longer posted; the rest stays as typed.
    notice = html.split(f'id="order-notice-{problem_order.pk}"', 1)[1].split("</div>", 1)[0]
    assert "Заказ P-1 доставлен" in notice and "введённое вами сохранено" in notice
    assert f'id="decision-fieldset-{problem_order.pk}" disabled hx-swap-oob="outerHTML"' in html
    assert f'id="problem-{problem_order.pk}"' not in html
    assert DeliveryProblem.objects.get(order=problem_order).decision == "carrier"
    note = OrderEvent.objects.get(order=problem_order, data__action="problem_settled_delivered")
    with translation.override("en"):
        assert "settled by the carrier" in event_summary(note)
