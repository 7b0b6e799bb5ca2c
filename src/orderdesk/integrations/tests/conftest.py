"""A real HTTP receiver on 127.0.0.1 for webhook tests, and helpers to make store events."""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orderdesk.integrations.services import webhook_endpoint_create
from orderdesk.orders.models import OrderStatus
from orderdesk.orders.services import order_status_change, orders_intake


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (then `default`), after `delay` seconds."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: deque = field(default_factory=deque)
    default: int = 200
    delay: float = 0.0

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    @property
    def types(self) -> list[str]:
        return [r.document["type"] for r in self.requests]


def _handler(receiver: Receiver, release: threading.Event):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if receiver.delay:
                release.wait(receiver.delay)
            receiver.requests.append(
                Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            status = receiver.statuses.popleft() if receiver.statuses else receiver.default
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def allow_local(settings):
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    settings.ORDERDESK_WEBHOOKS_ALLOW_HTTP = True


@pytest.fixture
def receiver(allow_local):
    receiver = Receiver()
    release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver, release))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/orderdesk"
    yield receiver
    release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(store, receiver):
    return webhook_endpoint_create(store=store, url=receiver.url)


@pytest.fixture
def make_order(store, make_payload):
    def make(external_id: str = "A-1001", **overrides):
        (result,) = orders_intake(
            store=store, payloads=[make_payload(external_id, **overrides)], actor_label="test"
        )
        assert not result.errors, result.errors
        return result.order

    return make


@pytest.fixture
def confirm():
    def run(order):
        return order_status_change(order=order, to=OrderStatus.CONFIRMED, actor_label="test")

    return run
