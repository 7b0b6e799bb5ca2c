"""Order import from a file by staff: a preview that checks every row, then the import of the
valid orders through the one intake path. Idempotent by (store, external_id): importing the same
file again creates nothing new."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.catalog.selectors import category_required_attributes
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.intake import order_payload_check
from orderdesk.orders.models import Order
from orderdesk.orders.services import orders_intake
from orderdesk.stores.models import Store

from ..models import ImportStatus, OrderImport
from ..tabular import OrderRows, TableError, error_cell, table_orders, table_rows

IMPORT_FILE_UNREADABLE = "import_file_unreadable"
IMPORT_ALREADY_RUN = "import_already_run"
MAX_FILE_BYTES = 5 * 1024 * 1024


def _file_too_large() -> ApplicationError:
    return ApplicationError(
        IMPORT_FILE_UNREADABLE, _("The file is larger than 5 MB."), status_code=422
    )


def upload_read(upload) -> bytes:
    """An uploaded file's bytes, refused by its size before it is read into memory (Django
    keeps a large upload on disk until then)."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise _file_too_large()
    return upload.read(MAX_FILE_BYTES + 1)


@transaction.atomic
def order_import_preview(*, store: Store, user: User, file_name: str, data: bytes) -> OrderImport:
    """Parse and check the whole file without storing an order; keep what was checked."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_too_large()
    try:
        grouped, problems = table_orders(table_rows(file_name=file_name, data=data))
    except TableError as exc:
        raise ApplicationError(IMPORT_FILE_UNREADABLE, str(exc), status_code=422) from exc
    required = category_required_attributes(store_id=store.pk)
    existing = set(
        Order.objects.filter(
            store=store, external_id__in=[g.external_id for g in grouped]
        ).values_list("external_id", flat=True)
    )
    orders = [
        _order_checked(
            order=group,
            region=store.default_phone_region,
            required=required,
            exists=group.external_id in existing,
        )
        for group in grouped
    ]
    return OrderImport.objects.create(
        store=store,
        created_by=user,
        file_name=file_name[:255],
        orders=orders,
        row_errors=problems,
        failed_count=sum(1 for o in orders if o["errors"]) + len(problems),
    )


def _order_checked(*, order: OrderRows, region: str, required, exists: bool) -> dict:
    check = order_payload_check(order.payload, phone_region=region, required_by_category=required)
    errors = []
    for error in check.errors:
        row, column = error_cell(order=order, path=error["field"])
        errors.append({"row": row, "column": column, "message": error["message"]})
    return {
        "external_id": order.external_id,
        "rows": order.rows,
        "payload": order.payload,
        "errors": errors,
        "exists": exists,
        "items": len(order.payload.get("items", [])),
    }


@transaction.atomic
def order_import_run(*, order_import: OrderImport, user: User) -> OrderImport:
    """Store the previewed orders that had no errors; those already in the store are counted
    as existing, not created again."""
    order_import = OrderImport.objects.select_for_update().get(pk=order_import.pk)
    if order_import.status == ImportStatus.IMPORTED:
        raise ApplicationError(
            IMPORT_ALREADY_RUN, _("This file has already been imported."), status_code=409
        )
    valid = [o for o in order_import.orders if not o["errors"]]
    results = orders_intake(
        store=order_import.store,
        payloads=[o["payload"] for o in valid],
        actor_label=f"import:{user.username}",
    )
    for row, result in zip(valid, results, strict=True):
        row["result"] = "failed" if result.errors else ("created" if result.created else "existing")
        if result.errors:
            row["errors"] = [
                {"row": row["rows"][0], "column": e["field"], "message": e["message"]}
                for e in result.errors
            ]
    order_import.created_count = sum(1 for r in results if r.created)
    order_import.existing_count = sum(1 for r in results if not r.created and not r.errors)
    order_import.failed_count = sum(1 for o in order_import.orders if o["errors"]) + len(
        order_import.row_errors
    )
    order_import.status, order_import.imported_at = ImportStatus.IMPORTED, timezone.now()
    order_import.save(
        update_fields=[
            "orders", "created_count", "existing_count", "failed_count", "status",
            "imported_at", "updated_at",
        ]
    )  # fmt: skip
    return order_import
