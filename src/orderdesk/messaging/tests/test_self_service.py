"""The customer's private link: the JSON twin and the page, through the call's own checks and
confirmation; expired and forged links; the race with an operator holding the call."""

from datetime import date, timedelta

import pytest
from django.test import Client

from orderdesk.calling.models import CallResult, CallTaskState
from orderdesk.calling.services import OrderDecision, call_next_claim, call_outcome_record
from orderdesk.calling.tests.conftest import task_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.delivery.models import Carrier, DeliveryZone, Locality
from orderdesk.messaging.links import self_service_token
from orderdesk.messaging.models import StoreMessaging
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

from .conftest import NOW


@pytest.fixture
def zone(db):
    """A carrier delivering to Almaty from the next day, every day."""
    locality = Locality.objects.get(country="KZ", name_ru="Алматы")
    carrier = Carrier.objects.create(code="test-courier", name="Test courier")
    DeliveryZone.objects.create(
        carrier=carrier, country="KZ", locality=locality, lead_days=1, weekdays="1-7",
        skips_holidays=False,
    )  # fmt: skip
    return locality, carrier


@pytest.fixture
def apartment_order(clock, zone, make_customer_order):
    """An apartment order whose entrance, floor and intercom are still missing."""
    locality, carrier = zone
    return make_customer_order(
        locality=locality, carrier=carrier, street="Абая", house="10", apartment="25"
    )


def _token(order: Order) -> str:
    return self_service_token(order_id=order.pk, issued_at=order.created_at)


def _api(order_or_token, suffix: str = "", body=None):
    token = order_or_token if isinstance(order_or_token, str) else _token(order_or_token)
    client = Client()
    if body is None:
        return client.get(f"/api/v1/self/{token}{suffix}")
    return client.post(f"/api/v1/self/{token}{suffix}", body, content_type="application/json")


FULL = {"entrance": "2", "floor": "5", "intercom": "25К"}


def test_the_representation_carries_the_link_and_it_opens_the_order(apartment_order, store_api):
    url = store_api.get(f"/api/v1/orders/{apartment_order.pk}").json()["self_service_url"]
    token = url.rsplit("/o/", 1)[1]
    answer = _api(token)
    assert answer.status_code == 200
    data = answer.json()
    assert data["order"]["number"] == apartment_order.external_id
    assert data["allowed_dates"][0] == "2026-11-25"
    assert data["missing"] == [
        "address.entrance",
        "address.floor",
        "address.intercom",
        "delivery_date",
    ]
    assert data["decided"] is False
    assert "phone" not in str(data) and "+7702" not in str(data)


def test_confirm_with_an_allowed_date_and_the_apartment_address(apartment_order):
    answer = _api(
        apartment_order,
        "/confirm",
        {"delivery_date": "2026-11-26", "address": FULL, "time_wish": "после 18:00"},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["decided"] is True
    order = Order.objects.get(pk=apartment_order.pk)
    assert (order.status, order.delivery_on, order.entrance, order.intercom, order.time_wish) == (
        OrderStatus.CONFIRMED, date(2026, 11, 26), "2", "25К", "после 18:00"
    )  # fmt: skip
    assert task_of(order).state == CallTaskState.DONE  # it left the call queue
    change = OrderEvent.objects.get(order=order, type=OrderEventType.STATUS_CHANGED)
    assert (change.actor_label, change.data["via"]) == ("customer", "self_service")


def test_confirm_names_every_failing_check_and_stores_nothing(apartment_order):
    answer = _api(
        apartment_order, "/confirm", {"delivery_date": "2026-11-24", "address": {"floor": "5"}}
    )
    assert answer.status_code == 422
    fields = sorted(e["field"] for e in answer.json()["errors"])
    assert fields == ["address.entrance", "address.intercom", "delivery_date"]
    order = Order.objects.get(pk=apartment_order.pk)
    assert (order.status, order.floor) == (OrderStatus.AWAITING_CONFIRMATION, "")
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.UPDATED).exists()


def test_confirm_without_a_date_is_refused(apartment_order):
    answer = _api(apartment_order, "/confirm", {"address": FULL})
    assert answer.status_code == 422
    assert "delivery_date" in [e["field"] for e in answer.json()["errors"]]


