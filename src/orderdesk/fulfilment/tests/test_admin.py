"""Dispatches in the admin: listed and shown, never added or edited there."""

from django.test import Client

from orderdesk.accounts.models import User
from orderdesk.fulfilment.services import dispatch_create

from .conftest import DELIVERY_ON


def test_admin_lists_and_shows_a_dispatch_read_only(make_confirmed, store, carrier):
    order = make_confirmed()
    dispatch = dispatch_create(store=store, carrier=carrier, delivery_on=DELIVERY_ON)
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.kz", "pw", role="admin"))
    listing = client.get("/admin/fulfilment/dispatch/")
    assert listing.status_code == 200
    page = client.get(f"/admin/fulfilment/dispatch/{dispatch.pk}/change/")
    assert page.status_code == 200
    assert order.external_id in page.content.decode()
    assert client.get("/admin/fulfilment/dispatch/add/").status_code == 403
