"""The customer's private page: confirm the order (a date among the allowed ones, the address
completed, a time wish) or cancel it with a reason (architecture: Messages and self-service).

It goes through the same checks and the same confirmation as a call (`calling.checks.
order_confirm_errors`, `calling.services.order_confirm`): an order confirmed here leaves the
call queue (the status change closes its confirmation task, even one an operator holds), and
an order already decided answers 409. A refusal names each field and changes nothing."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.calling.checks import (
    ADDRESS_FIELDS as REQUIRED_ADDRESS_FIELDS,
)
from orderdesk.calling.checks import (
    APARTMENT_FIELDS,
    CUSTOMER_ACTOR,
    check_error,
    reason_errors,
)
from orderdesk.calling.selectors import calling_policy_get
from orderdesk.calling.services import order_confirm, order_confirm_errors
from orderdesk.core.errors import ApplicationError, NotFoundError, ValidationFailed
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import order_lock, order_status_change, order_update

from ..links import self_service_expired, self_service_token_read
from ..selectors import messaging_settings_get

SELF_SERVICE_NOT_FOUND = "self_service_not_found"
ORDER_ALREADY_DECIDED = "order_already_decided"
DELIVERY_DATE_MISSING = "delivery_date_missing"
ADDRESS_FIELD_TOO_LONG = "address_field_too_long"
# What the customer may complete on the page: seed 002's fields and the apartment.
ADDRESS_FIELDS = (*REQUIRED_ADDRESS_FIELDS, *APARTMENT_FIELDS, "apartment")


def self_service_order_get(*, token: str, now: datetime | None = None) -> Order:
    """The order a private link names; 404 when the token is forged, expired or its order
    gone or erased (the same answer for all: a link tells nothing about other orders)."""
    now = now or timezone.now()
    read = self_service_token_read(token)
    order = None
    if read is not None:
        order_id, issued_at = read
        order = (
            Order.objects.select_related("store", "customer", "locality", "carrier")
            .prefetch_related("items")
            .filter(pk=order_id, erased_at__isnull=True)
            .first()
        )
        if order is not None:
            days = messaging_settings_get(store_id=order.store_id).self_service_days
            if self_service_expired(issued_at=issued_at, days=days, now=now):
                order = None
    if order is None:
        raise NotFoundError(SELF_SERVICE_NOT_FOUND, _("This link is not valid or has expired."))
    return order


def _undecided_lock(order: Order) -> Order:
    order = order_lock(order_id=order.pk)
    if order.status != OrderStatus.AWAITING_CONFIRMATION:
        raise ApplicationError(
            ORDER_ALREADY_DECIDED,
            _("This order has already been decided."),
            status_code=409,
            status=order.status,
        )
    return order


def _address_changes(address: dict[str, str]) -> tuple[dict[str, str], list[dict]]:
    changes, errors = {}, []
    for name in ADDRESS_FIELDS:
        if name not in address or address[name] is None:
            continue
        value = str(address[name]).strip()
        limit = Order._meta.get_field(name).max_length
        if limit and len(value) > limit:
            message = _("At most %(n)d characters.") % {"n": limit}
            errors.append(check_error(f"address.{name}", ADDRESS_FIELD_TOO_LONG, message))
        changes[name] = value
    return changes, errors


def _self_field(error: dict, order: Order) -> dict:
    """A call's check names `orders[<id>].street`; the customer's page names `address.street`."""
    name = error["field"].removeprefix(f"orders[{order.pk}]").lstrip(".")
    if name in ADDRESS_FIELDS:
        name = f"address.{name}"
    return {**error, "field": name or "order"}


@transaction.atomic
def self_service_confirm(
    *,
    order: Order,
    delivery_on: date | None,
    address: dict[str, str] | None = None,
    time_wish: str = "",
    at: datetime | None = None,
) -> Order:
    """Confirm from the private page: the address and wish written as the customer gave them
    (the order's own edit, on the timeline), then the call's checks, then the confirmation."""
    at = at or timezone.now()
    order = _undecided_lock(order)
    changes, errors = _address_changes(address or {})
    if time_wish.strip():
        changes["time_wish"] = time_wish.strip()[: Order._meta.get_field("time_wish").max_length]
    if delivery_on is None:
        message = _("Choose a delivery date.")
        errors.append(check_error("delivery_date", DELIVERY_DATE_MISSING, message))
    if errors:
        raise ValidationFailed(errors)
    if changes:
        order = order_update(order=order, changes=changes, actor_label=CUSTOMER_ACTOR)
    errors = [
        _self_field(e, order)
        for e in order_confirm_errors(order=order, delivery_on=delivery_on, at=at)
    ]
    if errors:
        raise ValidationFailed(errors)
    return order_confirm(
        order=order,
        delivery_on=delivery_on,
        actor_label=CUSTOMER_ACTOR,
        data={"via": "self_service"},
    )


@transaction.atomic
def self_service_cancel(*, order: Order, reason: str) -> Order:
    """Cancel from the private page, with a reason from the store's list."""
    order = _undecided_lock(order)
    policy = calling_policy_get(store=order.store_id)
    errors = reason_errors(policy=policy, reason=reason, field_name="reason")
    if errors:
        raise ValidationFailed(errors)
    return order_status_change(
        order=order,
        to=OrderStatus.CANCELLED,
        actor_label=CUSTOMER_ACTOR,
        reason=reason,
        data={"via": "self_service"},
    )
