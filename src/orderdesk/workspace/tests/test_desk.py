"""The operator's desk: state, taking a call, the card, the checklist, outcomes, lost leases."""

import re

import pytest
from django.urls import reverse

from orderdesk.calling.models import (
    CallAttempt,
    CallTaskState,
    Lease,
    OperatorState,
    OperatorStateSlice,
)
from orderdesk.calling.tests.conftest import fresh
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

pytestmark = pytest.mark.django_db


def take_call(client):
    response = client.post(reverse("workspace:next"))
    assert response.status_code == 302
    return client.get(reverse("workspace:desk"))


def test_ready_and_pause_with_code(operator, operator_client, work_morning):
    response = operator_client.post(reverse("workspace:state"), {"state": "ready"})
    assert response.status_code == 302
    assert OperatorStateSlice.objects.get(operator=operator, ended_at=None).state == "ready"
    operator_client.post(reverse("workspace:state"), {"state": "paused", "pause_code": "lunch"})
    current = OperatorStateSlice.objects.get(operator=operator, ended_at=None)
    assert (current.state, current.pause_code) == ("paused", "lunch")
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-since="' in page and "opstate" in page


def test_pause_without_code_is_refused(operator, operator_client, work_morning):
    response = operator_client.post(
        reverse("workspace:state"), {"state": "paused"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert not OperatorStateSlice.objects.filter(operator=operator, state="paused").exists()


def test_press_one_opens_the_card_with_all_open_orders(ready_operator, operator_client, make_order):
    first = make_order("A-1")
    second = make_order("A-2", comment="Позвонить после обеда")
    page = take_call(operator_client).content.decode()
    assert 'id="call-card"' in page
    assert 'href="tel:+77011234567"' in page
    assert "A-1" in page and "A-2" in page and "Позвонить после обеда" in page
    assert 'data-timezone="Asia/Almaty"' in page
    assert 'id="script"' in page and "Айгуль Тестова" in page
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    assert set(lease.order_ids) == {str(first.pk), str(second.pk)}


def test_press_one_while_paused_ends_the_pause_with_the_call(
    operator, operator_client, work_morning, make_order
):
    operator_client.post(reverse("workspace:state"), {"state": "paused", "pause_code": "lunch"})
    order = make_order()
    take_call(operator_client)
    states = list(
        OperatorStateSlice.objects.filter(operator=operator)
        .order_by("started_at", "id")
        .values_list("state", flat=True)
    )
    assert states == [OperatorState.PAUSED, OperatorState.IN_CALL]
    assert Lease.objects.get(operator=operator, ended_at=None).order_ids == [str(order.pk)]


def test_nothing_eligible_says_so(ready_operator, operator_client):
    response = operator_client.post(reverse("workspace:next"))
    assert response["Location"].endswith("?empty=1")
    page = operator_client.get(response["Location"]).content.decode()
    assert 'id="take-next"' in page and 'role="status"' in page


def test_confirm_button_disabled_until_checks_pass(ready_operator, operator_client, make_order):
    order = make_order(
        delivery={"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25"}
    )
    page = take_call(operator_client).content.decode()
    assert re.search(r'id="confirm-button"[^>]*disabled', page)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    form = {"lease": str(lease.pk), f"decision_{order.pk}": "confirm"}
    checks = operator_client.post(reverse("workspace:checks"), form).content.decode()
    assert re.search(r'id="confirm-button"[^>]*disabled', checks)
    assert f'data-check="{order.pk}.address"' in checks
    Order.objects.filter(pk=order.pk).update(entrance="2", floor="5", intercom="25")
    checks = operator_client.post(reverse("workspace:checks"), form).content.decode()
    assert not re.search(r'id="confirm-button"[^>]*disabled', checks)


def test_server_refuses_confirm_with_incomplete_address(
    ready_operator, operator_client, make_order
):
    order = make_order(
        delivery={"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25"}
    )
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed", f"decision_{order.pk}": "confirm",
         f"date_{order.pk}": "2026-11-24"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'data-code="address_field_required_for_apartment"' in response.content.decode()
    order = fresh(order)
    assert (order.status, order.queue_state) == (
        OrderStatus.AWAITING_CONFIRMATION,
        CallTaskState.IN_CALL,
    )
    assert not CallAttempt.objects.exists()


def test_edit_address_then_confirm_with_picked_date(ready_operator, operator_client, make_order):
    order = make_order(
        delivery={"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25"}
    )
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    # The edit posts the outcome form along (the card's hx-include): the decision as typed.
    response = operator_client.post(
        reverse("workspace:address", args=[order.pk]),
        {"street": "Абая", "house": "10", "apartment": "25", "entrance": "2", "floor": "5",
         "intercom": "25К", "lease": str(lease.pk), f"decision_{order.pk}": "confirm"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    # One answer: the order's panel, and the checklist out of band, judged with the new address.
    assert html.count('id="checklist"') == 1
    assert 'id="checklist" hx-post' in html and 'hx-swap-oob="outerHTML"' in html
    assert f'class="pass" data-check="{order.pk}.address"' in html
    assert f'data-check="{order.pk}.decision"' not in html  # the decision came along
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.UPDATED).exists()
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed", f"decision_{order.pk}": "confirm",
         f"date_{order.pk}": "2026-11-25"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("workspace:desk")
    order = fresh(order)
    assert order.status == OrderStatus.CONFIRMED
    assert order.delivery_on.isoformat() == "2026-11-25"
    assert OperatorStateSlice.objects.get(operator=ready_operator, ended_at=None).state == (
        OperatorState.READY
    )


def test_no_answer_records_attempt_and_frees_the_desk(ready_operator, operator_client, make_order):
    order = make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"), {"lease": str(lease.pk), "result": "no_answer"}
    )
    assert response.status_code == 302
    attempt = CallAttempt.objects.get()
    assert attempt.result == "no_answer"
    order = fresh(order)
    assert order.queue_state == CallTaskState.QUEUED and order.attempts_count == 1
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'id="take-next"' in page


def test_callback_outside_window_is_refused_with_reason(
    ready_operator, operator_client, make_order
):
    make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "callback", "callback_at": "2026-11-24T22:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert 'data-code="callback_outside_window"' in response.content.decode()
    assert Lease.objects.get(pk=lease.pk).ended_at is None


def test_callback_in_customers_local_time(ready_operator, operator_client, make_order):
    order = make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "callback", "callback_at": "2026-11-24T15:00",
         "personal": "1"},
    )  # fmt: skip
    order = fresh(order)
    assert order.queue_state == CallTaskState.CALLBACK
    assert order.callback_user == ready_operator
    assert order.next_call_at.isoformat() == "2026-11-24T10:00:00+00:00"


