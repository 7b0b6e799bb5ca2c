"""POST /api/v1/dispatches and the documents under /api/v1/dispatches/{id}/."""

import io

import openpyxl
from pypdf import PdfReader

from orderdesk.accounts.services import user_create
from orderdesk.conftest import ApiClient
from orderdesk.fulfilment.models import Dispatch
from orderdesk.orders.models import OrderStatus

from .conftest import DELIVERY_ON

BODY = {"carrier": "garanta", "date": DELIVERY_ON.isoformat()}


def test_store_dispatches_and_downloads_the_documents(store_api, make_confirmed):
    first, second = make_confirmed(), make_confirmed()
    response = store_api.post("/api/v1/dispatches", BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["orders"] == [str(first.pk), str(second.pk)]
    assert data["created_by"] == "store:mebel"
    base = f"/api/v1/dispatches/{data['id']}/"
    assert data["documents"] == {
        "pick_list_pdf": base + "pick_list_pdf",
        "pick_list_xlsx": base + "pick_list_xlsx",
        "manifest_xlsx": base + "manifest_xlsx",
        "waybills_pdf": base + "waybills_pdf",
    }
    assert store_api.get(f"/api/v1/orders/{first.pk}").json()["status"] == "in_fulfilment"
    waybills = store_api.get(data["documents"]["waybills_pdf"], lang="kk")
    assert waybills.status_code == 200
    assert waybills["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(waybills.content)).pages
    assert len(pages) == 2
    assert first.external_id in pages[0].extract_text()
    manifest = store_api.get(data["documents"]["manifest_xlsx"])
    rows = list(openpyxl.load_workbook(io.BytesIO(manifest.content)).active.iter_rows())
    assert len(rows) == 3
    assert store_api.get(base.rstrip("/")).json()["id"] == data["id"]


def test_nothing_waiting_is_409_and_stores_nothing(store_api):
    response = store_api.post("/api/v1/dispatches", BODY)
    assert response.status_code == 409
    assert response.json()["error"] == "dispatch_empty"
    assert not Dispatch.objects.exists()


def test_unknown_carrier_and_bad_date_are_named(store_api, make_confirmed):
    order = make_confirmed()
    response = store_api.post("/api/v1/dispatches", {"carrier": "nope", "date": "2026-02-30"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["date"]
    response = store_api.post("/api/v1/dispatches", {"carrier": "nope", "date": "2026-11-26"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["carrier"]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_supervisor_of_the_store_dispatches_operator_may_not(store, make_confirmed, operator_api):
    make_confirmed()
    _, _, token = user_create(username="sup-d", role="supervisor", store_slugs=[store.slug])
    assert operator_api.post("/api/v1/dispatches", BODY).status_code == 403
    response = ApiClient(token).post("/api/v1/dispatches", BODY)
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == "sup-d"


def test_another_store_cannot_see_the_dispatch(store_api, other_store_api, make_confirmed):
    make_confirmed()
    dispatch_id = store_api.post("/api/v1/dispatches", BODY).json()["id"]
    assert other_store_api.get(f"/api/v1/dispatches/{dispatch_id}").status_code == 404
    document = other_store_api.get(f"/api/v1/dispatches/{dispatch_id}/waybills_pdf")
    assert document.status_code == 404