def test_cancel_with_a_reason_from_the_store_list(apartment_order):
    assert _api(apartment_order, "/cancel", {"reason": "no such thing"}).status_code == 422
    answer = _api(apartment_order, "/cancel", {"reason": "changed_mind"})
    assert answer.status_code == 200, answer.content
    order = Order.objects.get(pk=apartment_order.pk)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "changed_mind")
    assert task_of(order).state == CallTaskState.CANCELLED


def test_a_decided_order_answers_409(apartment_order):
    _api(apartment_order, "/cancel", {"reason": "changed_mind"})
    answer = _api(apartment_order, "/confirm", {"delivery_date": "2026-11-26", "address": FULL})
    assert (answer.status_code, answer.json()["error"]) == (409, "order_already_decided")
    assert _api(apartment_order, "/cancel", {"reason": "changed_mind"}).status_code == 409


def test_an_expired_link_is_404(apartment_order, clock, store):
    StoreMessaging.objects.create(store=store, self_service_days=3)
    assert _api(apartment_order).status_code == 200
    clock.move_to(apartment_order.created_at + timedelta(days=3, seconds=1))
    assert _api(apartment_order).status_code == 404
    assert Client().get(f"/o/{_token(apartment_order)}").status_code == 404


def test_a_tampered_link_is_404(apartment_order):
    token = _token(apartment_order)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other = self_service_token(order_id=apartment_order.pk, issued_at=NOW + timedelta(days=30))
    assert _api(forged).status_code == 404
    assert _api(other[: other.rindex(":")] + token[token.rindex(":") :]).status_code == 404
    assert _api("nonsense").status_code == 404
    assert Client().get(f"/o/{forged}").status_code == 404


def test_customer_confirms_while_an_operator_holds_the_call(apartment_order, operator):
    lease = call_next_claim(operator=operator).lease
    assert task_of(apartment_order).state == CallTaskState.IN_CALL
    answer = _api(apartment_order, "/confirm", {"delivery_date": "2026-11-26", "address": FULL})
    assert answer.status_code == 200
    order = Order.objects.get(pk=apartment_order.pk)
    assert order.status == OrderStatus.CONFIRMED
    assert task_of(order).state == CallTaskState.DONE
    # The operator's own confirmation, typed meanwhile, meets the order already confirmed.
    with pytest.raises(ValidationFailed) as refused:
        call_outcome_record(
            lease_id=lease.pk, operator=operator, result=CallResult.CONFIRMED,
            decisions=[OrderDecision(str(order.pk), "confirm", delivery_on=date(2026, 11, 27))],
        )  # fmt: skip
    assert refused.value.errors[0]["code"] == "order_confirmed_by_customer"
    assert Order.objects.get(pk=order.pk).delivery_on == date(2026, 11, 26)


def test_the_page_confirms_with_a_date_and_the_apartment_address(apartment_order):
    client = Client()
    url = f"/o/{_token(apartment_order)}"
    page = client.get(url)
    assert page.status_code == 200
    assert "2026-11-25" in page.content.decode()
    answer = client.post(url, {"action": "confirm", "delivery_date": "2026-11-25", **FULL})
    assert answer.status_code == 302
    assert Order.objects.get(pk=apartment_order.pk).status == OrderStatus.CONFIRMED
    assert 'id="decided"' in client.get(answer["Location"]).content.decode()


def test_the_page_shows_the_refusal_and_keeps_what_was_typed(apartment_order):
    answer = Client().post(
        f"/o/{_token(apartment_order)}",
        {"action": "confirm", "delivery_date": "2026-11-25", "entrance": "3"},
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'value="3"' in html and 'id="errors"' in html


def test_customer_text_is_escaped_and_isolated_on_the_page(clock, zone, make_customer_order):
    locality, carrier = zone
    order = make_customer_order(locality=locality, carrier=carrier, locality_name="x")
    Order.objects.filter(pk=order.pk).update(street="<script>alert(1)</script>\u202e")
    order.items.create(sku="S", name="<b>Диван</b>", quantity=1, price="10.00")
    html = Client().get(f"/o/{_token(order)}").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<bdi>&lt;b&gt;Диван&lt;/b&gt;</bdi>" in html


def test_the_page_speaks_the_customer_language_and_switches(apartment_order):
    url = f"/o/{_token(apartment_order)}"
    assert "Подтвердить заказ" in Client().get(url).content.decode()
    assert "Тапсырысты растау" in Client().get(url + "?lang=kk").content.decode()
    assert "Confirm the order" in Client().get(url + "?lang=en").content.decode()
