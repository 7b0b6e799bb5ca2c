"""The checks a call's outcome must pass, each naming its field, with their error codes.

One module for the API's outcome (services.outcomes) and the operator's card (workspace.card),
which shows the same checks before the button is pressed. Reads only; no writes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.delivery.selectors import order_delivery_date_errors
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

from .models import CallingPolicy, CallResult
from .rules import check_callback_first_day, window_next_open
from .selectors import address_check_state, holidays_for

OUTCOME_RESULT_INVALID = "outcome_result_invalid"
CALLBACK_AT_MISSING = "callback_at_missing"
CALLBACK_AT_PAST = "callback_at_past"
CALLBACK_AT_TOO_FAR = "callback_at_too_far"
CALLBACK_OUTSIDE_WINDOW = "callback_outside_window"
CANCEL_REASON_INVALID = "cancel_reason_invalid"
DECISION_MISSING = "decision_missing"
DECISION_INVALID = "decision_invalid"
DECISION_UNKNOWN_ORDER = "decision_unknown_order"
ADDRESS_FIELD_MISSING = "address_field_required_for_apartment"
ADDRESS_FIELD_REQUIRED = "address_field_required"
ADDRESS_CHECK_REQUIRED = "address_check_required"
ORDER_CONFIRMED_BY_CUSTOMER = "order_confirmed_by_customer"
# The actor label of a change the customer made themselves (their private page).
CUSTOMER_ACTOR = "customer"
ADDRESS_NOT_DELIVERABLE = "address_not_deliverable"
DELIVERY_DATE_MOVED_BY_CHECK = "delivery_date_moved_after_check"
ADDRESS_CODES = frozenset({ADDRESS_FIELD_REQUIRED, ADDRESS_FIELD_MISSING})
CALLBACK_MAX_AHEAD = timedelta(days=30)
# Seed 002: "Обязательно должны быть заполнены: улица, № дома, № подъезда, этаж, домофон" —
# street and house for every address, the rest where there are entrances and floors.
ADDRESS_FIELDS = ("street", "house")
APARTMENT_FIELDS = ("entrance", "floor", "intercom")


class Decision:
    CONFIRM = "confirm"
    CANCEL = "cancel"
    # a delivery problem's call (`resolved`): deliver again, or send the parcel back
    REDELIVER = "redeliver"
    RETURN = "return"


@dataclass(frozen=True)
class OrderDecision:
    """For a `confirmed` outcome: what happens to one held order."""

    order_id: str
    decision: str
    delivery_on: date | None = None
    reason: str = ""
    address: dict[str, str] | None = None


def check_error(field_name: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message, **extra}


def outcome_errors(
    *,
    orders: list[Order],
    policy: CallingPolicy,
    result: str,
    callback_at: datetime | None,
    reason: str,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> list[dict[str, Any]]:
    """Every check the outcome `result` must pass for the orders a call decides."""
    if result == CallResult.CALLBACK or (
        result == CallResult.PENDING_CHECK and callback_at is not None
    ):
        return callback_at_errors(orders=orders, policy=policy, callback_at=callback_at, at=at)
    if result == CallResult.CANCELLED:
        return reason_errors(policy=policy, reason=reason, field_name="reason")
    if result == CallResult.CONFIRMED:
        return decision_errors(orders=orders, policy=policy, decisions=decisions, at=at)
    if result == CallResult.RESOLVED and orders:
        message = _("Decide this order too: confirm or cancel.")
        return [
            check_error(f"orders[{o.pk}]", DECISION_MISSING, message, order=str(o.pk))
            for o in orders
        ]
    return []


def callback_at_errors(
    *, orders: Sequence[Any], policy: CallingPolicy, callback_at: datetime | None, at: datetime
) -> list[dict[str, Any]]:
    """A callback time must be ahead, within 30 days, and inside every held order's window
    in the customer's local time (the error names the next window start)."""
    if callback_at is None:
        return [check_error("callback_at", CALLBACK_AT_MISSING, _("Give the time to call back."))]
    if timezone.is_naive(callback_at):
        callback_at = timezone.make_aware(callback_at)
    if callback_at <= at:
        return [check_error("callback_at", CALLBACK_AT_PAST, _("The callback time has passed."))]
    if callback_at > at + CALLBACK_MAX_AHEAD:
        message = _("A callback can be at most 30 days ahead.")
        return [check_error("callback_at", CALLBACK_AT_TOO_FAR, message)]
    windows = policy.week_windows()
    for zone in sorted({order.timezone for order in orders}):
        holidays = holidays_for(policy=policy, zone=zone)
        opens = window_next_open(at=callback_at, zone=zone, windows=windows, holidays=holidays)
        if opens != callback_at:
            local = callback_at.astimezone(opens.tzinfo) if opens else callback_at
            message = _(
                "%(time)s is outside the calling window in the customer's time zone "
                "(%(zone)s); the next window opens at %(opens)s."
            ) % {
                "time": local.strftime("%Y-%m-%d %H:%M"),
                "zone": zone,
                "opens": opens.strftime("%Y-%m-%d %H:%M") if opens else "—",
            }
            return [
                check_error(
                    "callback_at",
                    CALLBACK_OUTSIDE_WINDOW,
                    message,
                    next_window_at=opens.isoformat() if opens else None,
                )
            ]
    return []


def reason_errors(*, policy: CallingPolicy, reason: str, field_name: str) -> list[dict]:
    codes = [code for code, _label in policy.cancel_reason_choices()]
    if reason in codes:
        return []
    message = _("Choose a cancellation reason from the list.")
    return [check_error(field_name, CANCEL_REASON_INVALID, message, allowed=codes)]


