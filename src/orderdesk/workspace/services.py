"""Writes made from the screens that belong to the workspace: interface preferences, and the
courier's and customer's comment lines in the wording the script uses, each one an
`order_update` with its timeline event. Every other write is a domain service the views call
directly: item and phone edits in `orders.services`, calls and supervisor actions in
`calling.services`."""

from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orderdesk.accounts.models import Language, User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import Elevator, Order
from orderdesk.orders.services import order_update

from .models import DeskPreference

INTERFACE_LANGUAGE_UNKNOWN = "interface_language_unknown"
TIME_WISH_INVALID = "time_wish_invalid"
ELEVATOR_INVALID = "elevator_invalid"

# The courier reads Russian: notes written into the courier's and customer's comments are in it.
COURIER_LANGUAGE = "ru"


@transaction.atomic
def user_interface_language_set(*, user: User, language: str) -> User:
    if language not in Language.values:
        raise ApplicationError(
            INTERFACE_LANGUAGE_UNKNOWN, f"language: unknown language {language!r}", status_code=422
        )
    user.interface_language = language
    user.save(update_fields=["interface_language"])
    return user


def _comment_append(current: str, line: str) -> str:
    if line in current:
        return current
    return f"{current.rstrip()}\n{line}".strip()


def order_elevator_set(*, order: Order, elevator: str, actor: User) -> Order:
    """Freight elevator is a flag on the order; a passenger elevator is a line in the courier's
    comment (architecture: The confirmation call)."""
    if elevator not in Elevator.values:
        raise ApplicationError(ELEVATOR_INVALID, "elevator: unknown value", status_code=422)
    changes: dict[str, object] = {"elevator": elevator}
    if elevator == Elevator.PASSENGER:
        with translation.override(COURIER_LANGUAGE):
            line = _("Passenger elevator in the building.")
        changes["delivery_comment"] = _comment_append(order.delivery_comment, line)
    return order_update(order=order, changes=changes, actor=actor, reason="elevator")


def order_time_wish_set(*, order: Order, start: str, end: str, actor: User) -> Order:
    """The wish goes into the customer comment with the script's wording: considered where
    possible, never promised (architecture: The confirmation call)."""
    try:
        start_at, end_at = (datetime.strptime(v, "%H:%M").time() for v in (start, end))
    except ValueError as exc:
        raise ApplicationError(
            TIME_WISH_INVALID, "time_wish: times as HH:MM", status_code=422
        ) from exc
    if start_at >= end_at:
        raise ApplicationError(
            TIME_WISH_INVALID, "time_wish: the start must be before the end", status_code=422
        )
    wish = f"{start_at:%H:%M}–{end_at:%H:%M}"
    with translation.override(COURIER_LANGUAGE):
        line = _(
            "The customer can receive the delivery from %(start)s to %(end)s; "
            "considered where possible."
        ) % {"start": f"{start_at:%H:%M}", "end": f"{end_at:%H:%M}"}
    changes = {"time_wish": wish, "comment": _comment_append(order.comment, line)}
    return order_update(order=order, changes=changes, actor=actor, reason="time_wish")


def order_bad_connection_note(*, order: Order, actor: User) -> Order:
    with translation.override(COURIER_LANGUAGE):
        line = _("The customer has a bad connection and may be unreachable.")
    changes = {"delivery_comment": _comment_append(order.delivery_comment, line)}
    return order_update(order=order, changes=changes, actor=actor, reason="bad_connection")


@transaction.atomic
def desk_progressive_set(*, operator: User, progressive: bool) -> None:
    """Progressive mode on or off for this operator (on without a row)."""
    DeskPreference.objects.update_or_create(
        operator=operator, defaults={"progressive": progressive}
    )
