"""The order schemas describe the representation without cutting it: the API answers every key
`order_data` writes (ninja answers with the schema's fields only)."""

import json
import typing

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from pydantic import BaseModel

from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.representations import order_data
from orderdesk.orders.schemas import OrderDetailOut, OrderOut
from orderdesk.orders.services import order_status_change

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@pytest.fixture
def cancelled_order(store_api, make_payload, operator) -> Order:
    payload = make_payload(comment="звонить после 18:00")
    payload["items"][0]["attributes"] = {"color": "white", "size": {"h": 185, "w": 60}}
    payload["delivery"]["carrier"] = "garanta"
    assert store_api.post("/api/v1/orders", payload).status_code == 201
    order = Order.objects.get()
    order_status_change(
        order=order, to=OrderStatus.CANCELLED, actor=operator, reason="changed_mind"
    )
    return Order.objects.get()


def test_one_order_is_answered_whole_with_its_timeline(store_api, cancelled_order):
    answer = store_api.get(f"/api/v1/orders/{cancelled_order.pk}").json()
    expected = order_data(cancelled_order, timeline=list(cancelled_order.events.all()))
    assert answer == as_json(expected)
    assert answer["timeline"][-1]["data"] == {
        "from": "awaiting_confirmation", "to": "cancelled", "reason": "changed_mind",
    }  # fmt: skip


def test_list_and_intake_answer_the_whole_representation(store_api, make_payload, cancelled_order):
    expected = as_json(order_data(cancelled_order))
    assert store_api.get("/api/v1/orders").json()["items"] == [expected]
    again = store_api.post("/api/v1/orders", make_payload())
    assert (again.status_code, again.json()) == (200, expected)
    bulk = store_api.post("/api/v1/orders/bulk", {"orders": [make_payload()]}).json()
    assert bulk["results"] == [{"index": 0, "result": "existing", "order": expected, "errors": []}]


def test_schema_names_every_key_of_the_representation(cancelled_order):
    """Key by key, nested parts too, so that a key added to `order_data` fails here first."""
    data = order_data(cancelled_order, timeline=list(cancelled_order.events.all()))
    assert_same_keys(OrderDetailOut, data, "order")
    assert set(OrderOut.model_fields) == set(data) - {"timeline"}


def assert_same_keys(model: type[BaseModel], data: dict, where: str) -> None:
    assert set(model.model_fields) == set(data), where
    for name, field in model.model_fields.items():
        inner = _model_in(field.annotation)
        values = data[name] if isinstance(data[name], list) else [data[name]]
        for value in values if inner else []:
            if value is None:  # an optional part the order does not have (yet)
                continue
            assert_same_keys(inner, value, f"{where}.{name}")


def _model_in(annotation) -> type[BaseModel] | None:
    """The model a field holds, alone, in a list or optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, typing.get_args(annotation))), None)
