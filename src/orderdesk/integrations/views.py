"""The order and product import pages for supervisors and admins: upload, preview with per-row
errors, import.

Mounted in the admin (see admin.py), which supplies login, the staff check and CSRF protection;
the role and the store are checked here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orderdesk.core.errors import ApplicationError

from .forms import ImportUploadForm
from .product_table import PRODUCT_COLUMNS, REQUIRED_PRODUCT_COLUMNS
from .selectors import import_stores_for, order_import_get, product_import_get
from .services import (
    order_import_preview,
    order_import_run,
    product_import_preview,
    product_import_run,
    upload_read,
)
from .tabular import COLUMNS, REQUIRED_COLUMNS


def _importer(request: HttpRequest):
    user = request.user
    if not getattr(user, "is_supervisor_or_admin", False):
        raise PermissionDenied(_("Only supervisors and admins import files."))
    return user


@require_http_methods(["GET", "POST"])
def order_import_upload(request: HttpRequest, *, admin_context: dict) -> HttpResponse:
    user = _importer(request)
    stores = import_stores_for(user=user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            order_import = order_import_preview(
                store=form.cleaned_data["store"],
                user=user,
                file_name=upload.name,
                data=upload_read(upload),
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("admin:integrations_orderimport_preview", order_import.pk)
    context = {
        **admin_context,
        "title": _("Import orders from a file"),
        "form": form,
        "columns": list(COLUMNS),
        "required_columns": REQUIRED_COLUMNS,
    }
    return render(request, "integrations/import_upload.html", context)


def order_import_preview_page(
    request: HttpRequest, import_id, *, admin_context: dict
) -> HttpResponse:
    user = _importer(request)
    order_import = order_import_get(user=user, import_id=import_id)
    orders = order_import.orders
    context = {
        **admin_context,
        "title": _("Import of %(file)s") % {"file": order_import.file_name},
        "order_import": order_import,
        "orders": orders,
        "valid_count": sum(1 for o in orders if not o["errors"] and not o["exists"]),
        "existing_count": sum(1 for o in orders if not o["errors"] and o["exists"]),
        "invalid_count": sum(1 for o in orders if o["errors"]),
    }
    return render(request, "integrations/import_preview.html", context)


@require_POST
def order_import_run_view(request: HttpRequest, import_id, *, admin_context: dict) -> HttpResponse:
    user = _importer(request)
    order_import = order_import_get(user=user, import_id=import_id)
    try:
        order_import = order_import_run(order_import=order_import, user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)d new, %(existing)d already there, %(failed)d with errors.")
            % {
                "created": order_import.created_count,
                "existing": order_import.existing_count,
                "failed": order_import.failed_count,
            },
        )
    return redirect("admin:integrations_orderimport_preview", order_import.pk)


@require_http_methods(["GET", "POST"])
def product_import_upload(request: HttpRequest, *, admin_context: dict) -> HttpResponse:
    user = _importer(request)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, stores=import_stores_for(user=user)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            product_import = product_import_preview(
                store=form.cleaned_data["store"],
                user=user,
                file_name=upload.name,
                data=upload_read(upload),
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("admin:integrations_productimport_preview", product_import.pk)
    context = {
        **admin_context,
        "title": _("Import products from a file"),
        "form": form,
        "columns": [*PRODUCT_COLUMNS, "stock:<warehouse>", "attr:<name>"],
        "required_columns": REQUIRED_PRODUCT_COLUMNS,
    }
    return render(request, "integrations/product_import_upload.html", context)


def product_import_preview_page(
    request: HttpRequest, import_id, *, admin_context: dict
) -> HttpResponse:
    user = _importer(request)
    product_import = product_import_get(user=user, import_id=import_id)
    rows = product_import.rows
    context = {
        **admin_context,
        "title": _("Import of %(file)s") % {"file": product_import.file_name},
        "product_import": product_import,
        "rows": rows,
        "new_count": sum(1 for r in rows if not r["errors"] and not r["exists"]),
        "changed_count": sum(1 for r in rows if not r["errors"] and r["exists"]),
        "invalid_count": sum(1 for r in rows if r["errors"]),
    }
    return render(request, "integrations/product_import_preview.html", context)


@require_POST
def product_import_run_view(
    request: HttpRequest, import_id, *, admin_context: dict
) -> HttpResponse:
    user = _importer(request)
    product_import = product_import_get(user=user, import_id=import_id)
    try:
        product_import = product_import_run(product_import=product_import, user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)d new, %(updated)d changed, %(failed)d with errors.")
            % {
                "created": product_import.created_count,
                "updated": product_import.updated_count,
                "failed": product_import.failed_count,
            },
        )
    return redirect("admin:integrations_productimport_preview", product_import.pk)
