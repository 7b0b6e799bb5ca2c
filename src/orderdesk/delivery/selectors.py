from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Protocol

from django.db.models import Q
from django.utils.translation import gettext as _

from orderdesk.core.text import name_key

from .models import Carrier, DeliveryZone, Locality, LocalityName
from .promise import DeliveryDates, DeliveryTerms, delivery_dates

logger = logging.getLogger(__name__)


class OrderDestination(Protocol):
    """What the date rules read of an order. Described here rather than imported: orders sits
    above delivery (its intake calls these selectors), and delivery knows nothing of it."""

    pk: Any
    locality_id: int | None
    locality: Locality | None
    locality_name: str
    carrier_id: int | None
    carrier: Carrier | None


def locality_match(*, name: str, country: str | None = None) -> Locality | None:
    """Find a locality by any of its names (case, ё/е and spaces ignored)."""
    key = name_key(name)
    if not key:
        return None
    names = LocalityName.objects.filter(key=key).select_related("locality")
    if country:
        names = names.filter(locality__country=country)
    matches = {n.locality_id: n.locality for n in names}
    return next(iter(matches.values())) if len(matches) == 1 else None


class LocalityIndex:
    """All locality names in memory, for matching a batch of orders with one query."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[Locality]] = {}
        localities = {loc.pk: loc for loc in Locality.objects.all()}
        for locality_id, key in LocalityName.objects.values_list("locality_id", "key"):
            self._by_key.setdefault(key, []).append(localities[locality_id])

    def match(self, name: str, country: str | None = None) -> Locality | None:
        candidates = self.candidates(name, country)
        return candidates[0] if len(candidates) == 1 else None

    def candidates(self, name: str, country: str | None = None) -> list[Locality]:
        """Every locality known by this name (in the country, when given)."""
        candidates = self._by_key.get(name_key(name), [])
        if country:
            candidates = [c for c in candidates if c.country == country]
        return candidates


def localities_named(*, name: str, country: str | None = None) -> list[Locality]:
    """Every locality known by this name (in the country, when given)."""
    key = name_key(name)
    if not key:
        return []
    localities = Locality.objects.filter(names__key=key).distinct()
    if country:
        localities = localities.filter(country=country)
    return list(localities.order_by("country", "name_ru"))


def carrier_by_code(*, code: str) -> Carrier | None:
    return Carrier.objects.filter(code=code).first()


def carriers_active_by_code() -> dict[str, Carrier]:
    return {carrier.code: carrier for carrier in Carrier.objects.filter(is_active=True)}


# Delivery zones and dates ----------------------------------------------------------------------

DELIVERY_DATE_MISSING = "delivery_date_missing"
DELIVERY_DATE_NOT_ALLOWED = "delivery_date_not_allowed"
NO_DELIVERY_ZONE = "no_delivery_zone"


class DeliveryZoneIndex:
    """Active zones of active carriers in memory: one query for a batch of orders.

    Every zone by default (intake batches); only what serves `localities` when given (one order,
    one API call)."""

    def __init__(self, *, localities: list[Locality] | None = None) -> None:
        self._by_locality: dict[tuple[int, int], DeliveryTerms] = {}
        self._by_country: dict[tuple[int, str], DeliveryTerms] = {}
        self._carriers: dict[int, str] = {}
        self._dates: dict[tuple, DeliveryDates | None] = {}  # a batch shares one instant
        zones = DeliveryZone.objects.filter(is_active=True, carrier__is_active=True)
        if localities is not None:
            zones = zones.filter(
                Q(locality__in=[loc.pk for loc in localities])
                | Q(locality__isnull=True, country__in={loc.country for loc in localities})
            )
        for zone in zones.select_related("carrier", "locality"):
            try:
                terms = zone.terms()
            except ValueError:  # written around validation; intake must go on without it
                logger.exception("delivery zone %s has unreadable terms; skipped", zone.pk)
                continue
            self._carriers[zone.carrier_id] = zone.carrier.code
            if zone.locality_id:
                self._by_locality[(zone.carrier_id, zone.locality_id)] = terms
            else:
                self._by_country[(zone.carrier_id, zone.country)] = terms

    def terms_for(
        self, *, locality: Locality, carrier_code: str | None = None
    ) -> list[DeliveryTerms]:
        """Per carrier, the locality's own row, else its country's `*` row."""
        found = []
        for carrier_id, code in sorted(self._carriers.items(), key=lambda item: item[1]):
            if carrier_code is not None and code != carrier_code:
                continue
            terms = self._by_locality.get((carrier_id, locality.pk)) or self._by_country.get(
                (carrier_id, locality.country)
            )
            if terms is not None:
                found.append(terms)
        return found

    def dates_for(
        self, *, locality: Locality, at: datetime, carrier_code: str | None = None
    ) -> DeliveryDates | None:
        """The earliest-serving carrier's dates (ties: carrier code order); None when none serves."""
        key = (locality.pk, at, carrier_code)
        if key not in self._dates:
            candidates = [
                delivery_dates(terms=terms, at=at, timezone=locality.timezone)
                for terms in self.terms_for(locality=locality, carrier_code=carrier_code)
            ]
            self._dates[key] = min(candidates, key=lambda dates: dates.earliest, default=None)
        return self._dates[key]


