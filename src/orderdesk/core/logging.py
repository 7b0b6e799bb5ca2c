"""Log records never carry phone numbers in clear."""

import logging
import re

PHONE_PATTERN = re.compile(r"(?<![\w])(\+?\d[\d\s\-()]{8,}\d)")


def mask_phones(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        return f"…{digits[-4:]}" if len(digits) >= 10 else match.group(1)

    return PHONE_PATTERN.sub(mask, text)


class PhoneMaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
