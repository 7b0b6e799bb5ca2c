"""Recording the shipment: carrier and tracking number, the order `shipped` (one at a time from
the API or the desk, or a whole file at once, all or nothing)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.delivery.models import Carrier
from orderdesk.integrations.tabular import TableError, table_rows
from orderdesk.orders.extensions import customer_notify
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services import order_lock, order_status_change
from orderdesk.stores.models import Store

from ..models import Shipment

CARRIER_UNKNOWN = "shipment_carrier_unknown"
TRACKING_NUMBER_INVALID = "shipment_tracking_number_invalid"
TRACKING_NUMBER_TAKEN = "shipment_tracking_number_taken"
ORDER_ALREADY_SHIPPED = "order_already_shipped"
ORDER_NOT_SHIPPABLE = "order_not_shippable"
ORDER_UNKNOWN = "shipment_order_unknown"
SHIPPABLE_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT})
TRACKING_NUMBER_MAX = 100


def _error(field_name: str, code: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": str(message)}


def tracking_number_errors(tracking_number: str, *, field_name: str) -> list[dict[str, Any]]:
    number = tracking_number.strip()
    if not number or len(number) > TRACKING_NUMBER_MAX or not number.isprintable():
        message = _("A tracking number of 1 to %(max)s printable characters.") % {
            "max": TRACKING_NUMBER_MAX
        }
        return [_error(field_name, TRACKING_NUMBER_INVALID, message)]
    return []


def carrier_of(code: str) -> Carrier | None:
    return Carrier.objects.filter(code=code.strip()).first() if code.strip() else None


def shipment_errors(
    *, order: Order, carrier: Carrier | None, tracking_number: str, prefix: str = ""
) -> list[dict[str, Any]]:
    """Why this shipment cannot be recorded for `order` (empty when it can, or when it is the
    very shipment already recorded)."""
    errors = tracking_number_errors(tracking_number, field_name=f"{prefix}tracking_number")
    if carrier is None:
        errors.append(_error(f"{prefix}carrier", CARRIER_UNKNOWN, _("Unknown carrier code.")))
    if errors:
        return errors
    number = tracking_number.strip()
    existing = Shipment.objects.filter(order=order).first()
    if existing is not None:
        if (existing.carrier_id, existing.tracking_number) == (carrier.pk, number):
            return []
        message = _("The order is already shipped with another tracking number.")
        return [_error(f"{prefix}tracking_number", ORDER_ALREADY_SHIPPED, message)]
    if order.status not in SHIPPABLE_STATUSES:
        message = _("Only a confirmed order or one in fulfilment can be shipped (it is %(s)s).")
        return [_error(f"{prefix}status", ORDER_NOT_SHIPPABLE, message % {"s": order.status})]
    taken = Shipment.objects.filter(store_id=order.store_id, tracking_number=number)
    if taken.exclude(order=order).exists():
        message = _("This tracking number belongs to another order.")
        return [_error(f"{prefix}tracking_number", TRACKING_NUMBER_TAKEN, message)]
    return []


def _conflict(errors: list[dict[str, Any]]) -> ApplicationError | ValidationFailed:
    """A state that forbids the shipment is a conflict (409); bad values are a 422."""
    first = errors[0]
    if first["code"] in (ORDER_ALREADY_SHIPPED, ORDER_NOT_SHIPPABLE, TRACKING_NUMBER_TAKEN):
        message = f"{first['field']}: {first['message']}"
        return ApplicationError(first["code"], message, status_code=409)
    return ValidationFailed(errors)


@transaction.atomic
def shipment_record(
    *,
    order: Order,
    carrier_code: str,
    tracking_number: str,
    actor: User | None = None,
    actor_label: str = "",
) -> Shipment:
    """The order leaves with its carrier: the shipment stored, the order `shipped` (the
    store's `order.shipped` carries the tracking data), the customer told. Recording the same
    shipment again answers it unchanged."""
    order = order_lock(order_id=order.pk)
    carrier = carrier_of(carrier_code)
    errors = shipment_errors(order=order, carrier=carrier, tracking_number=tracking_number)
    if errors:
        raise _conflict(errors)
    existing = Shipment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    number = tracking_number.strip()
    shipment = Shipment.objects.create(
        order=order, store_id=order.store_id, carrier=carrier, tracking_number=number
    )
    now = timezone.now()
    order_status_change(
        order=order,
        to=OrderStatus.SHIPPED,
        actor=actor,
        actor_label=actor_label,
        extra_fields={"carrier": carrier} if order.carrier_id != carrier.pk else None,
        data={"carrier": carrier.code, "tracking_number": number},
    )
    customer_notify(order=order, event="shipped", at=now)
    return shipment


@dataclass
class ImportRow:
    """One row of a shipment file, as read and as checked."""

    number: int  # the row's number in the file (the header is row 1)
    external_id: str
    tracking_number: str
    carrier_code: str = ""
    order: Order | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def _row_check(row: ImportRow, *, store: Store, seen: dict[str, int]) -> None:
    prefix = f"rows[{row.number}]."
    row.order = (
        Order.objects.select_related("carrier")
        .filter(store=store, external_id=row.external_id.strip())
        .first()
    )
    if row.order is None:
        message = _("No order with this number.")
        row.errors.append(_error(f"{prefix}order_number", ORDER_UNKNOWN, message))
        return
    code = row.carrier_code.strip() or (row.order.carrier.code if row.order.carrier_id else "")
    row.carrier_code = code
    row.errors += shipment_errors(
        order=row.order, carrier=carrier_of(code), tracking_number=row.tracking_number,
        prefix=prefix,
    )  # fmt: skip
    number = row.tracking_number.strip()
    if number and number in seen:
        message = _("The same tracking number is on row %(row)s.") % {"row": seen[number]}
        row.errors.append(_error(f"{prefix}tracking_number", TRACKING_NUMBER_TAKEN, message))
    seen.setdefault(number, row.number)


@transaction.atomic
def shipments_import(
    *,
    store: Store,
    rows: Sequence[ImportRow],
    actor: User | None = None,
    actor_label: str = "",
    apply: bool = True,
) -> list[ImportRow]:
    """Every row checked first; with one bad row nothing is stored (ValidationFailed naming
    `rows[<n>].<field>` for each). `apply=False` is the preview: the rows as they would go."""
    seen: dict[str, int] = {}
    for row in rows:
        _row_check(row, store=store, seen=seen)
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise ValidationFailed(errors)
    if apply:
        for row in rows:
            shipment_record(
                order=row.order, carrier_code=row.carrier_code,
                tracking_number=row.tracking_number, actor=actor, actor_label=actor_label,
            )  # fmt: skip
    return list(rows)


FILE_INVALID = "shipment_file_invalid"
# File column → ImportRow field; headers matched case-insensitively, with the Russian ones
# stores use.
FILE_COLUMNS = {
    "order_number": "external_id", "external_id": "external_id", "номер заказа": "external_id",
    "tracking_number": "tracking_number", "трек-номер": "tracking_number",
    "трек номер": "tracking_number", "carrier": "carrier_code", "перевозчик": "carrier_code",
}  # fmt: skip


def shipment_rows_read(*, file_name: str, data: bytes) -> list[ImportRow]:
    """The rows of a CSV or Excel file of order number → tracking number (and an optional
    carrier column); a file that cannot be read is a 422 naming `file`."""
    try:
        table = table_rows(file_name=file_name, data=data)
    except TableError as exc:
        raise ValidationFailed([_error("file", FILE_INVALID, str(exc))]) from exc
    if not table:
        raise ValidationFailed([_error("file", FILE_INVALID, _("The file is empty."))])
    header = [FILE_COLUMNS.get(str(cell or "").strip().lower(), "") for cell in table[0]]
    missing = {"external_id", "tracking_number"} - set(header)
    if missing:
        message = _("The file needs the columns order_number and tracking_number.")
        raise ValidationFailed([_error("file", FILE_INVALID, message)])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            name: str(cell or "").strip() for name, cell in zip(header, cells, strict=False) if name
        }
        if any(values.values()):
            rows.append(ImportRow(number=number, **values))
    return rows
