"""The supervisor's live view and its actions."""

import pytest
from django.urls import reverse

from orderdesk.calling.models import CallAttempt, CallTask, CallTaskState, Lease
from orderdesk.calling.services.leases import call_next_claim
from orderdesk.calling.tests.conftest import fresh
from orderdesk.orders.models import OrderStatus
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db


def test_live_board_shows_queue_operators_and_calls(supervisor_client, ready_operator, make_order):
    make_order("A-1")
    make_order("A-2", customer={"name": "Ерлан Қасымов", "phone": "+7 701 999 88 77"})
    claim = call_next_claim(operator=ready_operator)
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert 'hx-trigger="every 5s"' in page
    assert "Мебель Плюс" in page
    row = page[page.index('data-operator="op1"') :]
    assert claim.lease.customer.name in row[: row.index("</tr>")]
    assert "В разговоре" in row[: row.index("</tr>")]
    partial = supervisor_client.get(reverse("workspace:live"), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="live-board"')


def test_board_is_scoped_to_the_supervisors_stores(supervisor_client, work_morning, make_order):
    other, _ = store_create(name="Чужой магазин", slug="alien")
    make_order("B-1", store_=other)
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert "Чужой магазин" not in page


def test_release_returns_orders_to_the_queue(supervisor_client, ready_operator, make_order):
    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    response = supervisor_client.post(
        reverse("workspace:lease_release", args=[claim.lease.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    order = fresh(order)
    assert order.queue_state == CallTaskState.QUEUED and order.lease_id is None
    assert Lease.objects.get(pk=claim.lease.pk).end_reason == "released"
    assert CallAttempt.objects.get().result == "abandoned"


def test_reassign_makes_a_personal_callback(
    supervisor_client, ready_operator, other_operator, make_order
):
    # other_operator speaks Russian: a customer who does too can be handed to them.
    customer = {"name": "Иван Тестов", "phone": "+7 701 123 45 67", "language": "ru"}
    order = make_order(customer=customer)
    claim = call_next_claim(operator=ready_operator)
    supervisor_client.post(
        reverse("workspace:lease_reassign", args=[claim.lease.pk]),
        {"operator": other_operator.pk},
    )
    order = fresh(order)
    assert order.queue_state == CallTaskState.CALLBACK
    assert order.callback_user == other_operator


def test_release_of_another_stores_call_is_404(staff_client, ready_operator, make_order):
    from orderdesk.accounts.services import user_create

    make_order()
    claim = call_next_claim(operator=ready_operator)
    store_create(name="Чужой", slug="alien")
    outsider, _, _ = user_create(username="sup2", role="supervisor", store_slugs=["alien"])
    response = staff_client(outsider).post(
        reverse("workspace:lease_release", args=[claim.lease.pk])
    )
    assert response.status_code == 404
    assert Lease.objects.get(pk=claim.lease.pk).ended_at is None


def test_decide_unreachable_requeue_and_cancel(supervisor_client, work_morning, make_order):
    first, second = make_order("A-1"), make_order("A-2")
    CallTask.objects.filter(order__in=[first, second]).update(
        state=CallTaskState.UNREACHABLE, due_at=None
    )
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert reverse("workspace:unreachable_decide", args=[first.pk]) in page
    supervisor_client.post(
        reverse("workspace:unreachable_decide", args=[first.pk]), {"decision": "requeue"}
    )
    first = fresh(first)
    assert first.queue_state == CallTaskState.QUEUED and first.next_call_at is not None
    refused = supervisor_client.post(
        reverse("workspace:unreachable_decide", args=[second.pk]),
        {"decision": "cancel", "reason": "no-such-reason"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    second = fresh(second)
    assert second.status == OrderStatus.AWAITING_CONFIRMATION
    supervisor_client.post(
        reverse("workspace:unreachable_decide", args=[second.pk]),
        {"decision": "cancel", "reason": "changed_mind"},
    )
    second = fresh(second)
    assert (second.status, second.cancel_reason) == (OrderStatus.CANCELLED, "changed_mind")


def test_operator_cannot_use_supervisor_actions(operator_client, ready_operator, make_order):
    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    url = reverse("workspace:lease_release", args=[claim.lease.pk])
    assert operator_client.post(url).status_code == 404
    decide = reverse("workspace:unreachable_decide", args=[order.pk])
    assert operator_client.post(decide, {"decision": "requeue"}).status_code == 404


def test_board_hides_a_call_the_operator_makes_for_another_store(
    supervisor_client, ready_operator, make_order
):
    """An operator who works two stores is on the board of each; a supervisor of one store never
    sees the other store's customer, nor gets the controls for that call."""
    other, _ = store_create(name="Чужой магазин", slug="alien")
    ready_operator.stores.add(other)
    make_order("B-1", store_=other, customer={"name": "Чужой Клиент", "phone": "+7 701 555 44 33"})
    claim = call_next_claim(operator=ready_operator)
    assert claim.lease.store_id == other.pk
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    row = page[page.index('data-operator="op1"') :]
    row = row[: row.index("</tr>")]
    assert "Чужой Клиент" not in page
    assert reverse("workspace:lease_release", args=[claim.lease.pk]) not in page
    assert reverse("workspace:lease_reassign", args=[claim.lease.pk]) not in row


def test_reassign_to_a_malformed_operator_is_refused(supervisor_client, ready_operator, make_order):
    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    url = reverse("workspace:lease_reassign", args=[claim.lease.pk])
    for operator in ("abc", ""):
        response = supervisor_client.post(url, {"operator": operator}, HTTP_HX_REQUEST="true")
        assert response.status_code == 422
        assert "operator: choose an operator" in response.content.decode()
    assert Lease.objects.get(pk=claim.lease.pk).ended_at is None
    order = fresh(order)
    assert order.queue_state == CallTaskState.IN_CALL
