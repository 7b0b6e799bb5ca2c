"""End to end in a real browser: Debian's Chromium driven by Playwright against a live server.

Skipped when chromium is not installed (`make browser` installs it). With
ORDERDESK_SCREENSHOTS=1 the main screens are saved to docs/screenshots/ as the flow passes them
(the README shows them); otherwise a run leaves the tree untouched."""

import importlib
import os
import shutil
from pathlib import Path

import pytest
import time_machine
from django.apps import apps

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import Lease
from orderdesk.conftest import order_payload
from orderdesk.delivery.models import Locality
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import orders_intake
from orderdesk.stores.services import store_create

from .conftest import PASSWORD, WORK_MORNING

# Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
XSS_NAME = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Зарина'
# The data migrations that load what the flow relies on: localities, carrier terms, the script.
REFERENCE_DATA = [
    ("orderdesk.delivery.migrations.0002_load_localities", "load"),
    ("orderdesk.delivery.migrations.0004_default_zones", "load"),
    ("orderdesk.workspace.migrations.0002_default_speech_modules", "install_defaults"),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The live server needs committed rows, so these tests run outside a test transaction, after
    the other such tests, which leave the database empty: the reference data is loaded again.
    (`serialized_rollback` cannot put it back: the connection the test sees once Playwright runs
    is not the one the serialized copy was kept on.)"""
    if Locality.objects.exists():
        return
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.csp_errors = errors
    yield page
    context.close()


def shot(page, name: str) -> None:
    if os.environ.get("ORDERDESK_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def intake(store, external_id: str, **overrides) -> Order:
    [result] = orders_intake(
        store=store, payloads=[order_payload(external_id, **overrides)], actor_label="test"
    )
    assert result.errors == []
    return result.order


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_operator_confirms_a_call_end_to_end(live_server, page):
    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        user, _, _ = user_create(
            username="aliya", role="operator", store_slugs=["mebel"], languages=["ru", "kk"],
            password=PASSWORD,
        )  # fmt: skip
        user.first_name = "Алия"
        user.save(update_fields=["first_name"])
        first = intake(
            store, "W-1001",
            customer={"name": XSS_NAME, "phone": "+7 701 200 30 40", "language": "ru"},
            delivery={"locality": "Алматы", "street": "Сатпаева", "house": "30", "apartment": "12",
                      "elevator": "passenger", "date": "2026-11-25"},
            comment="<b>Позвоните</b> после обеда",
        )  # fmt: skip
        intake(
            store, "W-1002",
            customer={"name": "Данияр Омаров", "phone": "+7 702 300 40 50", "language": "kk"},
        )  # fmt: skip

        log_in(page, live_server.url, "aliya")
        page.wait_for_selector("#take-next")
        page.click("#state-ready")
        page.wait_for_selector("#opstate .badge.ready")
        shot(page, "01-desk-ready")

        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        assert page.inner_text("#customer-name") == XSS_NAME
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#customer-phone").get_attribute("href") == "tel:+77012003040"

        assert page.locator(f'[data-check="{first.pk}.decision"]').count() == 1
        page.select_option(f"#decision-{first.pk}", "confirm")
        page.locator(f'[data-check="{first.pk}.decision"]').wait_for(state="detached")
        address_check = page.locator(f'[data-check="{first.pk}.address"]')
        address_check.wait_for()
        assert "fail" in address_check.get_attribute("class")
        assert page.locator("#confirm-button").is_disabled()
        page.keyboard.press("9")  # the shortcut does nothing while Confirm is disabled
        assert Order.objects.get(pk=first.pk).status == OrderStatus.AWAITING_CONFIRMATION
        # The server refuses too: force the disabled button and submit.
        page.evaluate(
            "const b = document.getElementById('confirm-button');"
            " b.disabled = false; b.removeAttribute('aria-disabled');"
        )
        page.click("#confirm-button")
        page.wait_for_selector("#outcome-refused")
        assert (
            "Fill in" in page.inner_text("#outcome-refused")
            or page.locator(
                '#outcome-refused [data-code="address_field_required_for_apartment"]'
            ).count()
        )
        assert Order.objects.get(pk=first.pk).status == OrderStatus.AWAITING_CONFIRMATION
        shot(page, "02-card-confirm-refused")

        page.fill(f"#entrance-{first.pk}", "3")
        page.fill(f"#floor-{first.pk}", "7")
        page.fill(f"#intercom-{first.pk}", "12В")
        page.click(f"#save-address-{first.pk}")
        page.wait_for_selector(f'[data-check="{first.pk}.address"].pass')
        page.wait_for_selector("#confirm-button:not([disabled])")
        dates = page.locator(f"#date-{first.pk} option")
        assert dates.count() > 3
        picked = dates.nth(2).get_attribute("value")
        page.select_option(f"#date-{first.pk}", picked)
        page.wait_for_selector("#confirm-button:not([disabled])")
        shot(page, "03-card-ready-to-confirm")

        page.keyboard.press("9")
        page.wait_for_selector("#take-next")
        # The desk is a new page: its shortcuts listen once its script has run, not as soon as
        # the button is parsed.
        page.wait_for_load_state("load")
        confirmed = Order.objects.get(pk=first.pk)
        assert confirmed.status == OrderStatus.CONFIRMED
        assert confirmed.delivery_on.isoformat() == picked
        assert (confirmed.entrance, confirmed.floor, confirmed.intercom) == ("3", "7", "12В")

        page.keyboard.press("1")
        page.wait_for_selector("#call-card")
        assert page.inner_text("#customer-name") == "Данияр Омаров"
        assert "Сәлеметсіз бе" in page.inner_text("#script")
        assert Lease.objects.filter(operator=user, ended_at=None).count() == 1
        shot(page, "04-card-kazakh-script")
        assert not [e for e in page.csp_errors if "Content Security Policy" in e], "\n".join(
            page.csp_errors
        )


def test_supervisor_live_view_and_escaped_text(live_server, page):
    from datetime import timedelta

    from orderdesk.calling.models import CallTask, CallTaskState, OperatorState
    from orderdesk.calling.services.leases import call_next_claim
    from orderdesk.calling.services.operators import operator_state_set

    with time_machine.travel(WORK_MORNING, tick=True):
        store, _ = store_create(name="Мебель Плюс", slug="mebel")
        user_create(username="sup", role="supervisor", store_slugs=["mebel"], password=PASSWORD)
        aliya, _, _ = user_create(username="aliya", role="operator", store_slugs=["mebel"])
        marat, _, _ = user_create(username="marat", role="operator", store_slugs=["mebel"])
        order = intake(
            store, "W-2001",
            customer={"name": XSS_NAME, "phone": "+7 701 200 30 41", "language": "ru"},
            items=[{"sku": "X-1", "name": "<i>Диван</i><script>window.__pwned=3</script>",
                    "quantity": 1, "price": "1000.00"}],
        )  # fmt: skip
        CallTask.objects.filter(order=order).update(
            state=CallTaskState.UNREACHABLE, attempts_count=10
        )
        late = intake(
            store, "W-2002", customer={"name": "Ерлан Сейтов", "phone": "+7 701 200 30 42"}
        )
        CallTask.objects.filter(order=late).update(
            state=CallTaskState.CALLBACK, due_at=WORK_MORNING - timedelta(minutes=25)
        )
        intake(store, "W-2003", customer={"name": "Гульнар Ахметова", "phone": "+7 701 200 30 43"})
        intake(store, "W-2004", customer={"name": "Сергей Ким", "phone": "+7 701 200 30 44"})
        later = intake(
            store, "W-2005", customer={"name": "Асель Нурова", "phone": "+7 701 200 30 45"}
        )
        operator_state_set(operator=marat, state=OperatorState.PAUSED, pause_code="lunch")
        operator_state_set(operator=aliya, state=OperatorState.READY)
        claim = call_next_claim(operator=aliya)
        assert claim is not None
        CallTask.objects.filter(order=later).update(
            state=CallTaskState.CALLBACK, due_at=WORK_MORNING - timedelta(minutes=5)
        )

        log_in(page, live_server.url, "sup")
        page.wait_for_selector("#live-board")
        board = page.inner_text("#live-board")
        assert "Мебель Плюс" in board and claim.lease.customer.name in board
        assert XSS_NAME in board
        assert page.evaluate("window.__pwned") is None
        shot(page, "05-supervisor-live")

        page.click(f"#live-board form[action$='/{order.pk}/unreachable/'] button[value=requeue]")
        page.wait_for_selector(
            f"#live-board form[action$='/{order.pk}/unreachable/']", state="detached"
        )
        assert CallTask.objects.get(order=order).state == CallTaskState.QUEUED

        page.goto(f"{live_server.url}/orders/{order.pk}/")
        assert XSS_NAME in page.inner_text("main")
        assert "<i>Диван</i><script>window.__pwned=3</script>" in page.inner_text("main")
        assert page.evaluate("window.__pwned") is None
        shot(page, "06-order-read-only")


def test_supervisor_enrolls_two_factor_and_reaches_the_live_view(live_server, page):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    store, _ = store_create(name="Мебель Плюс", slug="mebel")
    store.require_two_factor = True
    store.save(update_fields=["require_two_factor"])
    user_create(username="marat", role="supervisor", store_slugs=["mebel"], password=PASSWORD)

    log_in(page, live_server.url, "marat")
    page.wait_for_selector(".two-factor-enroll svg path")
    assert "/two-factor/enroll/" in page.url
    device = TOTPDevice.objects.get(user__username="marat", confirmed=False)
    shown = page.inner_text("code.secret").replace(" ", "")
    assert shown == device.config_url.split("secret=")[1].split("&")[0]
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("button[type=submit].primary")

    page.wait_for_selector(".recovery-codes")
    assert page.locator(".recovery-codes li").count() == 10
    page.click("a.primary")
    page.wait_for_url(f"{live_server.url}/live/")
    assert page.csp_errors == []
