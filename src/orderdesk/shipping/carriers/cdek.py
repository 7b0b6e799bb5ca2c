"""CDEK, API v2: an OAuth 2 token (client credentials), order registration, the order's
statuses, a delivery agreement (redelivery) and a refusal (return).

Configured by `ORDERDESK_CDEK_URL` (default https://api.cdek.ru; the test environment is
https://api.edu.cdek.ru), `ORDERDESK_CDEK_CLIENT_ID` and `ORDERDESK_CDEK_CLIENT_SECRET`; without
credentials the adapter is off. The token is kept until a minute before it expires."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings

from .base import CarrierError, CarrierEvent, ParcelRequest, adapter_register

CODE = "cdek"
TIMEOUT_S = 10
# CDEK's tariff "courier to the door" within a country (an order of the contact center's stores
# is delivered to the customer's address).
TARIFF_DOOR_TO_DOOR = 139


class CdekAdapter:
    code = CODE

    def __init__(self, *, base_url: str, client_id: str, client_secret: str):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"cdek: the base URL must be http(s): {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self._token, self._token_until = "", 0.0

    # -- HTTP ------------------------------------------------------------------------------
    def _send(self, request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise CarrierError(f"cdek: HTTP {exc.code} on {request.full_url}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CarrierError(f"cdek: unreachable ({exc})") from exc
        try:
            return json.loads(body) if body else {}
        except ValueError as exc:
            raise CarrierError("cdek: an answer that is not JSON") from exc

    def _token_get(self) -> str:
        if self._token and time.monotonic() < self._token_until:
            return self._token
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
        ).encode()
        answer = self._send(
            urllib.request.Request(  # noqa: S310 (an http(s) base URL: checked in __init__)
                f"{self.base_url}/v2/oauth/token",
                data=form,
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        )
        if not answer.get("access_token"):
            raise CarrierError("cdek: no access token in the answer")
        self._token = answer["access_token"]
        self._token_until = time.monotonic() + max(int(answer.get("expires_in", 0)) - 60, 0)
        return self._token

    def _call(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        url = f"{self.base_url}{path}"
        if query:
            url = f"{url}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(  # noqa: S310 (an http(s) base URL: checked in __init__)
            url,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Authorization": f"Bearer {self._token_get()}",
                "Content-Type": "application/json",
            },
        )
        answer = self._send(request)
        errors = [r for r in answer.get("requests", []) if r.get("state") == "INVALID"]
        if errors:
            codes = [e.get("code") for r in errors for e in r.get("errors", [])]
            raise CarrierError(f"cdek: request refused {codes}")
        return answer

    # -- the interface ---------------------------------------------------------------------
    def parcel_register(self, parcel: ParcelRequest) -> str:
        body = {
            "type": 1,
            "number": parcel.order_number,
            "tariff_code": TARIFF_DOOR_TO_DOOR,
            "comment": parcel.comment,
            "recipient": {
                "name": parcel.recipient_name,
                "phones": [{"number": parcel.recipient_phone}],
            },
            "to_location": {"city": parcel.locality, "address": parcel.address},
            "delivery_recipient_cost": {"value": float(parcel.cash_to_collect)},
            "packages": [
                {
                    "number": parcel.order_number,
                    "weight": 1000,
                    "items": [
                        {
                            "ware_key": sku,
                            "name": name,
                            "amount": quantity,
                            "cost": float(price),
                            "weight": 1000,
                            "payment": {"value": float(price) if parcel.cash_to_collect else 0},
                        }
                        for sku, name, quantity, price in parcel.items
                    ],
                }
            ],
        }
        answer = self._call("POST", "/v2/orders", body)
        uuid = (answer.get("entity") or {}).get("uuid")
        if not uuid:
            raise CarrierError("cdek: no order uuid in the answer")
        return uuid

    def tracking_read(self, tracking_numbers: Sequence[str]) -> list[CarrierEvent]:
        events = []
        for number in tracking_numbers:
            answer = self._call("GET", "/v2/orders", query={"cdek_number": number})
            for status in (answer.get("entity") or {}).get("statuses", []):
                events.append(
                    CarrierEvent(
                        tracking_number=number,
                        code=str(status.get("code", "")),
                        at=cdek_time(status.get("date_time", "")),
                        raw=status,
                    )
                )
        return events

    def redelivery_request(self, *, tracking_number: str, on: date, address: str) -> None:
        body: dict[str, Any] = {"cdek_number": tracking_number, "date": on.isoformat()}
        if address:
            body["to_location"] = {"address": address}
        self._call("POST", "/v2/delivery", body)

    def return_request(self, *, tracking_number: str, reason: str) -> None:
        answer = self._call("GET", "/v2/orders", query={"cdek_number": tracking_number})
        uuid = (answer.get("entity") or {}).get("uuid")
        if not uuid:
            raise CarrierError("cdek: no such order")
        self._call("POST", f"/v2/orders/{uuid}/refusal", {"reason": reason})


def cdek_time(value: str) -> datetime:
    """CDEK writes `2026-11-25T10:15:00+0500`; Python reads the offset with or without `:`."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError as exc:
        raise CarrierError(f"cdek: a status time that cannot be read: {value!r}") from exc
    return moment


def cdek_from_settings() -> CdekAdapter | None:
    client_id = getattr(settings, "ORDERDESK_CDEK_CLIENT_ID", "")
    client_secret = getattr(settings, "ORDERDESK_CDEK_CLIENT_SECRET", "")
    if not (client_id and client_secret):
        return None
    return CdekAdapter(
        base_url=getattr(settings, "ORDERDESK_CDEK_URL", "") or "https://api.cdek.ru",
        client_id=client_id,
        client_secret=client_secret,
    )


adapter_register(CODE, cdek_from_settings)
