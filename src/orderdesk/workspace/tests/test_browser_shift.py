"""The shift, faster, in a real browser (Debian's Chromium through Playwright): 9 confirming one
and two orders, progressive mode offering the next call, a lost lease noticed, search, the
phone-order form, the keys' list and the outcome panel in view at 1280×720."""

import time

import pytest
import time_machine

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallAttempt, CallingPolicy, Lease
from orderdesk.calling.services import lease_release
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.stores.services import store_create
from orderdesk.workspace.services import desk_progressive_set

from .conftest import PASSWORD, WORK_MORNING
from .test_browser import browser, intake, log_in, reference_data  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL_ADDRESS = {
    "locality": "Алматы", "street": "Сатпаева", "house": "30", "apartment": "12",
    "entrance": "1", "floor": "3", "intercom": "12", "elevator": "passenger",
}  # fmt: skip


@pytest.fixture
def small_page(browser):  # noqa: F811 (the fixture above)
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def an_operator(store_slug: str = "mebel", username: str = "aliya"):
    user, _, _ = user_create(
        username=username, role="operator", store_slugs=[store_slug], languages=["ru", "kk"],
        password=PASSWORD,
    )  # fmt: skip
    user.interface_language = "en"
    user.save(update_fields=["interface_language"])
    return user


def ready(page):
    page.wait_for_selector("#take-next")
    page.click("#state-ready")
    page.wait_for_selector("#opstate .badge.ready")
    page.wait_for_load_state("load")


def test_nine_confirms_one_order_then_the_next_call_comes_by_itself(live_server, small_page):
    page = small_page
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        CallingPolicy.objects.create(store=store, wrap_up_seconds=3)
        an_operator()
        first = intake(store, "S-1", customer={"name": "Арман Тестов", "phone": "+7 701 300 00 01"},
                       delivery=FULL_ADDRESS)  # fmt: skip
        intake(store, "S-2", customer={"name": "Жанна Тестова", "phone": "+7 701 300 00 02"},
               delivery=FULL_ADDRESS)  # fmt: skip

        log_in(page, live_server.url, "aliya")
        ready(page)
        page.keyboard.press("?")
        page.wait_for_selector("#keys-help[open]")
        keys = page.inner_text("#keys-help")
        assert "Callback time" in keys and "Notes" in keys and "Confirm every order" in keys
        page.keyboard.press("Escape")
        page.wait_for_selector("#keys-help:not([open])", state="attached")

        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        assert page.input_value(f"#decision-{first.pk}") == "confirm"  # preselected: checks pass
        # The outcome panel stays in view at 1280×720 wherever the card is scrolled to.
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(200)
        assert page.locator("#confirm-button").is_visible()
        box = page.locator("#confirm-button").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 720
        # Keys work wherever the focus is: in the notes, Escape leaves the field first.
        page.keyboard.press("n")
        page.keyboard.type("спросить про лифт")
        page.keyboard.press("0")  # typed into the notes, not a shortcut
        assert page.input_value("#notes").endswith("0")
        page.keyboard.press("Escape")
        page.keyboard.press("0")  # conversation over: the wrap-up timer runs
        page.wait_for_selector("#talk-end[disabled]")
        page.keyboard.press("9")

        page.wait_for_selector("#next-call-countdown")
        assert Order.objects.get(pk=first.pk).status == OrderStatus.CONFIRMED
        attempt = CallAttempt.objects.get()
        assert attempt.talk_seconds is not None and attempt.wrap_up_seconds is not None
        # Progressive mode: after the store's wrap-up time the next call is on the screen.
        page.wait_for_selector("#call-card", timeout=15_000)
        assert page.inner_text("#customer-name") == "Жанна Тестова"


