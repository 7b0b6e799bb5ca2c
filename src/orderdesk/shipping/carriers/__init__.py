"""Carrier adapters behind one interface (`base.CarrierAdapter`); `adapter_for(code)` answers the
configured adapter of a carrier, or None when the product has none for it (the store then
posts its events and hears the decisions through its webhooks)."""

from .base import CarrierAdapter, CarrierError, CarrierEvent, ParcelRequest, adapter_for

__all__ = ["CarrierAdapter", "CarrierError", "CarrierEvent", "ParcelRequest", "adapter_for"]

from . import cdek  # noqa: F401  (registers the CDEK adapter)
