"""The shift, faster: search in the header, the keys, progressive mode, the customer whole,
timers, orders by phone and the supervisor's numbers."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from orderdesk.calling.models import (
    CallAttempt,
    CallingPolicy,
    CallTask,
    CallTaskState,
    Lease,
    OperatorState,
)
from orderdesk.calling.services import lease_release
from orderdesk.calling.services.operators import operator_state_set
from orderdesk.conftest import order_payload
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orderdesk.stores.services import store_create
from orderdesk.workspace.models import DeskPreference

from .conftest import WORK_MORNING

ITEM = order_payload()["items"][0]

pytestmark = pytest.mark.django_db


def a_customer(name: str, phone: str) -> dict:
    return {"name": name, "phone": phone, "email": "", "language": "ru"}


def test_operator_finds_an_order_of_their_store_by_phone_in_any_writing(
    operator, operator_client, make_order
):
    make_order("P-1", customer=a_customer("Ержан Тестов", "+7 705 111 22 33"))
    other_store, _key = store_create(name="Чужой магазин", slug="alien")
    make_order("P-2", store_=other_store, customer=a_customer("Ержан Тестов", "+77051112233"))
    page = operator_client.get(reverse("workspace:search"), {"q": "8 (705) 111-22-33"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-order="P-1"' in text and 'data-order="P-2"' not in text
    assert (
        OrderEvent.objects.filter(
            type=OrderEventType.VIEWED, actor=operator, data__via="search"
        ).count()
        == 1
    )


def test_supervisor_finds_by_name_and_number_and_the_header_has_the_box(
    supervisor_client, make_order
):
    make_order("P-7", customer=a_customer("<b>Ольга</b> Тест", "+7 707 000 11 22"))
    text = supervisor_client.get(reverse("workspace:search"), {"q": "ольга"}).content.decode()
    assert 'data-order="P-7"' in text and "&lt;b&gt;Ольга&lt;/b&gt;" in text
    assert 'id="search-q"' in text
    text = supervisor_client.get(reverse("workspace:search"), {"q": "p-7"}).content.decode()
    assert 'data-order="P-7"' in text
    text = supervisor_client.get(reverse("workspace:search"), {"q": "nobody"}).content.decode()
    assert 'id="search-empty"' in text


def test_search_needs_a_signed_in_staff_member(client, make_order):
    make_order("P-9")
    response = client.get(reverse("workspace:search"), {"q": "P-9"})
    assert response.status_code == 302


def take_call(client):
    response = client.post(reverse("workspace:next"))
    assert response.status_code == 302
    return client.get(reverse("workspace:desk")).content.decode()


def live_lease(operator) -> Lease:
    return Lease.objects.get(operator=operator, ended_at=None)


def test_confirm_is_preselected_only_for_an_order_that_passes(
    ready_operator, operator_client, make_order
):
    ready = make_order("K-1")
    page = take_call(operator_client)
    assert re.search(rf'id="decision-{ready.pk}".*?<option value="confirm" selected', page, re.S)
    assert not re.search(r'id="confirm-button"[^>]*disabled', page)


def test_no_preselection_when_a_check_fails(ready_operator, operator_client, make_order):
    order = make_order(
        "K-2", delivery={"locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25"}
    )
    page = take_call(operator_client)
    assert not re.search(
        rf'id="decision-{order.pk}".*?<option value="confirm" selected', page, re.S
    )
    assert re.search(r'id="confirm-button"[^>]*disabled', page)


def test_keys_list_names_every_key(operator_client, work_morning):
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    keys = re.search(r'<dialog id="keys-help".*?</dialog>', page, re.S).group(0)
    for key in [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "0",
        "c",
        "n",
        "s",
        "o",
        "p",
        "/",
        "?",
    ]:
        assert f"<kbd>{key}</kbd>" in keys, key
    assert 'data-key="?"' in page and "shift.js" in page


def test_talk_and_wrap_up_are_recorded_on_the_attempt(
    ready_operator, operator_client, make_order, work_morning
):
    make_order("T-1")
    page = take_call(operator_client)
    assert 'id="talk-timer"' in page and 'form="outcome-form"' in page
    lease = live_lease(ready_operator)
    work_morning.shift(75)
    talk_end = (lease.claimed_at + timedelta(seconds=75)).isoformat()
    work_morning.shift(12)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "no_answer", "talk_ended_at": talk_end},
    )
    assert response.status_code == 302
    attempt = CallAttempt.objects.get()
    assert (attempt.talk_seconds, attempt.wrap_up_seconds) == (75, 12)


def test_without_a_talk_end_the_whole_call_is_talk_and_a_bad_stamp_is_ignored(
    ready_operator, operator_client, make_order, work_morning
):
    make_order("T-2")
    take_call(operator_client)
    lease = live_lease(ready_operator)
    work_morning.shift(40)
    operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "busy", "talk_ended_at": "yesterday"},
    )
    attempt = CallAttempt.objects.get()
    assert (attempt.talk_seconds, attempt.wrap_up_seconds) == (40, 0)


def test_a_talk_end_outside_the_call_is_kept_inside_it(
    ready_operator, operator_client, make_order, work_morning
):
    make_order("T-3")
    take_call(operator_client)
    lease = live_lease(ready_operator)
    work_morning.shift(30)
    operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "busy", "talk_ended_at": "2030-01-01T00:00:00+00:00"},
    )
    attempt = CallAttempt.objects.get()
    assert (attempt.talk_seconds, attempt.wrap_up_seconds) == (30, 0)


def test_progressive_countdown_is_the_stores_wrap_up_after_an_outcome(
    ready_operator, operator_client, make_order, store, work_morning
):
    CallingPolicy.objects.create(store=store, wrap_up_seconds=25)
    make_order("G-1")
    take_call(operator_client)
    lease = live_lease(ready_operator)
    operator_client.post(reverse("workspace:outcome"), {"lease": str(lease.pk), "result": "busy"})
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-countdown="25"' in page and 'data-key="p"' in page
    work_morning.shift(10)
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-countdown="15"' in page


def test_progressive_mode_is_per_operator_and_can_be_turned_off(
    ready_operator, operator_client, work_morning
):
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-countdown="0"' in page  # on by default: nothing to wrap up
    operator_client.post(reverse("workspace:progressive"), {"progressive": "0"})
    assert DeskPreference.objects.get(operator=ready_operator).progressive is False
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert "data-countdown" not in page and 'id="progressive-on"' in page


def test_no_countdown_while_paused(operator, operator_client, work_morning):
    operator_state_set(operator=operator, state=OperatorState.PAUSED, pause_code="lunch")
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert "data-countdown" not in page


def test_an_empty_queue_says_why(ready_operator, operator_client, make_order, work_morning):
    # 10:30 in Almaty is 05:30 in Moscow: a Moscow customer is outside the calling window.
    make_order("E-1", customer=a_customer("Иван Тестов", "+7 916 111 22 33"),
               delivery={**order_payload()["delivery"], "locality": "Москва"})  # fmt: skip
    later = make_order("E-2", customer=a_customer("Пётр Тестов", "+7 701 999 88 77"))
    CallTask.objects.filter(order=later).update(
        state=CallTaskState.CALLBACK, due_at=WORK_MORNING + timedelta(hours=2)
    )
    response = operator_client.post(reverse("workspace:next"))
    page = operator_client.get(response["Location"]).content.decode()
    assert (
        'id="empty-outside-hours"' in page and "1 клиент вне своего времени звонков" in page
    )  # the operator reads Russian
    assert "12:00 (Asia/Almaty)" in page  # the Moscow window opens at 10:00 Moscow time
    assert 'id="empty-callbacks-later"' in page and "12:30" in page
    assert 'data-countdown="30"' in page


def test_the_card_shows_the_customer_whole(
    ready_operator, operator_client, make_order, work_morning
):
    delivered = make_order("H-1", items=[{**ITEM, "price": "1000.00"}])
    returned = make_order("H-2", items=[{**ITEM, "price": "300.00"}])
    cancelled = make_order("H-3")
    Order.objects.filter(pk=delivered.pk).update(status=OrderStatus.DELIVERED)
    Order.objects.filter(pk=returned.pk).update(status=OrderStatus.RETURNED)
    Order.objects.filter(pk=cancelled.pk).update(
        status=OrderStatus.CANCELLED, cancel_reason="changed_mind"
    )
    CallTask.objects.filter(order__in=[delivered, returned, cancelled]).update(
        state=CallTaskState.DONE
    )
    make_order("H-4")
    page = take_call(operator_client)
    history = re.search(r'<section class="panel" id="customer-history">.*?</section>', page, re.S)
    text = history.group(0)
    for number in ["H-1", "H-2", "H-3", "H-4"]:
        assert f'data-history-order="{number}"' in text
    assert "4 заказа" in text  # the operator reads Russian
    assert "доставлено: 1 (1000,00 KZT)" in text and "возвращено: 1 (300,00 KZT)" in text
    assert "отменено: 1" in text


def test_heartbeat_is_at_most_every_15_seconds(ready_operator, operator_client, make_order):
    make_order("B-1")
    page = take_call(operator_client)
    assert 'hx-trigger="every 15s"' in page


def test_lost_lease_answer_puts_the_header_right(
    ready_operator, operator_client, make_order, supervisor
):
    make_order("B-2")
    page = take_call(operator_client)
    assert 'class="badge in_call"' in page
    lease = live_lease(ready_operator)
    lease_release(lease_id=lease.pk, supervisor=supervisor)
    response = operator_client.post(
        reverse("workspace:heartbeat"), {"lease": str(lease.pk)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="opstate" hx-swap-oob="outerHTML"' in html
    assert "badge in_call" not in html


def test_supervisor_sees_each_operators_day(
    ready_operator, operator_client, supervisor_client, make_order, work_morning
):
    confirmed = make_order("N-1")
    take_call(operator_client)
    lease = live_lease(ready_operator)
    work_morning.shift(90)
    operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed", f"decision_{confirmed.pk}": "confirm",
         f"date_{confirmed.pk}": "2026-11-25"},
    )  # fmt: skip
    operator_client.post(reverse("workspace:state"), {"state": "paused", "pause_code": "lunch"})
    work_morning.shift(30 * 60)
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    numbers = re.search(r'id="live-numbers">.*?</section>', page, re.S).group(0)
    row = re.search(r'<tr data-operator="op1">.*?</tr>', numbers, re.S).group(0)
    cells = dict(re.findall(r'data-col="([\w-]+)">([^<]*)<', row))
    assert cells["calls"] == "1" and cells["confirmed"] == "1" and cells["approval"] == "100%"
    assert cells["talk"] == "0:01:30"
    assert cells["per-hour"] == "1,9"  # one call in 31.5 minutes worked
    assert "Обед 0:30:00" in cells["pauses"]  # the supervisor reads Russian


def phone_order_form(store, **changes) -> dict:
    form = {
        "store": str(store.pk), "external_id": "TEL-1", "customer.name": "Гүлнар Тестова",
        "customer.phone": "8 (701) 222-33-44", "customer.email": "", "customer.language": "kk",
        "items[0].sku": "HRF-450", "items[0].name": "Холодильник", "items[0].quantity": "1",
        "items[0].price": "259990.00", "delivery.locality": "Алматы", "delivery.street": "Абая",
        "delivery.house": "10", "delivery.apartment": "25", "delivery.entrance": "2",
        "delivery.floor": "5", "delivery.intercom": "25К", "delivery.elevator": "passenger",
        "delivery.date": "", "payment.method": "cash_on_delivery", "comment": "",
    }  # fmt: skip
    form.update(changes)
    return form


def test_an_order_by_phone_goes_through_the_intake_and_is_confirmed_at_once(
    ready_operator, operator_client, store, work_morning
):
    page = operator_client.get(reverse("workspace:phone_order")).content.decode()
    assert 'name="customer.phone"' in page and 'value="TEL-' in page
    response = operator_client.post(reverse("workspace:phone_order"), phone_order_form(store))
    assert response.status_code == 302
    order = Order.objects.get(external_id="TEL-1")
    assert (order.source, order.customer.phone) == ("phone", "+77012223344")
    lease = live_lease(ready_operator)
    assert lease.customer_id == order.customer_id
    card = operator_client.get(reverse("workspace:desk")).content.decode()
    assert "TEL-1" in card and not re.search(r'id="confirm-button"[^>]*disabled', card)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed", f"decision_{order.pk}": "confirm",
         f"date_{order.pk}": "2026-11-25"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"customer.phone": "12"}, "customer.phone"),
        ({"items[0].price": "-1"}, "items[0].price"),
        ({"items[0].sku": "", "items[0].name": "", "items[0].quantity": "",
          "items[0].price": ""}, "items"),
        ({"delivery.locality": ""}, "delivery.locality"),
        ({"customer.email": "not-an-email"}, "customer.email"),
        ({"payment.method": "barter"}, "payment.method"),
    ],
)  # fmt: skip
def test_a_bad_phone_order_names_the_field_as_the_api_does_and_stores_nothing(
    ready_operator, operator_client, store, work_morning, changes, field
):
    response = operator_client.post(
        reverse("workspace:phone_order"), phone_order_form(store, **changes)
    )
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.content.decode()
    assert not Order.objects.exists() and not Lease.objects.exists()


def test_a_phone_order_of_another_store_is_refused(
    ready_operator, operator_client, store, work_morning
):
    alien, _key = store_create(name="Чужой магазин", slug="alien")
    form = {**phone_order_form(store), "store": str(alien.pk)}
    response = operator_client.post(reverse("workspace:phone_order"), form)
    assert response.status_code == 422 and 'data-field="store"' in response.content.decode()
    assert not Order.objects.exists()
