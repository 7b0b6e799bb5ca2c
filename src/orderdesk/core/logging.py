"""Log records never carry phone numbers or inbound URL tokens in clear."""

import logging
import re

# A platform's inbound URL carries its credential (kept only as a digest): logs show its start.
INBOUND_TOKEN = re.compile(r"(/api/v1/inbound/[^/?\s]{0,6})[^/?\s]*")
PHONE_PATTERN = re.compile(r"(?<![\w])(\+?\d[\d\s\-()]{8,}\d)")


def mask_phones(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        return f"…{digits[-4:]}" if len(digits) >= 10 else match.group(1)

    return PHONE_PATTERN.sub(mask, text)


def log_text_mask(text: str) -> str:
    """Phone numbers and inbound URL tokens, as every log line shows them."""
    return mask_phones(INBOUND_TOKEN.sub(r"\1…", text))


_TRACEBACKS = logging.Formatter()


class PhoneMaskFilter(logging.Filter):
    """Masks the message, and the traceback and stack a record carries: formatted here once and
    kept on the record (`exc_text`), which every formatter then prints instead of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = log_text_mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = log_text_mask(record.exc_text)
        if record.stack_info:
            record.stack_info = log_text_mask(record.stack_info)
        return True
