"""PostgreSQL: a claim commits without waiting for its WAL flush, the outcome waits for it, and the
connection's later transactions are back to the server's setting."""

import pytest
from django.db import connection, transaction

from orderdesk.accounts.services import user_create
from orderdesk.calling.services import call_next_claim, call_outcome_record, leases, outcomes
from orderdesk.stores.services import store_create

from .test_concurrency import _all_hours_window, _orders_bulk


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _recording(function, seen: list[str]):
    """`function`, noting the transaction's synchronous_commit right after it wrote."""

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        seen.append(_synchronous_commit())
        return result

    return wrapper


def _operator_with_a_customer_due(slug: str):
    """An operator of a new store, open all day, where one customer's two orders are due."""
    store, _ = store_create(name="Журнал", slug=slug)
    _all_hours_window(store)
    _orders_bulk(store, 2)
    return user_create(username=f"{slug}-operator", role="operator", store_slugs=[slug])[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_claim_commits_without_waiting_for_its_wal(monkeypatch):
    operator = _operator_with_a_customer_due("wal")
    seen_in_claim: list[str] = []
    seen_in_outcome: list[str] = []
    monkeypatch.setattr(
        leases,
        "_commit_without_wal_wait",
        _recording(leases._commit_without_wal_wait, seen_in_claim),
    )
    monkeypatch.setattr(
        outcomes, "_call_end_record", _recording(outcomes._call_end_record, seen_in_outcome)
    )
    assert _synchronous_commit() == "on"

    claim = call_next_claim(operator=operator)
    assert claim is not None
    assert seen_in_claim == ["off"]
    assert _synchronous_commit() == "on"  # the setting ended with the claim's transaction

    call_outcome_record(lease_id=claim.lease.pk, operator=operator, result="no_answer")
    assert seen_in_outcome == ["on"]
    assert _synchronous_commit() == "on"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_inside_a_callers_transaction_leaves_its_commit_waiting(monkeypatch):
    operator = _operator_with_a_customer_due("wal-nested")
    seen_in_claim: list[str] = []
    monkeypatch.setattr(leases, "_lease_open", _recording(leases._lease_open, seen_in_claim))
    with transaction.atomic():
        assert call_next_claim(operator=operator) is not None
        assert _synchronous_commit() == "on"
    assert seen_in_claim == ["on"]
