"""The risk score of an order taken in: pure, on plain values (architecture: Order screening).

Each reason adds its points; the score is their sum, capped at 100. Two reasons hold the order
for a supervisor's decision instead of the call queue: a blacklisted phone and a phone past the
store's limit of open orders."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

POINTS = {
    "blacklisted": 60,
    "open_orders_limit": 30,
    "cancellations_before": 25,
    "returns_before": 25,
    "region_mismatch": 20,
    "duplicate": 20,
    "new_phone": 10,
}
LABELS = {
    "blacklisted": _("phone on the blacklist"),
    "open_orders_limit": _("too many open orders for this phone"),
    "cancellations_before": _("many cancellations before"),
    "returns_before": _("many returns before"),
    "region_mismatch": _("locality and phone region differ"),
    "duplicate": _("same items ordered recently"),
    "new_phone": _("new phone"),
}
HOLDING_REASONS = frozenset({"blacklisted", "open_orders_limit"})
MANY = 2  # this many cancellations (or returns) before is "many"


@dataclass(frozen=True)
class History:
    """What the store knows of the phone before this order."""

    orders: int = 0
    open_orders: int = 0
    cancelled: int = 0
    returned: int = 0


def risk_reasons(
    *,
    history: History,
    blacklisted: bool,
    open_limit: int,
    phone_country: str | None,
    locality_country: str | None,
    is_duplicate: bool,
) -> list[str]:
    """The reasons, in the order of POINTS (the weightiest first)."""
    found = {
        "blacklisted": blacklisted,
        "open_orders_limit": open_limit > 0 and history.open_orders + 1 > open_limit,
        "cancellations_before": history.cancelled >= MANY,
        "returns_before": history.returned >= MANY,
        "region_mismatch": bool(phone_country and locality_country)
        and phone_country != locality_country,
        "duplicate": is_duplicate,
        "new_phone": history.orders == 0,
    }
    return [code for code in POINTS if found[code]]


def risk_score(reasons: list[str]) -> int:
    return min(sum(POINTS[code] for code in reasons), 100)


def is_held(reasons: list[str]) -> bool:
    return bool(HOLDING_REASONS.intersection(reasons))
