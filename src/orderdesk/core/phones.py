"""Phone numbers: parsing to E.164, time zones of a number, masking for logs and screens."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezone

PHONE_INVALID = "invalid_phone"
PHONE_MISSING = "missing"


class PhoneError(ValueError):
    pass


def phone_normalize(raw: str, *, default_region: str = "KZ") -> str:
    """Return E.164 for the ways people write KZ/RU numbers: `+7 701 …`, `8 (701) …`, `7701…`."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError("phone number is missing")
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and len(digits) == 11 and digits[0] == "7":
        text = "+" + digits  # 7701… written without the plus
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(e164: str) -> str | None:
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164))


def phone_timezone_unambiguous(e164: str, *, at: datetime | None = None) -> str | None:
    """The IANA zone of a number when all the zones it may be in agree on the UTC offset now."""
    zones = [z for z in phone_timezone.time_zones_for_number(phonenumbers.parse(e164)) if "/" in z]
    if not zones:
        return None
    moment = at or datetime.now(UTC)
    offsets = {moment.astimezone(ZoneInfo(zone)).utcoffset() for zone in zones}
    return sorted(zones)[0] if len(offsets) == 1 else None


def phone_mask(e164: str) -> str:
    """+77011234567 → +7701***4567: enough to recognise, not enough to dial."""
    if not e164 or len(e164) < 8:
        return "***"
    return f"{e164[:5]}***{e164[-4:]}"
