"""The interface every carrier adapter implements, and the registry of configured adapters."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol


class CarrierError(Exception):
    """The carrier refused or could not be reached; the caller retries later."""


@dataclass(frozen=True)
class CarrierEvent:
    """One status of a parcel as the carrier reports it: its own code, not yet normalised."""

    tracking_number: str
    code: str
    at: datetime
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParcelRequest:
    """What a carrier needs to register a parcel (no more personal data than it needs)."""

    order_number: str
    recipient_name: str
    recipient_phone: str
    locality: str
    address: str
    items: Sequence[tuple[str, str, int, Decimal]]  # sku, name, quantity, price
    cash_to_collect: Decimal
    comment: str = ""


class CarrierAdapter(Protocol):
    code: str

    def parcel_register(self, parcel: ParcelRequest) -> str:
        """Register the parcel; answers the carrier's reference for it."""

    def tracking_read(self, tracking_numbers: Sequence[str]) -> list[CarrierEvent]:
        """Every status the carrier holds for these parcels."""

    def redelivery_request(self, *, tracking_number: str, on: date, address: str) -> None:
        """Ask for another delivery attempt on `on` (at `address` when it changed)."""

    def return_request(self, *, tracking_number: str, reason: str) -> None:
        """Ask for the parcel to go back to the store."""


AdapterFactory = Callable[[], CarrierAdapter | None]
_factories: dict[str, AdapterFactory] = {}


def adapter_register(code: str, factory: AdapterFactory) -> None:
    _factories[code] = factory


def adapter_for(code: str) -> CarrierAdapter | None:
    factory = _factories.get(code)
    return factory() if factory else None
