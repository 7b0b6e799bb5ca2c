"""The CDEK adapter against responses recorded in the shape of CDEK's API v2 documentation,
served by a local HTTP server on 127.0.0.1 (the adapter's base URL points at it)."""

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from orderdesk.shipping.carriers import CarrierError, ParcelRequest, adapter_for
from orderdesk.shipping.carriers.cdek import CdekAdapter
from orderdesk.shipping.models import DeliveryProblem, Shipment, TrackingEvent
from orderdesk.shipping.services import shipment_record
from orderdesk.shipping.services.carrier_sync import carrier_events_record, carrier_tracking_poll

RECORDED = Path(__file__).parent / "cdek"
ROUTES = {
    ("POST", "/v2/oauth/token"): "oauth_token.json",
    ("POST", "/v2/orders"): "order_create.json",
    ("GET", "/v2/orders"): "order_info.json",
    ("POST", "/v2/delivery"): "delivery_agreement.json",
    ("POST", "/v2/orders/72753031-3c87-4f2e-8a2b-5e4f1d9c0a11/refusal"): "refusal.json",
}


class Cdek:
    def __init__(self):
        self.requests: list[dict] = []
        self.overrides: dict[tuple[str, str], tuple[int, str]] = {}
        self.url = ""


def _handler(cdek: Cdek):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str):
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            cdek.requests.append({"method": method, "path": parts.path,
                                  "query": parse_qs(parts.query), "body": body,
                                  "authorization": self.headers.get("Authorization", "")})  # fmt: skip
            status, name = cdek.overrides.get(
                (method, parts.path), (200, ROUTES.get((method, parts.path), ""))
            )
            if not name:
                status, payload = 404, b'{"requests": [{"state": "INVALID"}]}'
            else:
                payload = (RECORDED / name).read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def cdek():
    recorder = Cdek()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield recorder
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def adapter(cdek) -> CdekAdapter:
    return CdekAdapter(base_url=cdek.url, client_id="test-client", client_secret="test-secret")


def test_registers_an_order_with_one_token(cdek, adapter):
    parcel = ParcelRequest(
        order_number="A-1001", recipient_name="Айгуль Тестова", recipient_phone="+77011234567",
        locality="Алматы", address="Абая, 10, кв. 25", cash_to_collect=Decimal("259990.00"),
        items=[("HRF-450", "Холодильник", 1, Decimal("259990.00"))],
    )  # fmt: skip
    assert adapter.parcel_register(parcel) == "72753031-3c87-4f2e-8a2b-5e4f1d9c0a11"
    assert adapter.parcel_register(parcel) == "72753031-3c87-4f2e-8a2b-5e4f1d9c0a11"
    token, first, second = cdek.requests
    assert (token["method"], token["path"]) == ("POST", "/v2/oauth/token")
    assert parse_qs(token["body"].decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["test-client"],
        "client_secret": ["test-secret"],
    }
    assert first["authorization"] == "Bearer eyJhbGciOiJSUzI1NiJ9.recorded.signature"
    sent = json.loads(first["body"])
    assert (sent["number"], sent["tariff_code"], sent["recipient"]["phones"]) == (
        "A-1001", 139, [{"number": "+77011234567"}]
    )  # fmt: skip
    assert sent["delivery_recipient_cost"] == {"value": 259990.0}
    assert second["authorization"] == first["authorization"]


def test_a_refused_request_is_a_carrier_error(cdek, adapter):
    cdek.overrides[("POST", "/v2/orders")] = (400, "order_create_invalid.json")
    parcel = ParcelRequest("A-1", "Тест", "+77010000000", "Алматы", "Абая, 1", [], Decimal(0))
    with pytest.raises(CarrierError, match="HTTP 400"):
        adapter.parcel_register(parcel)
    cdek.overrides[("POST", "/v2/orders")] = (200, "order_create_invalid.json")
    with pytest.raises(CarrierError, match="v2_field_is_empty"):
        adapter.parcel_register(parcel)


def test_an_unreachable_carrier_is_a_carrier_error():
    adapter = CdekAdapter(base_url="http://127.0.0.1:9", client_id="a", client_secret="b")
    with pytest.raises(CarrierError, match="unreachable"):
        adapter.tracking_read(["1"])


def test_reads_statuses_with_their_offsets(adapter, cdek):
    events = adapter.tracking_read(["1106207236"])
    assert cdek.requests[-1]["query"] == {"cdek_number": ["1106207236"]}
    assert [(e.code, e.at.isoformat()) for e in events][:2] == [
        ("TAKEN_BY_COURIER", "2026-11-25T09:12:00+05:00"),
        ("RECEIVED_AT_SHIPMENT_WAREHOUSE", "2026-11-24T17:40:00+05:00"),
    ]
    assert events[0].raw["name"] == "Выдан на доставку"


def test_redelivery_and_return_reach_their_endpoints(adapter, cdek):
    adapter.redelivery_request(
        tracking_number="1106207236", on=date(2026, 11, 27), address="Абая, 10"
    )
    adapter.return_request(tracking_number="1106207236", reason="refused")
    paths = [(r["method"], r["path"]) for r in cdek.requests]
    assert paths == [
        ("POST", "/v2/oauth/token"),
        ("POST", "/v2/delivery"),
        ("GET", "/v2/orders"),
        ("POST", "/v2/orders/72753031-3c87-4f2e-8a2b-5e4f1d9c0a11/refusal"),
    ]
    assert json.loads(cdek.requests[1]["body"]) == {
        "cdek_number": "1106207236", "date": "2026-11-27", "to_location": {"address": "Абая, 10"}
    }  # fmt: skip


@pytest.mark.django_db
def test_polled_statuses_are_mapped_by_the_admin_table_and_applied_in_order(
    clock, cdek, settings, confirmed_order
):
    from orderdesk.delivery.models import Carrier

    Carrier.objects.create(code="cdek", name="СДЭК")
    settings.ORDERDESK_CDEK_URL = cdek.url
    settings.ORDERDESK_CDEK_CLIENT_ID, settings.ORDERDESK_CDEK_CLIENT_SECRET = "id", "secret"
    assert isinstance(adapter_for("cdek"), CdekAdapter)
    order = confirmed_order()
    shipment_record(order=order, carrier_code="cdek", tracking_number="1106207236")
    assert carrier_tracking_poll(carrier_code="cdek") == 4  # the unmapped code is skipped
    shipment = Shipment.objects.get(order=order)
    kept = list(TrackingEvent.objects.filter(shipment=shipment).values_list("raw_code", "status"))
    assert sorted(kept) == sorted([
        ("CREATED", "info_received"), ("RECEIVED_AT_SHIPMENT_WAREHOUSE", "in_transit"),
        ("TAKEN_BY_COURIER", "out_for_delivery"),
        ("RETURNED_TO_RECIPIENT_CITY_WAREHOUSE", "failed_attempt"),
    ])  # fmt: skip
    assert (shipment.status, shipment.status_at.isoformat()) == (
        "failed_attempt", "2026-11-25T10:30:00+00:00"
    )  # fmt: skip
    assert DeliveryProblem.objects.get(order=order).reason == "customer_absent"
    assert carrier_tracking_poll(carrier_code="cdek") == 0  # the same statuses again: repeats
    assert carrier_events_record(carrier_code="cdek", events=[]) == 0
