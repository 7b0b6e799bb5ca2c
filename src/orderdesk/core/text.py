"""Text normalisation for look-ups: locality names are matched on a folded key."""

import re

SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Case-insensitive, ё = е, dashes and repeated spaces folded: the key names are matched on."""
    text = (name or "").strip().casefold().replace("ё", "е").replace("—", "-").replace("–", "-")
    text = SPACES.sub(" ", text)
    return text.replace(" - ", "-")
