"""The delivery router: the dates a confirmation may promise (architecture: Delivery promise; Interfaces)."""

import re
from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from orderdesk.core.errors import NotFoundError, ValidationFailed
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import DATE_OUT_OF_RANGE, date_in_range, date_range_message

from .selectors import (
    NO_DELIVERY_ZONE,
    carrier_by_code,
    delivery_dates_for,
    localities_named,
)

router = Router(tags=["delivery"])

LOCALITY_NOT_FOUND = "locality_not_found"
CARRIER_NOT_FOUND = "carrier_not_found"
AT_INVALID = "invalid_datetime"
AT_NAIVE = "timezone_missing"
LOCALITY_AMBIGUOUS = "locality_ambiguous"
# An unencoded "+05:00" in a query string arrives as " 05:00".
_PLUS_LOST = re.compile(r"^(\S+T[\d:.]+) (\d{2}(:?\d{2})?)$")


class ZoneOut(Schema):
    carrier: str
    carrier_name: str
    country: str
    locality: str = Field(description="the locality's name, or * for the country-wide row")
    lead_days: int
    cutoff: str | None = Field(description="local HH:MM; null when there is no cut-off")
    weekdays: list[int] = Field(description="ISO weekdays, 1 is Monday")
    skips_holidays: bool
    intervals: list[str]


class LocalityOut(Schema):
    name: str
    country: str


class DeliveryDatesOut(Schema):
    earliest: date
    allowed: list[date]
    timezone: str
    carrier: str
    zone: ZoneOut
    locality: LocalityOut


@router.get(
    "/dates",
    response={200: DeliveryDatesOut, **error_responses(401, 404, 422)},
    summary="The delivery dates a confirmation at `at` may promise for a locality",
    description=(
        "`at` is an ISO 8601 instant with a UTC offset (default: now). Without `carrier`, the "
        "carrier that delivers earliest is used. `country` (KZ, RU) settles a name that exists "
        "in both countries."
    ),
)
def delivery_dates_get(
    request: HttpRequest,
    locality: str = Query(..., description="any name of the locality", example="Алматы"),
    at: str | None = Query(
        None,
        description="the confirmation instant, ISO 8601 with a UTC offset",
        example="2026-11-24T11:59:00+05:00",
    ),
    carrier: str | None = Query(None, description="a carrier code, e.g. garanta"),
    country: str | None = Query(None, description="KZ or RU"),
):
    found = _locality(name=locality, country=country)
    if carrier and carrier_by_code(code=carrier) is None:
        raise NotFoundError(
            CARRIER_NOT_FOUND, _("No carrier %(code)r.") % {"code": carrier}, carrier=carrier
        )
    dates = delivery_dates_for(locality=found, at=_instant(at), carrier_code=carrier or None)
    if dates is None:
        raise NotFoundError(
            NO_DELIVERY_ZONE,
            _("No delivery zone serves %(locality)s.") % {"locality": found.name_ru},
            locality=found.name_ru,
        )
    return {
        **dates.as_dict(),
        "locality": {"name": found.name_ru, "country": found.country},
    }


def _locality(*, name: str, country: str | None):
    found = localities_named(name=name, country=country.upper() if country else None)
    if not found:
        raise NotFoundError(
            LOCALITY_NOT_FOUND, _("No locality %(name)r.") % {"name": name}, locality=name
        )
    if len(found) > 1:
        raise ValidationFailed(
            [
                {
                    "field": "locality",
                    "code": LOCALITY_AMBIGUOUS,
                    "message": _("%(name)r names several localities: add country (%(countries)s).")
                    % {"name": name, "countries": ", ".join(sorted({f.country for f in found}))},
                }
            ]
        )
    return found[0]


def _instant(text: str | None) -> datetime:
    if not text:
        return timezone.now()
    text = _PLUS_LOST.sub(r"\1+\2", text.strip())
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(
            [{"field": "at", "code": AT_INVALID, "message": _("not an ISO 8601 date and time")}]
        ) from exc
    if not date_in_range(at):
        raise ValidationFailed(
            [{"field": "at", "code": DATE_OUT_OF_RANGE, "message": date_range_message()}]
        )
    if at.tzinfo is None:
        raise ValidationFailed(
            [
                {
                    "field": "at",
                    "code": AT_NAIVE,
                    "message": _("give the UTC offset, e.g. 2026-11-24T11:59:00+05:00"),
                }
            ]
        )
    return at
