"""The customer's tracking and feedback pages in a real browser (Debian's Chromium through
Playwright) against a live server: the history in the customer's language, the feedback form
stored once, hostile text escaped, no Content-Security-Policy violation."""

import importlib
import os

import pytest
from django.apps import apps

from orderdesk.conftest import order_payload
from orderdesk.delivery.models import Locality
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.representations import order_data
from orderdesk.orders.services import order_status_change, orders_intake
from orderdesk.shipping.models import Feedback
from orderdesk.shipping.services import shipment_record, tracking_event_record
from orderdesk.stores.services import store_create
from orderdesk.workspace.tests import test_browser as workspace_browser

# The browser and its page, as the workspace's browser tests open them.
browser, page = workspace_browser.browser, workspace_browser.page
REFERENCE_DATA = workspace_browser.REFERENCE_DATA

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture(autouse=True)
def public_on_live_server(settings, live_server):
    """The links the customer gets (ORDERDESK_PUBLIC_URL) lead to the test's server."""
    settings.ORDERDESK_PUBLIC_URL = live_server.url


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    if Locality.objects.exists():
        return
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def shipped_order():
    from datetime import datetime

    store, _ = store_create(name="Мебель Плюс", slug="mebel")
    payload = order_payload("KZ-501")
    [result] = orders_intake(store=store, payloads=[payload], actor_label="test")
    order = order_status_change(order=result.order, to=OrderStatus.CONFIRMED, actor_label="t")
    shipment_record(order=order, carrier_code="garanta", tracking_number="GA-501")
    for status, at in (("in_transit", "2026-11-24T18:00:00+05:00"),
                       ("failed_attempt", "2026-11-25T12:40:00+05:00")):  # fmt: skip
        tracking_event_record(tracking_number="GA-501", status=status, store=store,
                              at=datetime.fromisoformat(at), reason="customer_absent")  # fmt: skip
    return order


def test_tracking_page_shows_the_history_in_the_customers_language(
    live_server, page, shipped_order
):
    data = order_data(shipped_order)
    page.goto(data["shipment"]["tracking_url"])
    assert page.locator("html").get_attribute("lang") == "kk"  # the customer speaks Kazakh
    items = page.locator("ol.history li")
    assert items.count() == 2
    assert [items.nth(i).get_attribute("data-status") for i in range(2)] == [
        "in_transit", "failed_attempt"
    ]  # fmt: skip
    assert "18:00" in items.nth(0).inner_text()  # in the customer's zone, named on the page
    assert "Asia/Almaty" in page.locator(".zone").inner_text()
    assert "Тұтынушы орнында жоқ" in items.nth(1).inner_text()  # the reason, in Kazakh
    assert "Тұтынушы" not in items.nth(0).inner_text()
    assert "GA-501" in page.locator(".tracking-number").inner_text()
    assert "Айгуль" not in page.content() and "701" not in page.locator("main").inner_text()
    page.goto(f"{data['shipment']['tracking_url']}?lang=ru")
    assert "Попытка доставки не удалась" in page.locator("ol.history").inner_text()
    assert page.csp_errors == []
    assert page.goto(f"{live_server.url}/t/forged.token/").status == 404


def test_feedback_page_stores_the_answer_once(live_server, page, shipped_order):
    from datetime import datetime

    tracking_event_record(
        tracking_number="GA-501", status="delivered", store=shipped_order.store,
        at=datetime.fromisoformat("2026-11-27T11:00:00+05:00"),
    )  # fmt: skip
    shipped_order.refresh_from_db()
    url = order_data(shipped_order)["feedback_url"]
    page.goto(f"{url}?lang=ru")
    page.check("input[name=rating][value='4']")
    page.fill("#comment", HOSTILE)
    page.click("button[type=submit]")
    page.wait_for_selector(".thanks")
    assert page.locator(".rating").inner_text() == "4/5"
    assert page.evaluate("window.__pwned") is None
    given = Feedback.objects.get(order=shipped_order)
    assert (given.rating, given.comment, given.via) == (4, HOSTILE, "page")
    page.goto(url)
    assert page.locator("form").count() == 0  # answered: no second form
    assert page.csp_errors == []
