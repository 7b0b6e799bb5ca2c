from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderdesk.accounts.services import user_api_token_issue
from orderdesk.calling.models import AddressCheck, CallResult, CallTaskState
from orderdesk.calling.rules import check_callback_first_day
from orderdesk.calling.services import (
    ADDRESS_CHECK_NOT_NEEDED,
    address_check_record,
    call_next_claim,
    call_outcome_record,
)
from orderdesk.conftest import ApiClient
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.models import OrderEvent, OrderEventType

from .conftest import NOW, fresh

ALMATY = ZoneInfo("Asia/Almaty")


def _village(make_order):
    return make_order(needs_address_check=True, is_out_of_city=True, locality_name="Каскелен")


def test_api_records_the_answer_for_a_supervisor(clock, make_order, supervisor, operator_api):
    order = _village(make_order)
    path = f"/api/v1/orders/{order.pk}/address-check"
    assert operator_api.post(path, {"deliverable": True}).status_code == 403
    assert not AddressCheck.objects.exists()
    api = ApiClient(user_api_token_issue(user=supervisor))
    response = api.post(path, {"deliverable": False, "note": "курьер не возит"})
    assert response.status_code == 200
    body = response.json()
    assert (body["deliverable"], body["note"], body["checked_by"]) == (
        False, "курьер не возит", "sup1"
    )  # fmt: skip
    assert body["checked_at"] == NOW.isoformat()
    assert body["order"]["id"] == str(order.pk)
    check = AddressCheck.objects.get(order=order)
    assert (check.deliverable, check.checked_by_id) == (False, supervisor.pk)
    event = OrderEvent.objects.get(order=order, type=OrderEventType.ADDRESS_CHECKED)
    assert event.data == {"deliverable": False, "note": "курьер не возит"}


def test_api_names_a_missing_or_wrong_field_and_stores_nothing(clock, make_order, supervisor):
    order = _village(make_order)
    api = ApiClient(user_api_token_issue(user=supervisor))
    path = f"/api/v1/orders/{order.pk}/address-check"
    missing = api.post(path, {"note": "?"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["deliverable"]
    wrong = api.post(path, {"deliverable": "perhaps"})
    assert wrong.status_code == 422
    assert not AddressCheck.objects.exists()


def test_an_order_without_a_check_takes_no_answer(clock, make_order, supervisor):
    order = make_order()
    with pytest.raises(ApplicationError) as refused:
        address_check_record(order=order, deliverable=True, note="", actor=supervisor)
    assert (refused.value.code, refused.value.status_code) == (ADDRESS_CHECK_NOT_NEEDED, 409)
    assert not AddressCheck.objects.exists()
    api = ApiClient(user_api_token_issue(user=supervisor))
    response = api.post(f"/api/v1/orders/{order.pk}/address-check", {"deliverable": True})
    assert (response.status_code, response.json()["error"]) == (409, ADDRESS_CHECK_NOT_NEEDED)


def test_another_stores_order_is_not_found(clock, make_order, supervisor, db):
    from orderdesk.stores.services import store_create

    other = store_create(name="Other", slug="other-shop")[0]
    order = make_order(store=other, needs_address_check=True)
    api = ApiClient(user_api_token_issue(user=supervisor))
    response = api.post(f"/api/v1/orders/{order.pk}/address-check", {"deliverable": True})
    assert response.status_code == 404
    assert not AddressCheck.objects.exists()


def test_the_answer_brings_the_parked_call_back_at_once(clock, make_order, operator, supervisor):
    order = _village(make_order)
    lease = call_next_claim(operator=operator).lease
    call_outcome_record(lease_id=lease.pk, operator=operator, result=CallResult.PENDING_CHECK)
    assert fresh(order).queue_state == CallTaskState.PENDING_CHECK
    clock.move_to(NOW + timedelta(minutes=20))
    address_check_record(order=order, deliverable=True, note="", actor=supervisor)
    again = fresh(order)
    assert (again.queue_state, again.next_call_at, again.callback_user_id) == (
        CallTaskState.CALLBACK, NOW + timedelta(minutes=20), operator.pk
    )  # fmt: skip


@pytest.mark.parametrize(
    ("asked", "called", "first_day"),
    [
        (datetime(2026, 11, 24, 11, 0), datetime(2026, 11, 24, 12, 5), None),
        (datetime(2026, 11, 24, 11, 0), datetime(2026, 11, 24, 16, 59), None),
        (datetime(2026, 11, 24, 11, 0), datetime(2026, 11, 24, 17, 0), date(2026, 11, 26)),
        (datetime(2026, 11, 24, 16, 30), datetime(2026, 11, 25, 10, 0), date(2026, 11, 26)),
        (datetime(2026, 11, 24, 16, 30), datetime(2026, 11, 25, 18, 0), date(2026, 11, 27)),
    ],
)
def test_check_callback_first_day(asked, called, first_day):
    assert (
        check_callback_first_day(
            asked_at=asked.replace(tzinfo=ALMATY), at=called.replace(tzinfo=ALMATY),
            zone="Asia/Almaty",
        )
        == first_day
    )  # fmt: skip


def test_check_callback_first_day_reads_the_customers_zone():
    """17:30 in Vladivostok is 12:30 in Almaty: the rule reads the customer's clock."""
    asked = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo("UTC"))  # 13:00 in Vladivostok
    at = datetime.combine(date(2026, 11, 24), time(7, 30), tzinfo=ZoneInfo("UTC"))
    assert check_callback_first_day(asked_at=asked, at=at, zone="Asia/Vladivostok") == date(
        2026, 11, 26
    )
    assert check_callback_first_day(asked_at=asked, at=at, zone="Asia/Almaty") is None
