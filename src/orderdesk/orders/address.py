"""Splitting a free-text address line into fields, only where each part is marked unambiguously."""

import re

from django.utils.translation import gettext as _

# Marker words (Russian and Kazakh) that say which field a comma-separated part is.
FIELD_MARKERS: dict[str, tuple[str, ...]] = {
    "street": ("улица", "ул", "проспект", "пр-т", "пр", "переулок", "пер", "бульвар", "б-р",
               "шоссе", "ш", "микрорайон", "мкр", "мкрн", "көшесі", "даңғылы", "шағын аудан"),
    "house": ("дом", "д", "үй"),
    "apartment": ("квартира", "кв", "пәтер"),
    "entrance": ("подъезд", "под", "п", "кіреберіс"),
    "floor": ("этаж", "эт", "қабат"),
    "intercom": ("домофон", "код домофона", "код"),
}  # fmt: skip
# The longest value each field's column keeps (Order): a longer part is not an address field,
# so the line stays for the operator to read rather than break the order's insert.
FIELD_MAX_LENGTH = {
    "street": 200, "house": 50, "apartment": 50, "entrance": 50, "floor": 50, "intercom": 50,
}  # fmt: skip
HOUSE_NUMBER = re.compile(r"^\d+[а-яa-z]?(?:/\d+[а-яa-z]?)?$", re.I)


def _marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
    # A marker is a whole word: "домофон 5" is an intercom, not the house "офон 5" after "дом".
    return re.compile(
        rf"^(?:{words})(?![^\W\d_])\.?\s*(?P<value>.+)$|^(?P<before>.+?)\s+(?:{words})\.?$", re.I
    )


PATTERNS = {field: _marker_pattern(markers) for field, markers in FIELD_MARKERS.items()}


def _classify(part: str) -> tuple[str, str] | None:
    for field, pattern in PATTERNS.items():
        match = pattern.match(part)
        if not match:
            continue
        value = (match.group("value") or match.group("before") or "").strip()
        if field == "street":
            return field, part.strip()  # a street keeps its marker: "пр. Достык"
        return (field, value) if value else None
    return None


def address_line_split(line: str, *, locality_names: tuple[str, ...] = ()) -> dict[str, str]:
    """Fields found in `line`; a field is left out when it is unmarked or marked twice."""
    found: dict[str, list[str]] = {}
    folded_localities = {n.casefold() for n in locality_names}
    previous = None
    for part in (p.strip() for p in (line or "").split(",")):
        if not part or part.casefold().removeprefix("г.").strip() in folded_localities:
            continue
        classified = _classify(part)
        if classified is None and previous == "street" and HOUSE_NUMBER.match(part):
            classified = ("house", part)  # "ул. Абая, 10"
        if classified is None:
            return {}  # an unmarked part makes the whole line ambiguous: the operator completes it
        found.setdefault(classified[0], []).append(classified[1])
        previous = classified[0]
    return {
        field: values[0]
        for field, values in found.items()
        if len(values) == 1 and len(values[0]) <= FIELD_MAX_LENGTH[field]
    }


def order_address_text(order) -> str:
    """The address as the courier reads it, from the structured fields (else as given): the
    call card and the carrier's documents print the same line."""
    parts = [order.locality.name_ru if order.locality_id else order.locality_name]
    labelled = [
        (order.street, ""),
        (order.house, _("house")),
        (order.apartment, _("apt.")),
        (order.entrance, _("entrance")),
        (order.floor, _("floor")),
        (order.intercom, _("intercom")),
    ]
    parts += [f"{label} {value}".strip() for value, label in labelled if value]
    if len(parts) == 1 and order.address_line:
        parts.append(order.address_line)
    return ", ".join(parts)
