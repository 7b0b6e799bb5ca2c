"""Text normalisation shared by look-ups (locality names) and exports (spreadsheet cells)."""

import re

SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Case-insensitive, ё = е, dashes and repeated spaces folded: the key names are matched on."""
    text = (name or "").strip().casefold().replace("ё", "е").replace("—", "-").replace("–", "-")
    text = SPACES.sub(" ", text)
    return text.replace(" - ", "-")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (CSV/Excel injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
