"""The conversation on the call card: the customer's messages both ways, the operator sends a
template or a text of their own, records an opt-out; the customer confirming on their private
page meanwhile shows in the checklist."""

import pytest
from django.test import override_settings
from django.urls import reverse

from orderdesk.messaging.links import self_service_token
from orderdesk.messaging.models import Direction, Message, OptOut
from orderdesk.messaging.services.inbound import reply_receive
from orderdesk.messaging.tests.peers import SmsPeer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms():
    peer = SmsPeer()
    with override_settings(ORDERDESK_SMS_URL=peer.url, ORDERDESK_SMS_TOKEN="t", EMAIL_HOST=""):
        yield peer
    peer.close()


@pytest.fixture
def held(sms, ready_operator, operator_client, make_order):
    order = make_order(customer={"name": "Айгуль", "phone": "+7 701 555 44 33", "language": "ru"})
    operator_client.post(reverse("workspace:next"))
    return order


def _post(client, name, order, data):
    return client.post(reverse(f"workspace:{name}", args=[order.pk]), data, HTTP_HX_REQUEST="true")


def test_the_card_shows_the_conversation_escaped_and_isolated(operator_client, held):
    reply_receive(
        channel="sms", sender="+77015554433", text="<b>после 18</b>\u202e", provider_id="r1"
    )
    html = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'id="card-messages"' in html
    assert "order_received" in html  # the message sent at intake
    assert "<bdi>&lt;b&gt;после 18&lt;/b&gt;\u202e</bdi>" in html


def test_the_operator_sends_a_text_of_their_own(operator_client, held):
    answer = _post(
        operator_client, "message_send", held, {"text": "Курьер позвонит за час {не шаблон}"}
    )
    assert answer.status_code == 200
    sent = Message.objects.get(order=held, event="operator")
    assert (sent.body, sent.channel, sent.key, sent.direction) == (
        "Курьер позвонит за час {не шаблон}", "sms", None, Direction.OUT
    )  # fmt: skip
    assert 'id="card-messages"' in answer.content.decode()


def test_the_operator_sends_the_private_link_again(operator_client, held):
    _post(operator_client, "message_send", held, {"template": "order_received"})
    again = Message.objects.filter(order=held, event="order_received")
    assert again.count() == 2
    token = self_service_token(order_id=held.pk, issued_at=held.created_at)
    assert all(token in m.body for m in again)


def test_an_empty_text_or_an_unknown_template_is_refused(operator_client, held):
    assert _post(operator_client, "message_send", held, {"text": "  "}).status_code == 422
    assert _post(operator_client, "message_send", held, {"template": "birthday"}).status_code == 422
    assert not Message.objects.filter(order=held, event="operator").exists()


def test_the_operator_records_an_opt_out_and_then_nothing_is_sent(operator_client, held):
    assert _post(operator_client, "opt_out", held, {}).status_code == 200
    assert OptOut.objects.get(customer=held.customer).via == "operator"
    answer = _post(operator_client, "message_send", held, {"text": "Ещё одно"})
    assert answer.status_code == 422
    assert not Message.objects.filter(order=held, event="operator").exists()


def test_the_checklist_says_the_customer_confirmed_meanwhile(operator_client, held):
    from django.utils import timezone

    from orderdesk.delivery.selectors import order_delivery_dates
    from orderdesk.messaging.services.self_service import self_service_confirm

    dates = order_delivery_dates(order=held, at=timezone.now())
    self_service_confirm(order=held, delivery_on=dates.allowed[0], address={})
    answer = operator_client.post(
        reverse("workspace:checks"), {f"decision_{held.pk}": "confirm"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-check="confirmed-by-customer"' in answer.content.decode()