def test_lost_lease_answers_409_and_keeps_the_page(
    ready_operator, operator_client, make_order, work_morning
):
    order = make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    work_morning.shift(60 * 60)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "no_answer", "notes": "перезвонить"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#lease-lost-banner"
    assert "data-lease-lost" in response.content.decode()
    edit = operator_client.post(
        reverse("workspace:bad_connection", args=[order.pk]), HTTP_HX_REQUEST="true"
    )
    assert edit.status_code == 409
    order = fresh(order)
    assert order.delivery_comment == ""


def test_heartbeat_extends_then_reports_loss(
    ready_operator, operator_client, make_order, work_morning
):
    make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    before = lease.expires_at
    work_morning.shift(60)
    response = operator_client.post(reverse("workspace:heartbeat"), {"lease": str(lease.pk)})
    assert response.status_code == 200
    lease.refresh_from_db()
    assert lease.expires_at > before
    work_morning.shift(60 * 60)
    response = operator_client.post(reverse("workspace:heartbeat"), {"lease": str(lease.pk)})
    assert response.status_code == 409


def test_heartbeat_for_a_malformed_or_missing_lease_is_not_found(
    ready_operator, operator_client, make_order, work_morning
):
    make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    before = lease.expires_at
    work_morning.shift(60)
    for data in ({"lease": "not-a-lease"}, {}):
        assert operator_client.post(reverse("workspace:heartbeat"), data).status_code == 404
    lease.refresh_from_db()
    assert lease.expires_at == before


def test_reclaim_same_customer_keeps_the_page(
    ready_operator, operator_client, make_order, work_morning
):
    make_order()
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    customer_id = Order.objects.get().customer_id
    work_morning.shift(60 * 60)
    lost = operator_client.post(reverse("workspace:heartbeat"), {"lease": str(lease.pk)})
    assert lost.status_code == 409
    work_morning.shift(60 * 11)  # past the minimum gap between two calls to one phone
    response = operator_client.post(
        reverse("workspace:reclaim"), {"customer": str(customer_id)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    new = Lease.objects.get(operator=ready_operator, ended_at=None)
    assert new.pk != lease.pk
    assert f'value="{new.pk}" id="outcome-lease"' in response.content.decode()


def test_reclaim_when_customer_is_not_available_stays_on_the_page(
    ready_operator, operator_client, make_order, work_morning
):
    first = make_order("A-1")
    take_call(operator_client)
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    make_order("B-1", customer={"name": "Ерлан", "phone": "+7 701 555 66 77", "language": "ru"})
    work_morning.shift(6 * 60)  # the hold lapsed a minute ago: inside the minimum gap
    assert (
        operator_client.post(reverse("workspace:heartbeat"), {"lease": str(lease.pk)}).status_code
        == 409
    )
    response = operator_client.post(
        reverse("workspace:reclaim"), {"customer": str(first.customer_id)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert 'id="open-next"' in response.content.decode()
    new = Lease.objects.get(operator=ready_operator, ended_at=None)
    assert new.customer_id != first.customer_id


def test_requested_date_not_possible_is_moved_with_reason(
    ready_operator, operator_client, make_order
):
    order = make_order(
        delivery={"locality": "Алматы", "street": "Абая", "house": "10", "date": "2026-11-22"}
    )
    page = take_call(operator_client).content.decode()
    select = page[page.index(f'id="date-{order.pk}"') :]
    select = select[: select.index("</select>")]
    assert re.search(r'<option value="2026-11-24" selected>', select)
    assert 'class="error date-moved"' in page
    assert "2026-11-22" in page[page.index('class="error date-moved"') :][:300]
    assert 'class="script-module active" data-situation="date_moved"' in page


def test_requested_date_still_possible_is_kept(ready_operator, operator_client, make_order):
    order = make_order()
    page = take_call(operator_client).content.decode()
    select = page[page.index(f'id="date-{order.pk}"') :]
    assert re.search(r'<option value="2026-11-25" selected>', select[: select.index("</select>")])
    assert "date-moved" not in page