def delivery_terms_for(
    *, locality: Locality, carrier_code: str | None = None
) -> list[DeliveryTerms]:
    """The zones serving a locality, one per carrier (its own row before its country's `*`)."""
    zones = DeliveryZoneIndex(localities=[locality])
    return zones.terms_for(locality=locality, carrier_code=carrier_code)


def delivery_dates_for(
    *,
    locality: Locality,
    at: datetime,
    carrier_code: str | None = None,
    zones: DeliveryZoneIndex | None = None,
) -> DeliveryDates | None:
    """Allowed dates for a locality; `zones` preloaded by batch callers, else read now."""
    zones = zones if zones is not None else DeliveryZoneIndex(localities=[locality])
    return zones.dates_for(locality=locality, at=at, carrier_code=carrier_code)


def delivery_earliest_on(
    *,
    locality: Locality | None,
    at: datetime,
    carrier_code: str | None = None,
    zones: DeliveryZoneIndex,
) -> date | None:
    """The earliest date a confirmation at `at` could promise (intake shows it on the order)."""
    if locality is None:
        return None
    dates = zones.dates_for(locality=locality, at=at, carrier_code=carrier_code)
    return dates.earliest if dates else None


def order_delivery_dates(*, order: OrderDestination, at: datetime) -> DeliveryDates | None:
    """The dates a confirmation of this order at `at` may promise: its carrier's when it names
    one, else whichever carrier delivers earliest; None when no zone serves its locality."""
    if order.locality_id is None:
        return None
    carrier_code = order.carrier.code if order.carrier_id else None
    return delivery_dates_for(locality=order.locality, at=at, carrier_code=carrier_code)


def order_delivery_date_errors(
    *, order: OrderDestination, delivery_on: date | None, at: datetime
) -> list[dict]:
    """Why `delivery_on` cannot be promised for this order at `at`: empty when it can."""
    dates = order_delivery_dates(order=order, at=at)
    if dates is not None and delivery_on in dates.allowed:
        return []
    if dates is None:
        code = NO_DELIVERY_ZONE
        message = _("No delivery zone serves %(locality)s.") % {
            "locality": order.locality.name_ru if order.locality_id else order.locality_name
        }
    elif delivery_on is None:
        code = DELIVERY_DATE_MISSING
        message = _("Choose a delivery date; the earliest is %(earliest)s.") % {
            "earliest": dates.earliest.isoformat()
        }
    else:
        code = DELIVERY_DATE_NOT_ALLOWED
        message = _("%(date)s is not an allowed delivery date; the earliest is %(earliest)s.") % {
            "date": delivery_on.isoformat(),
            "earliest": dates.earliest.isoformat(),
        }
    return [
        {
            "field": f"orders[{order.pk}].delivery_date",
            "code": code,
            "message": str(message),
            "order": str(order.pk),
            "earliest": dates.earliest.isoformat() if dates else None,
            "allowed": [day.isoformat() for day in dates.allowed] if dates else [],
        }
    ]
