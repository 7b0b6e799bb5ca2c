import io
import logging
import random

import phonenumbers
import pytest

from orderdesk.core.logging import PhoneMaskFilter, mask_phones
from orderdesk.core.phones import (
    PhoneError,
    phone_mask,
    phone_normalize,
    phone_timezone_unambiguous,
)


@pytest.mark.parametrize(
    "written",
    [
        "+7 701 123 45 67",
        "8 (701) 123-45-67",
        "87011234567",
        "77011234567",
        "7 701 1234567",
        "+7(701)1234567",
    ],
)
def test_kazakh_mobile_written_the_usual_ways(written):
    assert phone_normalize(written) == "+77011234567"


@pytest.mark.parametrize(
    "written", ["+7 916 123-45-67", "8 (916) 123 45 67", "79161234567", "8-916-123-45-67"]
)
def test_russian_mobile_written_the_usual_ways(written):
    assert phone_normalize(written, default_region="RU") == "+79161234567"


def test_russian_number_parses_with_kazakh_default_region():
    assert phone_normalize("8 (916) 123 45 67", default_region="KZ") == "+79161234567"


@pytest.mark.parametrize("written", ["", "   ", "12345", "not a phone", "+7 000 000 00 00"])
def test_rejects_what_is_not_a_phone(written):
    with pytest.raises(PhoneError):
        phone_normalize(written)


def test_kazakh_number_time_zone_is_unambiguous_since_2024():
    assert phone_timezone_unambiguous("+77011234567") == "Asia/Almaty"
    assert phone_timezone_unambiguous("+77172123456") == "Asia/Almaty"


def test_russian_mobile_time_zone_is_ambiguous():
    assert phone_timezone_unambiguous("+79161234567") is None


def test_mask_keeps_country_operator_and_last_digits():
    assert phone_mask("+77011234567") == "+7701***4567"


def test_log_records_never_carry_phone_numbers():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "calling %s now", ("+7 701 123 45 67",), None
    )
    PhoneMaskFilter().filter(record)
    assert "123 45 67" not in record.getMessage()
    assert record.getMessage() == "calling …4567 now"
    assert mask_phones("order 12345 total 259990") == "order 12345 total 259990"


def test_tracebacks_in_log_records_never_carry_phone_numbers():
    """A crash logged with its traceback (a failed job, a 500) may have a phone number in the
    exception's message, e.g. a database constraint naming the duplicate value."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PhoneMaskFilter())
    logger = logging.getLogger("orderdesk.tests.masking")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("Key (store_id, phone)=(1, +77011234567) already exists.")
        except ValueError:
            logger.exception("periodic job %s failed", "intake")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "periodic job intake failed" in output
    assert "ValueError: Key (store_id, phone)=(1, …4567) already exists." in output
    assert "7011234567" not in output


def _parsed_e164(written: str, region: str) -> str | None:
    """What phonenumbers' own parsing makes of a writing (None: not a valid number)."""
    digits = "".join(ch for ch in written if ch.isdigit())
    text = written.strip()
    if not text.startswith("+") and len(digits) == 11 and digits[0] == "7":
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_plus_seven_numbers_come_out_as_parsing_makes_them():
    """Plain +7 writings skip parsing: for thousands of numbers (valid or not, KZ and RU ranges,
    every usual writing, three default regions) the result is what parsing gives."""
    rng = random.Random(7)
    writings = [
        "+7 {a} {b} {c} {d}",
        "+7({a}){b}{c}{d}",
        "8 ({a}) {b}-{c}-{d}",
        "8{a}{b}{c}{d}",
        "7{a}{b}{c}{d}",
        "7 {a} {b}{c}{d}",
        "{a} {b} {c} {d}",
        "{a}.{b}.{c}.{d}",
        "+8 {a} {b} {c} {d}",
        "8 {a} {b} {c}",
    ]
    outcomes = {"valid": 0, "refused": 0}
    for _ in range(3000):
        prefix = rng.choice(["701", "705", "747", "777", "7172", "916", "495", "812", "800", ""])
        national = prefix + "".join(rng.choice("0123456789") for _ in range(10 - len(prefix)))
        parts = {"a": national[:3], "b": national[3:6], "c": national[6:8], "d": national[8:]}
        written = rng.choice(writings).format(**parts)
        for region in ("KZ", "RU", "DE"):
            expected = _parsed_e164(written, region)
            if expected is None:
                with pytest.raises(PhoneError):
                    phone_normalize(written, default_region=region)
                outcomes["refused"] += 1
            else:
                assert phone_normalize(written, default_region=region) == expected, written
                outcomes["valid"] += 1
    assert min(outcomes.values()) > 1000, outcomes
