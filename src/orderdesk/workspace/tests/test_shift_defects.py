"""The operator's shift as a new operator meets it: times in the customer's zone, the seed's
address checklist, the out-of-city check's answer, operator state, each order's own customer."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from orderdesk.calling.models import AddressCheck, CallTaskState, Lease, OperatorState
from orderdesk.calling.selectors import operator_state_current
from orderdesk.calling.services import operator_state_set
from orderdesk.calling.tests.conftest import fresh
from orderdesk.conftest import order_payload
from orderdesk.orders.models import OrderEvent, OrderEventType

pytestmark = pytest.mark.django_db

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
# 10:11 in Vladivostok is 05:11 in Almaty, the server's zone.
FAR_EAST_MORNING = datetime(2026, 11, 24, 10, 11, tzinfo=VLADIVOSTOK)


def _far_east_delivery(**fields) -> dict:
    return order_payload()["delivery"] | {"locality": "Владивосток", "date": None} | fields


def take_call(client):
    response = client.post(reverse("workspace:next"))
    assert response.status_code == 302
    return client.get(reverse("workspace:desk"))


@pytest.fixture
def far_east_morning(operator):
    with time_machine.travel(FAR_EAST_MORNING, tick=False) as traveller:
        operator_state_set(operator=operator, state=OperatorState.READY)
        yield traveller


# 1. Times in the customer's zone -----------------------------------------------------------


def test_callback_picker_is_in_the_customers_zone_and_round_trips(
    far_east_morning, operator, operator_client, make_order
):
    """Before, the picker showed 06:11 (Almaty) and the server read it as Vladivostok time: in
    the past, refused."""
    order = make_order(delivery=_far_east_delivery())
    assert order.timezone == "Asia/Vladivostok"
    page = take_call(operator_client).content.decode()
    assert 'value="2026-11-24T11:11"' in page
    assert 'min="2026-11-24T10:16"' in page
    assert "Asia/Vladivostok" in page.split('id="callback-at"')[0].rsplit("<label", 1)[1]
    lease = Lease.objects.get(operator=operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "callback", "callback_at": "2026-11-24T11:11",
         "personal": "1"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()
    task = fresh(order)
    assert task.queue_state == CallTaskState.CALLBACK
    assert task.next_call_at == datetime(2026, 11, 24, 11, 11, tzinfo=VLADIVOSTOK)


def test_pending_check_with_the_default_time_is_accepted(
    far_east_morning, operator, operator_client, make_order
):
    order = make_order(delivery=_far_east_delivery(out_of_city=True))
    page = take_call(operator_client).content.decode()
    default = page.split('id="callback-at"')[1].split('value="')[1].split('"')[0]
    lease = Lease.objects.get(operator=operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "pending_check", "callback_at": default},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()
    assert fresh(order).next_call_at == datetime(2026, 11, 24, 11, 11, tzinfo=VLADIVOSTOK)


def test_live_view_shows_callback_times_in_the_customers_zone(
    far_east_morning, operator, supervisor_client, make_order
):
    order = make_order(delivery=_far_east_delivery())
    from orderdesk.calling.services import order_call_requeue

    order_call_requeue(order=order, actor=operator, callback_user=operator)
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert "24.11 10:11 (Asia/Vladivostok)" in page


# 2. Address completeness (seed 002) --------------------------------------------------------


def test_a_house_without_street_and_house_number_does_not_confirm(
    work_morning, operator, operator_client, make_order
):
    operator_state_set(operator=operator, state=OperatorState.READY)
    delivery = order_payload()["delivery"] | {"street": "", "house": "", "apartment": ""}
    order = make_order(delivery=delivery)
    page = take_call(operator_client).content.decode()
    assert 'id="confirm-button" disabled' in page
    assert f'class="fail" data-check="{order.pk}.address"' in page
    lease = Lease.objects.get(operator=operator, ended_at=None)
    response = operator_client.post(
        reverse("workspace:outcome"),
        {"lease": str(lease.pk), "result": "confirmed", f"decision_{order.pk}": "confirm",
         f"date_{order.pk}": "2026-11-25"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-code="address_field_required"' in body
    assert fresh(order).status == "awaiting_confirmation"


# 3. The out-of-city check's answer ---------------------------------------------------------


def test_supervisor_records_the_check_answer_from_the_live_view(
    work_morning, operator, supervisor, supervisor_client, make_order
):
    from orderdesk.calling.services import call_next_claim, call_outcome_record

    operator_state_set(operator=operator, state=OperatorState.READY)
    order = make_order(delivery=order_payload()["delivery"] | {"out_of_city": True})
    lease = call_next_claim(operator=operator).lease
    call_outcome_record(lease_id=lease.pk, operator=operator, result="pending_check")
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    form_url = reverse("workspace:address_check", args=[order.pk])
    assert form_url in page
    refused = supervisor_client.post(form_url, {"note": "?"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert not AddressCheck.objects.exists()
    answered = supervisor_client.post(
        form_url, {"deliverable": "no", "note": "не возим"}, HTTP_HX_REQUEST="true"
    )
    assert answered.status_code == 200
    check = AddressCheck.objects.get(order=order)
    assert (check.deliverable, check.note, check.checked_by_id) == (
        False,
        "не возим",
        supervisor.pk,
    )
    assert fresh(order).queue_state == CallTaskState.CALLBACK


def test_not_deliverable_offers_the_brand_stores_phrase_and_the_cancel_reason(
    work_morning, operator, supervisor, operator_client, make_order
):
    from orderdesk.calling.services import address_check_record

    operator_state_set(operator=operator, state=OperatorState.READY)
    order = make_order(delivery=order_payload()["delivery"] | {"out_of_city": True})
    address_check_record(order=order, deliverable=False, note="", actor=supervisor)
    page = take_call(operator_client).content.decode()
    active = page.split('id="script-more"')[0]
    assert 'data-situation="delivery_impossible"' in active
    assert "фирмалық дүкендер" in active  # the customer speaks Kazakh
    assert '<option value="cancel" selected>' in page
    reasons = page.split(f'id="reason-{order.pk}"')[1].split("</select>")[0]
    assert '<option value="delivery_impossible" selected>' in reasons
    assert f'class="pass" data-check="{order.pk}.reason"' in page


# 11. Operator state ------------------------------------------------------------------------


def test_press_one_while_offline_keeps_the_state_and_says_why(
    work_morning, operator, operator_client, make_order
):
    make_order()
    operator_state_set(operator=operator, state=OperatorState.OFFLINE)
    response = operator_client.post(reverse("workspace:next"), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Вы не в сети" in response.content.decode()  # the desk speaks Russian here
    assert not Lease.objects.filter(operator=operator).exists()
    assert operator_state_current(operator=operator).state == OperatorState.OFFLINE


def test_offline_is_refused_during_a_call_and_a_pause_waits_for_the_outcome(
    work_morning, operator, operator_client, make_order
):
    make_order()
    operator_state_set(operator=operator, state=OperatorState.READY)
    take_call(operator_client)
    offline = operator_client.post(
        reverse("workspace:state"), {"state": "offline"}, HTTP_HX_REQUEST="true"
    )
    assert offline.status_code == 422
    assert "прежде чем выйти из сети" in offline.content.decode()
    pause = operator_client.post(
        reverse("workspace:state"),
        {"state": "paused", "pause_code": "lunch"},
        HTTP_HX_REQUEST="true",
    )
    assert pause.status_code == 200
    assert 'id="then-pause"' in pause.content.decode()
    lease = Lease.objects.get(operator=operator, ended_at=None)
    operator_client.post(reverse("workspace:outcome"), {"lease": str(lease.pk), "result": "busy"})
    current = operator_state_current(operator=operator)
    assert (current.state, current.pause_code) == (OperatorState.PAUSED, "lunch")


# 10. Pause kept on an empty queue ----------------------------------------------------------


def test_press_one_while_paused_with_nobody_due_keeps_the_pause(
    work_morning, operator, operator_client
):
    operator_state_set(operator=operator, state=OperatorState.PAUSED, pause_code="lunch")
    operator_client.post(reverse("workspace:next"))
    current = operator_state_current(operator=operator)
    assert (current.state, current.pause_code) == (OperatorState.PAUSED, "lunch")
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'class="badge paused"' in page
    # Before, the stylesheet coloured `.badge.pause`, a class no badge has.
    from django.contrib.staticfiles import finders

    stylesheet = open(finders.find("workspace/workspace.css"), encoding="utf-8").read()
    assert ".badge.paused {" in stylesheet


# 12. Each order keeps its own customer data ------------------------------------------------


def test_a_second_order_from_the_same_phone_shows_its_own_name(
    work_morning, supervisor_client, make_order, store_api
):
    first = make_order("A-1")
    second = make_order(
        "A-2",
        customer=order_payload()["customer"]
        | {"name": "Ерлан Другой", "email": "e@example.kz", "language": "ru"},
    )
    assert first.customer_id == second.customer_id
    assert (second.customer_name, second.customer_email, second.language) == (
        "Ерлан Другой", "e@example.kz", "ru"
    )  # fmt: skip
    page = supervisor_client.get(reverse("workspace:order", args=[second.pk])).content.decode()
    assert "Ерлан Другой" in page
    assert "Айгуль Тестова" not in page
    body = store_api.get(f"/api/v1/orders/{second.pk}").json()
    assert body["customer"]["name"] == "Ерлан Другой"
    assert body["customer"]["email"] == "e@example.kz"
    assert body["customer"]["language"] == "ru"
    assert store_api.get(f"/api/v1/orders/{first.pk}").json()["customer"]["name"] == (
        "Айгуль Тестова"
    )
    viewed = OrderEvent.objects.filter(order=second, type=OrderEventType.VIEWED)
    assert viewed.exists()


# 7. Hostile or long text -------------------------------------------------------------------


def test_a_5000_character_address_is_shown_once_and_text_is_isolated(
    work_morning, operator, operator_client, make_order
):
    line = "Ж" * 4990 + " угол 5"
    name = "\u202eАйгуль\u202c Тестова"
    delivery = order_payload()["delivery"] | {
        "street": "", "house": "", "apartment": "", "entrance": "", "floor": "", "intercom": "",
        "address_line": line,
    }  # fmt: skip
    make_order(delivery=delivery, customer=order_payload()["customer"] | {"name": name})
    operator_state_set(operator=operator, state=OperatorState.READY)
    page = take_call(operator_client).content.decode()
    assert page.count(line) == 1
    assert f'<bdi class="customer-name" id="customer-name">{name}</bdi>' in page
    assert f"<bdi>Алматы, {line}</bdi>" in page


# 9. Hand-over ------------------------------------------------------------------------------


def test_hand_over_offers_only_operators_of_the_store_and_language_and_opens_their_card(
    work_morning, operator, supervisor, supervisor_client, make_order, store, staff_client
):
    from orderdesk.accounts.services import user_create
    from orderdesk.stores.services import store_create

    other_store, _ = store_create(name="Другой", slug="other-shop")
    kazakh, _, _ = user_create(
        username="kk_op", role="operator", store_slugs=[store.slug], languages=["kk"]
    )
    russian_only, _, _ = user_create(
        username="ru_op", role="operator", store_slugs=[store.slug], languages=["ru"]
    )
    elsewhere, _, _ = user_create(
        username="far_op", role="operator", store_slugs=[other_store.slug], languages=["kk"]
    )
    make_order()  # the customer speaks Kazakh
    operator_state_set(operator=operator, state=OperatorState.READY)
    operator_state_set(operator=kazakh, state=OperatorState.READY)
    from orderdesk.calling.services import call_next_claim

    lease = call_next_claim(operator=operator).lease
    board = supervisor_client.get(reverse("workspace:live")).content.decode()
    reassign = board.split(reverse("workspace:lease_reassign", args=[lease.pk]))[-1]
    options = reassign.split("</select>")[0]
    assert f'value="{kazakh.pk}"' in options
    assert f'value="{russian_only.pk}"' not in options
    assert f'value="{elsewhere.pk}"' not in options
    refused = supervisor_client.post(
        reverse("workspace:lease_reassign", args=[lease.pk]),
        {"operator": russian_only.pk},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    assert Lease.objects.get(pk=lease.pk).ended_at is None
    supervisor_client.post(
        reverse("workspace:lease_reassign", args=[lease.pk]),
        {"operator": kazakh.pk},
        HTTP_HX_REQUEST="true",
    )
    handed = Lease.objects.get(operator=kazakh, ended_at=None)
    assert handed.customer_id == lease.customer_id
    kazakh_client = staff_client(kazakh)
    incoming = kazakh_client.get(reverse("workspace:incoming"), HTTP_HX_REQUEST="true")
    assert incoming.headers["HX-Redirect"] == reverse("workspace:desk")
    assert 'id="call-card"' in kazakh_client.get(reverse("workspace:desk")).content.decode()


def test_the_idle_desk_watches_for_a_call_put_on_it(work_morning, operator, operator_client):
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert f'hx-get="{reverse("workspace:incoming")}"' in page
    assert operator_client.get(reverse("workspace:incoming")).status_code == 204


# 10. A supervisor's cancel of an unreachable order ----------------------------------------


def test_unreachable_cancel_asks_for_a_reason_and_confirmation(
    work_morning, supervisor_client, make_order
):
    from orderdesk.calling.models import CallTask

    order = make_order()
    CallTask.objects.filter(order=order).update(state=CallTaskState.UNREACHABLE, due_at=None)
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    form = page.split('class="inline-form unreachable-cancel"')[1].split("</form>")[0]
    assert "hx-confirm=" in form
    assert '<select name="reason" required' in form
    first_option = form.split("<option")[1]
    assert first_option.startswith(' value=""')
    refused = supervisor_client.post(
        reverse("workspace:unreachable_decide", args=[order.pk]),
        {"decision": "cancel", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422
    assert fresh(order).status == "awaiting_confirmation"


# 6. Kazakh ages and weekdays ---------------------------------------------------------------


def test_kazakh_weekdays_and_ages():
    """Before, Django's Kazakh catalogue wrote Tuesday as "Сб" and ages in Russian."""
    from datetime import date, timedelta

    from django.utils import translation

    from orderdesk.workspace.templatetags.workspace_tags import age, day_label

    now = datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("UTC"))
    with translation.override("kk"):
        week = [day_label(date(2026, 11, 23) + timedelta(days=n)).split()[0] for n in range(7)]
        assert week == ["Дс", "Сс", "Ср", "Бс", "Жм", "Сн", "Жс"]
        assert age(now - timedelta(hours=2, minutes=5), now) == "2 сағ 5 мин"
        assert age(now - timedelta(days=3, hours=1), now) == "3 күн 1 сағ"
    with translation.override("ru"):
        assert day_label(date(2026, 11, 24)) == "Вт 24.11.2026"
        assert age(now - timedelta(days=2), now) == "2 дня"


def test_the_live_view_speaks_kazakh_ages(work_morning, supervisor, supervisor_client, make_order):
    from datetime import timedelta

    from orderdesk.calling.models import CallTask

    supervisor_client.post(reverse("workspace:language"), {"language": "kk"})
    order = make_order()
    CallTask.objects.filter(order=order).update(
        state=CallTaskState.CALLBACK, due_at=FAR_EAST_MORNING - timedelta(hours=6)
    )
    page = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert "сағ" in page
    assert "час" not in page and "минут" not in page