def decision_errors(
    *,
    orders: list[Order],
    policy: CallingPolicy,
    decisions: Sequence[OrderDecision],
    at: datetime,
) -> list[dict[str, Any]]:
    held = {str(order.pk): order for order in orders}
    given = {str(d.order_id): d for d in decisions}
    by_customer = orders_confirmed_by_customer(order_ids=[oid for oid in given if oid not in held])
    errors = [
        check_error(
            f"orders[{oid}]", ORDER_CONFIRMED_BY_CUSTOMER,
            _("Confirmed by the customer meanwhile, on their private page."), order=oid,
        )
        if oid in by_customer
        else check_error(
            f"orders[{oid}]", DECISION_UNKNOWN_ORDER, _("This order is not in this call.")
        )
        for oid in given
        if oid not in held
    ]  # fmt: skip
    for oid, order in held.items():
        decision = given.get(oid)
        if decision is None:
            message = _("Decide this order too: confirm or cancel.")
            errors.append(check_error(f"orders[{oid}]", DECISION_MISSING, message, order=oid))
        elif decision.decision == Decision.CANCEL:
            errors += reason_errors(
                policy=policy, reason=decision.reason, field_name=f"orders[{oid}].reason"
            )
        elif decision.decision == Decision.CONFIRM:
            errors += order_confirm_errors(order=order, delivery_on=decision.delivery_on, at=at)
        else:
            message = _("The decision is confirm or cancel.")
            errors.append(check_error(f"orders[{oid}].decision", DECISION_INVALID, message))
    return errors


def order_confirm_errors(
    *, order: Order, delivery_on: date | None, at: datetime
) -> list[dict[str, Any]]:
    """Every check a confirmation of `order` must pass (architecture: The confirmation call),
    each naming its field: street and house always, entrance, floor and intercom for an
    apartment; for an address outside the city an answered check that says deliverable; a
    delivery date the zone can serve at the time of confirmation (the delivery rules decide),
    moved when the check's callback came the next day or in the evening."""
    oid = str(order.pk)
    errors = address_errors(order=order)
    first_day = None
    if order.needs_address_check:
        check_errors, first_day = _address_check_errors(order=order, at=at)
        errors += check_errors
    day = delivery_on or order.delivery_on or order.requested_delivery_on
    date_errors = order_delivery_date_errors(order=order, delivery_on=day, at=at)
    if not date_errors and first_day is not None and day is not None and day < first_day:
        message = _(
            "The check was answered on a later call (the next day or after 17:00): the delivery "
            "date moves to %(first)s or later."
        ) % {"first": first_day.strftime("%d.%m.%Y")}
        date_errors = [
            check_error(
                f"orders[{oid}].delivery_date", DELIVERY_DATE_MOVED_BY_CHECK, message,
                order=oid, first_day=first_day.isoformat(),
            )
        ]  # fmt: skip
    return errors + date_errors


def address_errors(*, order: Order) -> list[dict[str, Any]]:
    """The address fields seed 002 requires that are still empty, each named."""
    oid = str(order.pk)
    errors = []
    for name in ADDRESS_FIELDS:
        if not getattr(order, name).strip():
            message = _("Fill in %(field)s: every address needs it.") % {
                "field": Order._meta.get_field(name).verbose_name
            }
            errors.append(
                check_error(f"orders[{oid}].{name}", ADDRESS_FIELD_REQUIRED, message, order=oid)
            )
    if order.apartment.strip():
        for name in APARTMENT_FIELDS:
            if not getattr(order, name).strip():
                message = _("Fill in %(field)s: the address is an apartment.") % {
                    "field": Order._meta.get_field(name).verbose_name
                }
                errors.append(
                    check_error(f"orders[{oid}].{name}", ADDRESS_FIELD_MISSING, message, order=oid)
                )
    return errors


def orders_confirmed_by_customer(*, order_ids: Sequence[str]) -> set[str]:
    """Which of these orders the customer confirmed themselves (an operator who held the call
    meanwhile is told so, not that the order is unknown)."""
    if not order_ids:
        return set()
    rows = OrderEvent.objects.filter(
        order_id__in=list(order_ids),
        order__status=OrderStatus.CONFIRMED,
        type=OrderEventType.STATUS_CHANGED,
        actor_label=CUSTOMER_ACTOR,
        data__to=OrderStatus.CONFIRMED,
    ).values_list("order_id", flat=True)
    return {str(order_id) for order_id in rows}


def _address_check_errors(*, order: Order, at: datetime) -> tuple[list[dict], date | None]:
    """An out-of-city address: refused until the check is answered, and when it says the
    carrier cannot deliver; with a deliverable answer, the first delivery day the seed's
    callback rule leaves (None: the date does not move)."""
    oid = str(order.pk)
    state = address_check_state(order=order)
    if state.answer is None:
        message = _(
            "The address is outside the city or not recognised: record a pending check (7) and "
            "confirm once the answer says delivery there is possible."
        )
        error = check_error(f"orders[{oid}].address", ADDRESS_CHECK_REQUIRED, message, order=oid)
        return [error], None
    if not state.answer.deliverable:
        message = _(
            "The check says the carrier cannot deliver there: read the phrase about the brand's "
            "stores and cancel the order (reason: we cannot deliver to the address)."
        )
        error = check_error(f"orders[{oid}].address", ADDRESS_NOT_DELIVERABLE, message, order=oid)
        return [error], None
    if state.asked_at is None:
        return [], None
    return [], check_callback_first_day(asked_at=state.asked_at, at=at, zone=order.timezone)
