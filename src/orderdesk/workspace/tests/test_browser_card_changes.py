"""In a real browser: a store's cancel and change reach the card of the operator on the call within
seconds, and nothing the operator typed is lost."""

import pytest
import time_machine

from orderdesk.accounts.services import user_create
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import order_cancel_by_store, order_change_by_store
from orderdesk.stores.services import store_create

from .conftest import WORK_MORNING
from .test_browser import PASSWORD, browser, intake, log_in, page, reference_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHANGES_WAIT_MS = 15_000  # the card asks for changes every 5 s


def test_store_cancel_and_change_show_on_the_card_and_keep_what_was_typed(live_server, page):  # noqa: F811
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        user_create(
            username="aliya", role="operator", store_slugs=["mebel"], languages=["ru"],
            password=PASSWORD,
        )  # fmt: skip
        customer = {"name": "Гүлнар Әбенова", "phone": "+7 701 200 30 41", "language": "ru"}
        first = intake(store, "C-1", customer=customer)
        second = intake(store, "C-2", customer=customer)

        log_in(page, live_server.url, "aliya")
        page.click("#state-ready")
        page.wait_for_selector("#opstate .badge.ready")
        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        page.fill("#notes", "Клиентка просила перезвонить мужу")
        page.fill(f"#entrance-{second.pk}", "4")  # typed, not saved
        page.select_option(f"#decision-{second.pk}", "confirm")

        order_cancel_by_store(order=Order.objects.get(pk=first.pk), store=store, reason="Дубль")
        notice = page.locator(f"#order-notice-{first.pk}")
        notice.filter(has_text="Дубль").wait_for(timeout=CHANGES_WAIT_MS)
        assert "C-1" in notice.inner_text()
        fieldset = page.locator(f"#decision-fieldset-{first.pk}")
        assert fieldset.get_attribute("disabled") is not None  # its decision is not posted
        assert page.locator(f"#decision-{first.pk}").count() == 0
        assert page.input_value("#notes") == "Клиентка просила перезвонить мужу"
        assert page.input_value(f"#entrance-{second.pk}") == "4"
        assert page.input_value(f"#decision-{second.pk}") == "confirm"

        order_change_by_store(
            order=Order.objects.get(pk=second.pk), store=store,
            fields={"comment": "Домофон не работает"},
        )  # fmt: skip
        panel = page.locator(f"#order-{second.pk}")
        panel.filter(has_text="Домофон не работает").wait_for(timeout=CHANGES_WAIT_MS)
        assert "store:mebel" in page.inner_text(f"#order-notice-{second.pk}")
        assert page.input_value("#notes") == "Клиентка просила перезвонить мужу"
        assert Order.objects.get(pk=first.pk).status == OrderStatus.CANCELLED
        assert not [e for e in page.csp_errors if "Content Security Policy" in e]
