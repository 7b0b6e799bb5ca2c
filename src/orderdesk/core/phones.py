"""Phone numbers: parsing to E.164, time zones of a number, masking for logs and screens."""

import re
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezone

PHONE_INVALID = "invalid_phone"


class PhoneError(ValueError):
    pass


# Kazakhstan and Russia share +7 and the trunk prefix 8: a national number is ten digits.
TRUNK_PREFIX_REGIONS = frozenset({"KZ", "RU"})
_PLAIN_WRITING = re.compile(r"\+?[\d\s().-]+")


def phone_normalize(raw: str, *, default_region: str = "KZ") -> str:
    """Return E.164 for the ways people write KZ/RU numbers: `+7 701 …`, `8 (701) …`, `7701…`."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError("phone number is missing")
    digits = re.sub(r"\D", "", text)
    national = _plus_seven_national(text, digits, default_region=default_region)
    if national is not None:
        # Most numbers: what parsing would find, without parsing (several times as costly).
        if not phonenumbers.is_valid_number(
            phonenumbers.PhoneNumber(country_code=7, national_number=int(national))
        ):
            raise PhoneError("not a valid phone number")
        return "+7" + national
    if not text.startswith("+") and len(digits) == 11 and digits[0] == "7":
        text = "+" + digits  # 7701… written without the plus
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plus_seven_national(text: str, digits: str, *, default_region: str) -> str | None:
    """The ten-digit national number of a +7 number written only with digits, spaces, brackets,
    dots and dashes: `+7` or `7` then ten digits, or (where the trunk prefix is 8) `8` then ten
    digits or the ten digits alone. None for any other writing, which is left to parsing (`8 10 …`
    is a call abroad)."""
    if not _PLAIN_WRITING.fullmatch(text):
        return None
    if len(digits) == 11 and digits[0] == "7":
        national = digits[1:]
    elif text.startswith("+") or default_region not in TRUNK_PREFIX_REGIONS:
        return None
    elif len(digits) == 11 and digits[0] == "8":
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    else:
        return None
    # No +7 number begins with 0 or 1; after the trunk prefix, 10 is the international one.
    return national if national[0] not in "01" else None


def phone_region(e164: str) -> str | None:
    """The country of an E.164 number. +7 is shared: Kazakhstan holds +7 6xx and +7 7xx."""
    if e164.startswith("+7") and len(e164) == 12:
        return "KZ" if e164[2] in "67" else "RU"
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164))


@cache
def country_zones(country: str) -> tuple[str, ...]:
    """The IANA zones of a country, from the tzdata package's zone.tab."""
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return tuple(row[2] for row in rows if row[0] == country)


def phone_timezone_unambiguous(e164: str, *, at: datetime | None = None) -> str | None:
    """The IANA zone of a number when every zone it may be in agrees on the UTC offset now.

    The candidates are the number's own zones (phonenumbers' geography) within its country; a
    Kazakh number is always unambiguous (one offset since 2024-03-01), a Russian mobile rarely."""
    number = phonenumbers.parse(e164)
    country = phonenumbers.region_code_for_number(number)
    in_country = set(country_zones(country)) if country else set()
    zones = [z for z in phone_timezone.time_zones_for_number(number) if z in in_country] or sorted(
        in_country
    )
    if not zones:
        return None
    moment = at or datetime.now(UTC)
    offsets = {moment.astimezone(ZoneInfo(zone)).utcoffset() for zone in zones}
    return zones[0] if len(offsets) == 1 else None


def phone_mask(e164: str) -> str:
    """+77011234567 → +7701***4567: enough to recognise, not enough to dial."""
    if not e164 or len(e164) < 8:
        return "***"
    return f"{e164[:5]}***{e164[-4:]}"
