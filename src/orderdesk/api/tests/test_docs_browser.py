"""The API docs in a real browser: Swagger UI renders under the Content-Security-Policy, with
no violation and no request to another origin. Skipped when chromium is not installed.

The app is served from a plain WSGI server rather than pytest-django's live server: the docs
need no database, and a live-server test empties the tables when it ends, reference data
included, under the tests that run after it. Any database access here fails the test."""

import shutil
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application

from orderdesk.workspace.tests.test_browser import CHROMIUM_ARGS

pytestmark = pytest.mark.browser


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def app_url():
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


# Registered before the page's own scripts run; the browser reports every blocked resource.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def page():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.add_init_script(RECORD_VIOLATIONS)
        yield page
        browser.close()


def test_swagger_ui_renders_under_the_policy(app_url, page):
    errors, requested = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{app_url}/api/v1/docs")
    page.wait_for_selector("#operations-orders-orderdesk_orders_apis_order_create")
    page.click("#operations-orders-orderdesk_orders_apis_order_create .opblock-summary")
    page.wait_for_selector(".opblock.is-open .responses-table")
    schema = page.locator(".models article").filter(has=page.get_by_text("OrderOut", exact=True))
    schema.locator(".json-schema-2020-12-accordion").first.click()
    schema.get_by_text("external_id", exact=True).first.wait_for()

    assert page.locator(".opblock").count() >= 20
    assert page.evaluate("window.__violations") == []
    assert errors == []
    assert [url for url in requested if not url.startswith(app_url)] == []
