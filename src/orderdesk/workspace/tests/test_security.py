"""Operators see only what they hold; customer text is shown as text; forms carry CSRF."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from orderdesk.calling.services.leases import call_next_claim

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "name": '<script>alert("name")</script><b>Имя</b>',
    "street": '"><img src=x onerror=alert(1)>',
    "comment": "<svg onload=alert(2)>комментарий</svg>",
    "item": "<iframe src=javascript:alert(3)></iframe>Диван",
}


@pytest.fixture
def hostile_order(make_order):
    return make_order(
        "X-1",
        customer={"name": PAYLOADS["name"], "phone": "+7 701 123 45 67", "language": "ru"},
        delivery={"locality": "Алматы", "street": PAYLOADS["street"], "house": "1"},
        comment=PAYLOADS["comment"],
        items=[{"sku": "S-1", "name": PAYLOADS["item"], "quantity": 1, "price": "10.00"}],
    )


def assert_escaped(html: str, *, shows_name: bool = True) -> None:
    for raw in PAYLOADS.values():
        assert raw not in html
    assert "<script>alert" not in html
    assert not re.search(r"<(img|svg|iframe)[^>]*(onerror|onload|javascript:)", html)
    escaped = "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&lt;b&gt;Имя&lt;/b&gt;"
    assert (escaped in html) is shows_name


def test_card_escapes_customer_text(ready_operator, operator_client, hostile_order):
    operator_client.post(reverse("workspace:next"))
    html = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'id="call-card"' in html
    assert_escaped(html)
    assert "&lt;iframe src=javascript:alert(3)&gt;&lt;/iframe&gt;Диван" in html


def test_order_page_and_board_escape_customer_text(supervisor_client, work_morning, hostile_order):
    html = supervisor_client.get(reverse("workspace:order", args=[hostile_order.pk])).content
    assert_escaped(html.decode())
    board = supervisor_client.get(reverse("workspace:live")).content.decode()
    assert_escaped(board, shows_name=False)


def test_every_response_carries_a_csp_without_inline_script(
    ready_operator, operator_client, hostile_order
):
    operator_client.post(reverse("workspace:next"))
    response = operator_client.get(reverse("workspace:desk"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r'\son[a-z]+="', html)
    assert 'style="' not in html


def test_every_post_form_has_a_csrf_token(ready_operator, operator_client, hostile_order):
    operator_client.post(reverse("workspace:next"))
    html = operator_client.get(reverse("workspace:desk")).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
    assert len(forms) > 10
    assert all("csrfmiddlewaretoken" in form for form in forms)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_outcome_without_csrf_is_refused(ready_operator, hostile_order):
    ready_operator.set_password(PASSWORD)
    ready_operator.save()
    client = Client(enforce_csrf_checks=True)
    client.login(username="op1", password=PASSWORD)
    claim = call_next_claim(operator=ready_operator)
    response = client.post(
        reverse("workspace:outcome"), {"lease": str(claim.lease.pk), "result": "no_answer"}
    )
    assert response.status_code == 403
    assert claim.lease.__class__.objects.get(pk=claim.lease.pk).ended_at is None


def test_operator_gets_404_for_orders_they_do_not_hold(
    operator_client, other_operator, staff_client, work_morning, make_order
):
    from orderdesk.calling.models import OperatorState
    from orderdesk.calling.services.operators import operator_state_set

    order = make_order()
    assert operator_client.get(reverse("workspace:order", args=[order.pk])).status_code == 404
    operator_state_set(operator=other_operator, state=OperatorState.READY)
    call_next_claim(operator=other_operator)
    for name in ("address", "bad_connection", "elevator", "recipient"):
        response = operator_client.post(reverse(f"workspace:{name}", args=[order.pk]))
        assert response.status_code == 404, name
    assert operator_client.get(reverse("workspace:order", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.delivery_comment == ""


def test_operator_sees_own_history_read_only(ready_operator, operator_client, make_order):
    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    operator_client.post(
        reverse("workspace:outcome"), {"lease": str(claim.lease.pk), "result": "busy"}
    )
    assert operator_client.get(reverse("workspace:history")).status_code == 200
    page = operator_client.get(reverse("workspace:order", args=[order.pk]))
    assert page.status_code == 200
    assert "A-1001" in page.content.decode()


def test_read_only_order_page_masks_phones_and_logs_the_view(
    supervisor, supervisor_client, work_morning, make_order
):
    from orderdesk.orders.models import OrderEvent, OrderEventType

    order = make_order()
    html = supervisor_client.get(reverse("workspace:order", args=[order.pk])).content.decode()
    assert "+7701***4567" in html and "+77011234567" not in html
    viewed = OrderEvent.objects.get(order=order, type=OrderEventType.VIEWED)
    assert viewed.actor == supervisor


def test_admin_edits_speech_modules(store, staff_client):
    from orderdesk.accounts.services import user_create

    admin, _, _ = user_create(username="boss", role="admin")
    client = staff_client(admin)
    response = client.get(reverse("admin:workspace_speechmodule_changelist"))
    assert response.status_code == 200
    assert "Приветствие" in response.content.decode()
