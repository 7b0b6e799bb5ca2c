"""The customer's private page in a real browser (Debian's Chromium through Playwright, a phone's
screen): confirm with a date and an apartment address, cancel, an expired and a tampered link.
Skipped when chromium is not installed (`make browser`)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from orderdesk.conftest import order_payload
from orderdesk.messaging.links import self_service_token
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import orders_intake
from orderdesk.stores.services import store_create
from orderdesk.workspace.tests.test_browser import browser, reference_data  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_page(browser):  # noqa: F811
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ru-RU", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def order(reference_data):  # noqa: F811
    """An apartment order in Almaty whose entrance, floor and intercom are missing."""
    store, _key = store_create(name="Мебель Плюс", slug="mebel-self")
    payload = order_payload("SELF-1")
    payload["customer"]["language"] = "ru"
    for name in ("entrance", "floor", "intercom", "date"):
        payload["delivery"].pop(name)
    (result,) = orders_intake(store=store, payloads=[payload], actor_label="test")
    assert result.created, result.errors
    return result.order


def _url(live_server, order) -> str:
    return (
        f"{live_server.url}/o/{self_service_token(order_id=order.pk, issued_at=order.created_at)}"
    )


def test_customer_confirms_with_a_date_and_the_apartment_address(live_server, phone_page, order):
    page = phone_page
    page.goto(_url(live_server, order))
    assert page.locator("h1").inner_text() == "Заказ SELF-1"
    # Without the apartment's details the same checks as a call refuse, naming each field.
    page.select_option("#delivery_date", index=1)
    page.click("#confirm-form button[type=submit]")
    assert "Заполните" in page.locator("#errors").inner_text()
    chosen = page.locator("#delivery_date").input_value()
    page.fill("#entrance", "2")
    page.fill("#floor", "5")
    page.fill("#intercom", "25К")
    page.fill("#time_wish", "после 18:00")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#decided")
    assert "Заказ подтверждён." in page.locator("#decided").inner_text()
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.delivery_on.isoformat(), stored.entrance, stored.floor) == (
        OrderStatus.CONFIRMED, chosen, "2", "5"
    )  # fmt: skip
    assert (stored.intercom, stored.time_wish) == ("25К", "после 18:00")
    assert page.console_errors == []  # nothing the CSP refused


def test_customer_cancels_with_a_reason(live_server, phone_page, order):
    page = phone_page
    page.goto(_url(live_server, order) + "?lang=kk")
    page.select_option("#reason", "changed_mind")
    page.click("#cancel-form button[type=submit]")
    page.wait_for_selector("#decided")
    assert "Тапсырыстан бас тартылды." in page.locator("#decided").inner_text()
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.cancel_reason) == (OrderStatus.CANCELLED, "changed_mind")


def test_an_expired_link_shows_the_not_found_page(live_server, phone_page, order):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=15))
    order.refresh_from_db()
    answer = phone_page.goto(_url(live_server, order))
    assert answer.status == 404
    assert phone_page.locator("#not-found").is_visible()


def test_a_tampered_link_shows_the_not_found_page(live_server, phone_page, order):
    url = _url(live_server, order)
    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    answer = phone_page.goto(tampered)
    assert answer.status == 404
    assert "Ссылка недействительна" in phone_page.locator("#not-found").inner_text()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_CONFIRMATION
