"""The report page and the wallboard in a real browser (Debian's Chromium through Playwright).

Skipped when chromium is not installed (`make browser` installs it)."""

import io
import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import CallAttempt

from .conftest import call

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


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
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="ru-RU", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def log_in_supervisor(page, base_url: str) -> None:
    user, _, _ = user_create(username="sup", role="supervisor", store_slugs=["almaty", "moscow"])
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "sup")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_report_page_filters_charts_and_excel(live_server, page, scenario):
    log_in_supervisor(page, live_server.url)
    page.goto(f"{live_server.url}/reports/")
    page.fill("#id_since_on", "2026-11-10")
    page.fill("#id_until_on", "2026-11-11")
    page.select_option("#id_group_by", "store")
    page.click("#report-filters button[type=submit]")
    rows = page.locator("#kpi-table tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text() == "almaty"
    assert rows.nth(0).locator("td").nth(0).inner_text() == "4"
    charts = page.locator("svg.chart")
    assert charts.count() == 2 and charts.first.is_visible()
    assert charts.first.locator("rect").count() > 2
    assert page.locator("#kpi-table tfoot td").nth(3).inner_text() == "50.0%"  # approval
    # A filter by operator leaves the orders' own figures empty.
    page.select_option("#id_operator", label="op2")
    page.click("#report-filters button[type=submit]")
    assert page.locator("#kpi-table tfoot td").nth(0).inner_text() == ""
    assert page.locator("#kpi-table tfoot td").nth(2).inner_text() == "1"  # cancelled by op2
    with page.expect_download() as download:
        page.click("text=Excel")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert [row[0].value for row in sheet.iter_rows()][:2] == ["store", "almaty"]
    assert page.console_errors == []  # nothing refused by the CSP


def test_wallboard_refreshes_itself(live_server, page, scenario):
    log_in_supervisor(page, live_server.url)
    page.goto(f"{live_server.url}/wallboard/")
    assert not page.locator(".topbar").is_visible()  # full screen for a TV
    calls = page.locator("#calls-today")
    before = int(calls.inner_text())
    assert page.locator("#wall-queue").is_visible()
    call(
        scenario.orders["o4"], operator=scenario.op1, at=timezone.now() - timedelta(seconds=5),
        seconds=3, result="no_answer",
    )  # fmt: skip
    assert CallAttempt.objects.exclude(result="abandoned").count() == 6
    from playwright.sync_api import expect

    expect(calls).to_have_text(str(before + 1), timeout=25_000)  # the next poll (every 15 s)
    assert page.console_errors == []
