"""A store's catalogue from a file by staff: a preview that checks every row, then the import
of the valid rows through the one product writer (catalog.services.products_upsert)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.catalog.models import Product
from orderdesk.catalog.schemas import ProductBulkItemIn
from orderdesk.catalog.services import ProductChange, products_upsert
from orderdesk.core.errors import ApplicationError
from orderdesk.stores.models import Store

from ..models import ImportStatus, ProductImport
from ..product_table import table_products
from ..tabular import TableError, table_rows
from .imports import IMPORT_ALREADY_RUN, IMPORT_FILE_UNREADABLE, MAX_FILE_BYTES, _file_too_large


@transaction.atomic
def product_import_preview(
    *, store: Store, user: User, file_name: str, data: bytes
) -> ProductImport:
    """Parse and check the whole file without writing a product; keep what was checked."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_too_large()
    try:
        rows = table_products(table_rows(file_name=file_name, data=data))
    except TableError as exc:
        raise ApplicationError(IMPORT_FILE_UNREADABLE, str(exc), status_code=422) from exc
    existing = set(
        Product.objects.filter(store=store, sku__in=[r["sku"] for r in rows]).values_list(
            "sku", flat=True
        )
    )
    for row in rows:
        row["exists"] = row["sku"] in existing
    return ProductImport.objects.create(
        store=store, created_by=user, file_name=file_name[:255], rows=rows,
        failed_count=sum(1 for r in rows if r["errors"]),
    )  # fmt: skip


@transaction.atomic
def product_import_run(*, product_import: ProductImport, user: User) -> ProductImport:
    """Write the previewed rows that had no errors (new products and changes alike)."""
    product_import = ProductImport.objects.select_for_update().get(pk=product_import.pk)
    if product_import.status == ImportStatus.IMPORTED:
        raise ApplicationError(
            IMPORT_ALREADY_RUN, _("This file has already been imported."), status_code=409
        )
    valid = [r for r in product_import.rows if not r["errors"]]
    changes = []
    for row in valid:
        data = ProductBulkItemIn.model_validate(row["payload"])
        changes.append(ProductChange.of(data.sku, data))
    created = products_upsert(store=product_import.store, changes=changes)
    product_import.created_count = len(created)
    product_import.updated_count = len(valid) - len(created)
    product_import.status, product_import.imported_at = ImportStatus.IMPORTED, timezone.now()
    product_import.save(
        update_fields=["created_count", "updated_count", "status", "imported_at", "updated_at"]
    )
    return product_import
