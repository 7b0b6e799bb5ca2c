"""The dispatches router (SPEC §11, Fulfilment and delivery): dispatch the confirmed orders of
a carrier and date, read a dispatch, download its documents. A store key acts for its store; a
supervisor's or admin's token for a store they work with (named by `store` when they have
several)."""

from typing import Literal
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from orderdesk.accounts.models import Role, User
from orderdesk.accounts.principals import principal_of, user_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.openapi import file_answer
from orderdesk.core.schemas import IsoDate, IsoDateTime, error_responses
from orderdesk.core.untrusted import Day
from orderdesk.delivery.selectors import carrier_by_code
from orderdesk.stores.models import Store

from .documents import DOCUMENT_LANGUAGES, DOCUMENTS, document_response
from .models import Dispatch
from .selectors import dispatch_get
from .services import dispatch_create

router = Router(tags=["fulfilment"])
STORE_REQUIRED = "store_required"
CARRIER_UNKNOWN = "carrier_unknown"


class DispatchIn(Schema):
    carrier: str = Field(max_length=50, description="the carrier's code", examples=["garanta"])
    date: Day = Field(description="the delivery date of the orders to dispatch")
    store: str | None = Field(
        None,
        max_length=50,
        description="the store's slug: for a staff token of several stores (a store key "
        "dispatches its own orders)",
    )


class DispatchDocumentsOut(Schema):
    pick_list_pdf: str
    pick_list_xlsx: str
    manifest_xlsx: str
    waybills_pdf: str


class DispatchOut(Schema):
    id: UUID
    store: str = Field(description="the store's slug")
    carrier: str = Field(description="the carrier's code")
    date: IsoDate = Field(description="the delivery date")
    created_at: IsoDateTime
    created_by: str = Field(description="who dispatched: a user's name or store:<slug>")
    orders: list[UUID] = Field(description="the ids of the dispatched orders")
    documents: DispatchDocumentsOut = Field(
        description="where to download each document (paths under /api/v1/dispatches/{id}/)"
    )


def dispatch_data(dispatch: Dispatch) -> dict:
    return {
        "id": dispatch.pk,
        "store": dispatch.store.slug,
        "carrier": dispatch.carrier.code,
        "date": dispatch.delivery_on.isoformat(),
        "created_at": dispatch.created_at.isoformat(),
        "created_by": dispatch.created_by_label,
        "orders": [entry.order_id for entry in dispatch.entries.all()],
        "documents": {
            name: reverse(
                "api:dispatch_document", kwargs={"dispatch_id": dispatch.pk, "document": name}
            )
            for name in DOCUMENTS
        },
    }


def _staff_stores(user: User) -> QuerySet[Store]:
    return Store.objects.all() if user.role == Role.ADMIN else user.stores.all()


def _readable_stores(request: HttpRequest) -> list[Store] | QuerySet[Store]:
    principal = principal_of(request)
    if principal.store is not None:
        return [principal.store]
    return _staff_stores(user_of(request, Role.SUPERVISOR, Role.ADMIN))


def _store_for(request: HttpRequest, slug: str | None) -> Store:
    """The store a dispatch is for: the key's own, or the one a staff token names (or has)."""
    principal = principal_of(request)
    if principal.store is not None:
        if slug not in (None, principal.store.slug):
            raise ValidationFailed([_error("store", STORE_REQUIRED, "not this key's store")])
        return principal.store
    stores = _staff_stores(user_of(request, Role.SUPERVISOR, Role.ADMIN))
    if slug is not None:
        stores = stores.filter(slug=slug)
    found = list(stores[:2])
    if len(found) != 1:
        message = "no store of yours by this slug" if slug else "name the store: you have several"
        raise ValidationFailed([_error("store", STORE_REQUIRED, message)])
    return found[0]


def _error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


@router.post(
    "",
    response={201: DispatchOut, **error_responses(401, 403, 409, 413, 422)},
    summary="Dispatch every confirmed order of a carrier and delivery date",
    description="The orders not dispatched yet move to `in_fulfilment` (`order.in_fulfilment`); "
    "409 when none waits.",
)
def dispatch_post(request: HttpRequest, payload: DispatchIn):
    store = _store_for(request, payload.store)
    carrier = carrier_by_code(code=payload.carrier)
    if carrier is None:
        raise ValidationFailed([_error("carrier", CARRIER_UNKNOWN, "no carrier with this code")])
    principal = principal_of(request)
    dispatch = dispatch_create(
        store=store,
        carrier=carrier,
        delivery_on=payload.date,
        actor=principal.user,
        actor_label="" if principal.user else f"store:{store.slug}",
    )
    return 201, dispatch_data(dispatch)


@router.get(
    "/{dispatch_id}",
    response={200: DispatchOut, **error_responses(401, 403, 404, 422)},
    summary="One dispatch with its orders and documents",
)
def dispatch_detail(request: HttpRequest, dispatch_id: UUID):
    return dispatch_data(dispatch_get(dispatch_id=dispatch_id, stores=_readable_stores(request)))


DocumentName = Literal["pick_list_pdf", "pick_list_xlsx", "manifest_xlsx", "waybills_pdf"]
DocumentLanguage = Literal["ru", "kk", "en"]
assert set(DocumentName.__args__) == set(DOCUMENTS)  # type: ignore[attr-defined]
assert set(DocumentLanguage.__args__) == set(DOCUMENT_LANGUAGES)  # type: ignore[attr-defined]


@router.get(
    "/{dispatch_id}/{document}",
    response={200: None, **error_responses(401, 403, 404, 422)},
    url_name="dispatch_document",
    summary="A document of a dispatch (PDF or Excel), in Russian, Kazakh or English",
    openapi_extra={
        "responses": {
            200: file_answer(
                "DispatchDocument",
                "The document: a PDF or an Excel workbook, as its name says",
                tuple(dict.fromkeys(media for _, _, media in DOCUMENTS.values())),
            )
        }
    },
)
def dispatch_document(
    request: HttpRequest, dispatch_id: UUID, document: DocumentName, lang: DocumentLanguage = "ru"
):
    dispatch = dispatch_get(dispatch_id=dispatch_id, stores=_readable_stores(request))
    return document_response(dispatch, document, lang)
