"""An operator's inbound claim pressed twice at the same instant (two tabs, a double click) on
PostgreSQL: one lease, and the other claim is a 409, never a second lease or a server error."""

import threading

import pytest
from django.db import connection

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import Lease
from orderdesk.calling.services.inbound import OPERATOR_ON_ANOTHER_CALL, inbound_call_claim
from orderdesk.core.errors import ApplicationError

from .conftest import order_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_operator_two_inbound_claims_at_once_gives_one_lease(clock, store):
    orders = [order_make(store=store, phone=f"+7 701 555 00 0{n}") for n in range(2)]
    operator, _key, _token = user_create(
        username="inbound", role="operator", store_slugs=[store.slug]
    )
    barrier = threading.Barrier(2)
    answers: dict[int, object] = {}

    def claim(n: int) -> None:
        try:
            barrier.wait()
            answers[n] = inbound_call_claim(operator=operator, order=orders[n])
        except ApplicationError as error:
            answers[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [a for a in answers.values() if isinstance(a, ApplicationError)]
    assert len(answers) == 2 and len(refused) == 1
    assert (refused[0].code, refused[0].status_code) == (OPERATOR_ON_ANOTHER_CALL, 409)
    assert Lease.objects.filter(operator=operator, ended_at=None).count() == 1