def test_nine_confirms_every_order_not_marked_cancel(live_server, small_page):
    page = small_page
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        an_operator()
        phone = {"name": "Мадина Тестова", "phone": "+7 701 300 00 03"}
        kept = intake(store, "M-1", customer=phone, delivery=FULL_ADDRESS)
        unfinished = intake(store, "M-2", customer=phone,
                            delivery={**FULL_ADDRESS, "entrance": "", "floor": ""})  # fmt: skip
        dropped = intake(store, "M-3", customer=phone, delivery=FULL_ADDRESS)

        log_in(page, live_server.url, "aliya")
        ready(page)
        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        assert page.input_value(f"#decision-{unfinished.pk}") == ""  # its address is not complete
        page.select_option(f"#decision-{dropped.pk}", "cancel")
        page.select_option(f"#reason-{dropped.pk}", index=1)
        page.fill(f"#entrance-{unfinished.pk}", "2")
        page.fill(f"#floor-{unfinished.pk}", "4")
        page.click(f"#save-address-{unfinished.pk}")
        page.wait_for_selector(f'[data-check="{unfinished.pk}.address"].pass')
        page.keyboard.press("9")
        page.wait_for_selector("#take-next")
        statuses = dict(
            Order.objects.filter(pk__in=[kept.pk, unfinished.pk, dropped.pk]).values_list(
                "external_id", "status"
            )
        )
        assert statuses == {
            "M-1": OrderStatus.CONFIRMED,
            "M-2": OrderStatus.CONFIRMED,
            "M-3": OrderStatus.CANCELLED,
        }


def test_a_lost_lease_is_noticed_within_15_seconds(live_server, small_page):
    page = small_page
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        operator = an_operator()
        supervisor, _, _ = user_create(username="sup", role="supervisor", store_slugs=["mebel"])
        intake(store, "L-1", customer={"name": "Ерлан Тестов", "phone": "+7 701 300 00 04"})
        log_in(page, live_server.url, "aliya")
        ready(page)
        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        assert page.locator("#opstate .badge.in_call").count() == 1
        lease = Lease.objects.get(operator=operator, ended_at=None)
        lease_release(lease_id=lease.pk, supervisor=supervisor)
        released = time.monotonic()
        page.wait_for_selector("#lease-lost-banner:not(.hidden)", timeout=17_000)
        assert time.monotonic() - released <= 16
        assert page.locator("#opstate .badge.in_call").count() == 0


def test_search_and_an_order_by_phone(live_server, small_page):
    page = small_page
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        # This operator answers inbound calls: no next call offered by itself.
        desk_progressive_set(operator=an_operator(), progressive=False)
        intake(store, "Q-77", customer={"name": "Айжан Поискова", "phone": "+7 705 123 45 67"})
        log_in(page, live_server.url, "aliya")
        ready(page)
        page.keyboard.press("/")
        page.keyboard.type("8 (705) 123-45-67")
        page.keyboard.press("Enter")
        page.wait_for_selector('tr.search-hit[data-order="Q-77"]')
        page.fill("#search-q", "поискова")
        page.keyboard.press("Enter")
        page.wait_for_selector('tr.search-hit[data-order="Q-77"]')

        page.goto(f"{live_server.url}/desk/")
        page.wait_for_load_state("load")
        page.keyboard.press("o")
        page.wait_for_selector("#phone-order-form")
        page.fill("#po-number", "TEL-9")
        page.fill("#po-name", "Сауле Звонкова")
        page.fill("#po-phone", "12")  # not a phone: refused, nothing stored
        page.fill("#po-item-0-sku", "HRF-450")
        page.fill("#po-item-0-name", "Холодильник")
        page.fill("#po-item-0-quantity", "1")
        page.fill("#po-item-0-price", "259990")
        page.fill("#po-locality", "Алматы")
        for field, value in [("street", "Абая"), ("house", "10"), ("apartment", "25"),
                             ("entrance", "2"), ("floor", "5"), ("intercom", "25")]:  # fmt: skip
            page.fill(f"#po-{field}", value)
        page.click("#phone-order-submit")
        page.wait_for_selector('#phone-order-errors [data-field="customer.phone"]')
        assert not Order.objects.filter(external_id="TEL-9").exists()
        page.fill("#po-phone", "+7 701 555 66 77")
        page.click("#phone-order-submit")
        page.wait_for_selector("#call-card")
        page.wait_for_load_state("load")
        order = Order.objects.get(external_id="TEL-9")
        assert order.source == "phone"
        assert page.input_value(f"#decision-{order.pk}") == "confirm"
        page.keyboard.press("9")
        page.wait_for_selector("#take-next")
        assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
