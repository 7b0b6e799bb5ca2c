"""A store's change or cancel of an order someone is calling about shows on the card within
seconds (the card polls for changes); a cancelled order leaves the call, the rest of the call goes on."""

import re

from django.urls import reverse

from orderdesk.calling.models import CallTask, CallTaskState, Lease
from orderdesk.calling.tests.conftest import fresh
from orderdesk.conftest import ApiClient
from orderdesk.orders.models import OrderStatus

from .test_desk import take_call

FULL_ADDRESS = {"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25",
                "entrance": "2", "floor": "5", "intercom": "25К"}  # fmt: skip


def _changes(client, page: str):
    """The card's poll, as the browser posts it from the page's (or the last answer's) div."""
    div = re.search(r'<div id="card-changes"[^>]*>', page).group(0)
    lease = re.search(r'"lease": "([^"]+)"', div).group(1)
    seen = re.search(r'"seen": "([^"]+)"', div).group(1)
    return client.post(reverse("workspace:card_changes"), {"lease": lease, "seen": seen})


def test_a_store_change_shows_on_the_card_at_the_next_poll(
    ready_operator, operator_client, make_order, store_and_key, work_morning
):
    order = make_order("A-1", delivery=FULL_ADDRESS)
    page = take_call(operator_client).content.decode()
    quiet = _changes(operator_client, page)
    assert quiet.status_code == 200
    assert f'id="order-{order.pk}"' not in quiet.content.decode()  # nothing changed
    work_morning.shift(5)
    patched = ApiClient(store_and_key[1]).patch(
        f"/api/v1/orders/{order.pk}", {"delivery": {"street": "Сатпаева"}}
    )
    assert patched.status_code == 200
    html = _changes(operator_client, page).content.decode()
    assert f'<section class="panel" id="order-{order.pk}" hx-swap-oob="outerHTML">' in html
    assert 'value="Сатпаева"' in html
    assert "store:mebel" in html
    # The next poll carries the time of the change it showed: it is not shown twice.
    again = _changes(operator_client, html).content.decode()
    assert f'id="order-{order.pk}"' not in again


def test_a_store_cancel_ends_the_orders_call_and_the_call_goes_on(
    ready_operator, operator_client, make_order, store_and_key, work_morning
):
    first = make_order("A-1", delivery=FULL_ADDRESS)
    second = make_order("A-2", delivery=FULL_ADDRESS)
    page = take_call(operator_client).content.decode()
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    work_morning.shift(5)
    cancelled = ApiClient(store_and_key[1]).post(
        f"/api/v1/orders/{first.pk}/cancel", {"reason": "Клиент передумал"}
    )
    assert cancelled.status_code == 200
    task = CallTask.objects.get(order=first)
    assert (task.state, task.lease_id) == (CallTaskState.CANCELLED, None)
    html = _changes(operator_client, page).content.decode()
    # Only a notice in the cancelled order's panel: its forms, and what was typed, stay.
    assert f'id="order-notice-{first.pk}"' in html
    assert "Клиент передумал" in html
    assert f'<section class="panel" id="order-{first.pk}"' not in html
    # Its decision in the outcome form is disabled (no longer posted); the rest stays as typed.
    assert f'id="decision-fieldset-{first.pk}" disabled hx-swap-oob="outerHTML"' in html
    assert f'id="decision-fieldset-{second.pk}"' not in html
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed",
         f"decision_{second.pk}": "confirm", f"date_{second.pk}": "2026-11-25"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()
    assert fresh(first).status == OrderStatus.CANCELLED
    assert fresh(second).status == OrderStatus.CONFIRMED
    assert Lease.objects.get(pk=lease.pk).ended_at is not None


def test_a_cancel_of_the_only_order_leaves_a_call_that_still_ends(
    ready_operator, operator_client, make_order, store_and_key, work_morning
):
    order = make_order("A-1", delivery=FULL_ADDRESS)
    page = take_call(operator_client).content.decode()
    lease = Lease.objects.get(operator=ready_operator, ended_at=None)
    work_morning.shift(5)
    ApiClient(store_and_key[1]).post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "Дубль"})
    html = _changes(operator_client, page).content.decode()
    assert f'id="order-notice-{order.pk}"' in html and "Дубль" in html
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "no_answer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()
    assert Lease.objects.get(pk=lease.pk).ended_at is not None
    assert fresh(order).status == OrderStatus.CANCELLED


def test_the_poll_stops_when_the_lease_is_not_held(
    ready_operator, operator_client, make_order, work_morning
):
    make_order("A-1", delivery=FULL_ADDRESS)
    page = take_call(operator_client).content.decode()
    work_morning.shift(60 * 60)  # long past the lease
    answer = _changes(operator_client, page)
    assert answer.status_code == 200
    assert answer.content.decode().strip() == '<div id="card-changes"></div>'
