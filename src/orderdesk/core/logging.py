"""Log records never carry phone numbers in clear."""

import logging
import re

PHONE_PATTERN = re.compile(r"(?<![\w])(\+?\d[\d\s\-()]{8,}\d)")


def mask_phones(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        return f"…{digits[-4:]}" if len(digits) >= 10 else match.group(1)

    return PHONE_PATTERN.sub(mask, text)


_TRACEBACKS = logging.Formatter()


class PhoneMaskFilter(logging.Filter):
    """Masks the message, and the traceback and stack a record carries: formatted here once and
    kept on the record (`exc_text`), which every formatter then prints instead of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_phones(record.stack_info)
        return True
