"""In a real browser: a callback for a customer far to the east, at the time the picker offers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallTaskState
from orderdesk.calling.tests.conftest import fresh
from orderdesk.stores.services import store_create

from .test_browser import browser, intake, log_in, page, reference_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
# 10:11 in Vladivostok: 05:11 on the server's clock (Asia/Almaty), before its calling window.
FAR_EAST_MORNING = datetime(2026, 11, 24, 10, 11, tzinfo=VLADIVOSTOK)


def test_callback_for_a_vladivostok_customer_with_the_default_time(live_server, page):  # noqa: F811
    with time_machine.travel(FAR_EAST_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        user_create(
            username="aliya", role="operator", store_slugs=["mebel"], languages=["ru", "kk"],
            password="correct-horse-battery-9",
        )  # fmt: skip
        order = intake(
            store, "V-1001",
            customer={"name": "Ольга Приморская", "phone": "+7 914 700 10 20", "language": "ru"},
            delivery={"locality": "Владивосток", "street": "Светланская", "house": "5"},
        )  # fmt: skip
        assert order.timezone == "Asia/Vladivostok"

        log_in(page, live_server.url, "aliya")
        page.wait_for_selector("#take-next")
        page.click("#state-ready")
        page.wait_for_selector("#opstate .badge.ready")
        page.keyboard.press("1")
        page.wait_for_selector("#call-card")

        picker = page.locator("#callback-at")
        assert picker.input_value() == "2026-11-24T11:11"
        assert "Asia/Vladivostok" in page.inner_text("label[for=callback-at]")
        page.keyboard.press("6")
        page.wait_for_selector("#take-next")

        task = fresh(order)
        assert task.queue_state == CallTaskState.CALLBACK
        assert task.next_call_at == datetime(2026, 11, 24, 11, 11, tzinfo=VLADIVOSTOK)


def test_long_unbroken_text_wraps_inside_the_card_at_1280(live_server, browser):  # noqa: F811
    """Hostile text: a 190-letter name and a 5,000-letter address without a space, and a
    right-to-left override in the name; the card stays within a 1280 px window."""
    from orderdesk.calling.services import operator_state_set
    from orderdesk.workspace.tests.conftest import WORK_MORNING

    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    page = context.new_page()  # noqa: F811
    page.set_default_timeout(10_000)
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        operator, _, _ = user_create(
            username="aliya", role="operator", store_slugs=["mebel"], languages=["ru", "kk"],
            password="correct-horse-battery-9",
        )  # fmt: skip
        intake(
            store, "L-1001",
            customer={"name": "\u202e" + "Ж" * 190, "phone": "+7 701 200 30 41", "language": "ru"},
            delivery={"locality": "Алматы", "address_line": "Ы" * 5000},
        )  # fmt: skip
        operator_state_set(operator=operator, state="ready")
        log_in(page, live_server.url, "aliya")
        page.wait_for_selector("#take-next")
        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 1280)
            .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert width <= 1280, wide
        assert (
            page.evaluate("getComputedStyle(document.getElementById('customer-name')).unicodeBidi")
            == "isolate"
        )
        assert page.content().count("Ы" * 5000) == 1
    context.close()
