import io
import logging

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
