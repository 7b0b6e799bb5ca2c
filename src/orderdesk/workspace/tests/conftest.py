"""Orders, staff and signed-in clients for the screens. Personal data here is invented."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import OperatorState
from orderdesk.calling.services.operators import operator_state_set
from orderdesk.conftest import order_payload
from orderdesk.orders.models import Order
from orderdesk.orders.services import orders_intake

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def make_order(store):
    def make(external_id: str = "A-1001", store_=None, **overrides) -> Order:
        payload = order_payload(external_id, **overrides)
        [result] = orders_intake(store=store_ or store, payloads=[payload], actor_label="test")
        assert result.errors == [], result.errors
        return Order.objects.select_related("customer", "store").get(pk=result.order.pk)

    return make


@pytest.fixture
def staff_client():
    def signed_in(user) -> Client:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return signed_in


@pytest.fixture
def operator_client(operator, staff_client) -> Client:
    return staff_client(operator)


@pytest.fixture
def supervisor_client(supervisor, staff_client) -> Client:
    return staff_client(supervisor)


@pytest.fixture
def other_operator(store):
    user, _, _ = user_create(
        username="op2", role="operator", store_slugs=[store.slug], languages=["ru"]
    )
    return user


# A Tuesday morning in Almaty: inside the default calling window (10:00–19:00 local), before
# the Almaty carrier's 12:00 cut-off.
WORK_MORNING = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.fixture
def work_morning():
    with time_machine.travel(WORK_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ready_operator(operator, work_morning):
    operator_state_set(operator=operator, state=OperatorState.READY)
    return operator
