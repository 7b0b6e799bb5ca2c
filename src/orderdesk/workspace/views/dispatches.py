"""The supervisor's dispatch screen: per store, the confirmed orders waiting by carrier and
delivery date, a button that dispatches them (the same service as the API), and the recent
dispatches with their documents to download."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderdesk.core.errors import ApplicationError
from orderdesk.delivery.selectors import carrier_by_code
from orderdesk.fulfilment.documents import DOCUMENT_LANGUAGES, DOCUMENTS, document_response
from orderdesk.fulfilment.selectors import (
    dispatch_get,
    dispatch_waiting_counts,
    dispatches_of_store,
)
from orderdesk.fulfilment.services import dispatch_create

from ..access import supervisor_view
from ..selectors import stores_supervised_by

RECENT_DISPATCHES = 20


@supervisor_view
def dispatch_list(request: HttpRequest) -> HttpResponse:
    stores = [
        {
            "store": store,
            "waiting": dispatch_waiting_counts(store=store),
            "dispatches": list(
                dispatches_of_store(store=store).prefetch_related("entries")[:RECENT_DISPATCHES]
            ),
        }
        for store in stores_supervised_by(user=request.user)
    ]
    documents = [
        ("pick_list_pdf", _("Pick list (PDF)")),
        ("pick_list_xlsx", _("Pick list (Excel)")),
        ("manifest_xlsx", _("Manifest (Excel)")),
        ("waybills_pdf", _("Waybills (PDF)")),
    ]
    return render(
        request,
        "workspace/dispatches.html",
        {"stores": stores, "documents": documents, "document_languages": DOCUMENT_LANGUAGES},
    )


@require_POST
@supervisor_view
def dispatch_post(request: HttpRequest) -> HttpResponse:
    store = stores_supervised_by(user=request.user).filter(pk=request.POST.get("store") or 0)
    store = store.first()
    carrier = carrier_by_code(code=request.POST.get("carrier", ""))
    try:
        delivery_on = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        delivery_on = None
    if store is None or carrier is None or delivery_on is None:
        messages.error(request, _("Choose a store, a carrier and a delivery date."))
        return redirect("workspace:dispatches")
    try:
        dispatch = dispatch_create(
            store=store, carrier=carrier, delivery_on=delivery_on, actor=request.user
        )
    except ApplicationError:
        messages.error(request, _("No confirmed order waits for this carrier and date."))
        return redirect("workspace:dispatches")
    messages.success(
        request,
        _("Dispatched %(count)s orders of %(carrier)s for %(date)s.")
        % {
            "count": dispatch.entries.count(),
            "carrier": carrier.name,
            "date": delivery_on.strftime("%d.%m.%Y"),
        },
    )
    return redirect("workspace:dispatches")


@supervisor_view
def dispatch_document(request: HttpRequest, dispatch_id, document: str) -> HttpResponse:
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if document not in DOCUMENTS or language not in DOCUMENT_LANGUAGES:
        raise Http404("no such document")
    dispatch = dispatch_get(dispatch_id=dispatch_id, stores=stores_supervised_by(user=request.user))
    return document_response(dispatch, document, language)
