"""Staff views of personal data and who saw a customer: the services, the selector's scope and
the API's listing (supervisors and admins of the customer's store only)."""

import pytest
from django.http import Http404

from orderdesk.accounts.services import user_api_token_issue, user_create
from orderdesk.conftest import ApiClient
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, ViewedVia
from orderdesk.orders.selectors import customer_get_supervised, customer_views_list
from orderdesk.orders.services import (
    call_card_view_record,
    order_view_record,
    orders_intake,
)
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store, make_payload) -> Order:
    [result] = orders_intake(store=store, payloads=[make_payload()], actor_label="test")
    return result.order


@pytest.fixture
def outsider(db):
    store_create(name="Другой магазин", slug="other")
    user, _, _ = user_create(username="sup2", role="supervisor", store_slugs=["other"])
    return user


def api_of(user) -> ApiClient:
    return ApiClient(user_api_token_issue(user=user))


def test_call_card_view_is_recorded_once_per_lease(order, operator):
    call_card_view_record(orders=[order], actor=operator, lease_id="L-1")
    call_card_view_record(orders=[order], actor=operator, lease_id="L-1")
    call_card_view_record(orders=[order], actor=operator, lease_id="L-2")
    events = OrderEvent.objects.filter(type=OrderEventType.VIEWED).order_by("id")
    assert [e.data for e in events] == [
        {"via": "desk", "lease": "L-1"},
        {"via": "desk", "lease": "L-2"},
    ]


def test_customer_views_list_newest_first(order, operator, supervisor):
    first = order_view_record(order=order, actor=operator, via=ViewedVia.DESK)
    second = order_view_record(order=order, actor=supervisor, via=ViewedVia.ORDER_PAGE)
    customer = customer_get_supervised(customer_id=order.customer_id, user=supervisor)
    assert list(customer_views_list(customer=customer)) == [second, first]


def test_customer_scope_refuses_other_stores_and_operators(order, operator, outsider):
    for user in (outsider, operator):
        with pytest.raises(Http404):
            customer_get_supervised(customer_id=order.customer_id, user=user)


def test_api_lists_who_saw_the_customer(order, operator, supervisor):
    order_view_record(order=order, actor=operator, via=ViewedVia.DESK)
    order_view_record(order=order, actor=supervisor, via=ViewedVia.API)
    response = api_of(supervisor).get(f"/api/v1/customers/{order.customer_id}/views", limit=1)
    assert response.status_code == 200
    body = response.json()
    assert (body["customer_id"], body["phone"], body["count"]) == (
        order.customer_id,
        "+7701***4567",
        2,
    )
    assert [(v["user"], v["via"], v["order_id"]) for v in body["items"]] == [
        ("sup1", "api", str(order.pk))
    ]
    assert body["next"].endswith(f"/api/v1/customers/{order.customer_id}/views?limit=1&offset=1")
    # Listing the views is not itself recorded as a view of the customer.
    assert OrderEvent.objects.filter(type=OrderEventType.VIEWED).count() == 2


def test_api_listing_is_for_supervisors_of_the_store(order, operator, outsider, store_api):
    path = f"/api/v1/customers/{order.customer_id}/views"
    assert api_of(outsider).get(path).status_code == 404
    assert api_of(operator).get(path).status_code == 403
    assert store_api.get(path).status_code == 403
    assert api_of(outsider).get("/api/v1/customers/999999/views").status_code == 404


def test_admin_token_lists_any_store(order, operator):
    admin, _, _ = user_create(username="boss", role="admin")
    order_view_record(order=order, actor=operator, via=ViewedVia.DESK)
    body = api_of(admin).get(f"/api/v1/customers/{order.customer_id}/views").json()
    assert [(v["user"], v["via"]) for v in body["items"]] == [("op1", "desk")]
    assert body["next"] is None
