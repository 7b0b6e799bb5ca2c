"""Prepared statements and COPY on PostgreSQL: rows load and land as the ORM's would, errors
are Django's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orderdesk.accounts.services import user_create
from orderdesk.calling.models import Lease
from orderdesk.core.sql import (
    NewInstances,
    model_columns,
    rows_copy,
    sql_fetch,
    sql_instances,
)
from orderdesk.orders.events import StoreEventType
from orderdesk.orders.models import Customer, Order, StoreEvent
from orderdesk.stores.services import store_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


LEASE_SQL = f"SELECT {model_columns(Lease, 'l')} FROM calling_lease l WHERE l.id = %(id)s"


def _lease() -> Lease:
    store, _ = store_create(name="Склад", slug="sql")
    operator = user_create(username="sql-op", role="operator", store_slugs=["sql"])[0]
    customer = Customer.objects.create(store=store, phone="+77010000001", name="Тест")
    now = timezone.now()
    return Lease.objects.create(
        operator=operator,
        store=store,
        customer=customer,
        held=[{"id": "a", "queue_state": "queued", "next_call_at": None, "callback_user_id": None}],
        claimed_at=now,
        expires_at=now + timedelta(minutes=5),
    )


def test_a_row_loads_as_the_orm_loads_it():
    lease = _lease()
    [loaded] = sql_instances(Lease, LEASE_SQL, {"id": lease.pk})
    orm = Lease.objects.get(pk=lease.pk)
    for field in Lease._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    assert loaded._state.adding is False and loaded.held[0]["queue_state"] == "queued"


def test_a_second_run_of_the_same_statement_gives_the_same_rows():
    lease = _lease()
    first = sql_fetch(LEASE_SQL, {"id": lease.pk})
    again = [sql_fetch(LEASE_SQL, {"id": lease.pk}) for _ in range(6)]
    assert all(rows == first for rows in again) and len(first) == 1


def test_the_statement_is_seen_by_djangos_query_capture():
    lease = _lease()
    with CaptureQueriesContext(connection) as captured:
        sql_fetch(LEASE_SQL, {"id": lease.pk})
    [query] = captured.captured_queries
    assert query["sql"].startswith(LEASE_SQL.split("%(id)s")[0])
    assert str(lease.pk).replace("-", "") in query["sql"].replace("-", "")


def test_a_constraint_violation_is_djangos_integrity_error_and_rolls_back():
    lease = _lease()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_fetch(
            "UPDATE calling_lease SET expires_at = claimed_at - interval '1 day' "
            "WHERE id = %(id)s RETURNING id",
            {"id": lease.pk},
        )
        sql_fetch(
            "INSERT INTO calling_lease (id, operator_id, store_id, customer_id, held, claimed_at,"
            " expires_at, ended_at, end_reason) SELECT gen_random_uuid(), operator_id, store_id,"
            " customer_id, held, claimed_at, expires_at, NULL, '' FROM calling_lease"
            " WHERE id = %(id)s",
            {"id": lease.pk},
        )  # a second live lease for the operator: calling_lease_one_live_per_operator
    assert Lease.objects.get(pk=lease.pk).expires_at > lease.claimed_at  # the update rolled back


def test_copied_rows_read_back_as_bulk_create_would_have_stored_them():
    store, _ = store_create(name="Склад", slug="copy")
    customers = [
        Customer(store=store, phone="+77010000011", name="Ол'ег \\ \t «таб»", additional_phones=[]),
        Customer(store=store, phone="+77010000012", email="a@example.kz", additional_phones=["+77010000013"]),
    ]  # fmt: skip
    assert rows_copy(Customer, customers) == 2
    assert all(c._state.adding is False and c.created_at is not None for c in customers)
    stored = {c.phone: c for c in Customer.objects.filter(store=store)}
    assert stored["+77010000011"].name == "Ол'ег \\ \t «таб»"
    assert stored["+77010000012"].additional_phones == ["+77010000013"]
    assert stored["+77010000012"].language == "ru" and stored["+77010000011"].pk is not None


def test_copy_keeps_json_as_given_and_the_instances_own_primary_key():
    store, _ = store_create(name="Склад", slug="copy-json")
    customer = Customer.objects.create(store=store, phone="+77010000021")
    order = Order.objects.create(
        store=store, customer=customer, external_id="C-1", payment_method="cash_on_delivery",
        locality_name="Алматы", timezone="Asia/Almaty",
    )  # fmt: skip
    payload = {"note": '<b>"quoted"</b>\n', "nested": {"list": [1, None, "два"]}, "n": 1.5}
    event = StoreEvent(
        store=store,
        order=order,
        type=StoreEventType.CREATED,
        payload=payload,
        created_at=timezone.now(),
    )
    rows_copy(StoreEvent, [event])
    assert StoreEvent.objects.get(pk=event.pk).payload == payload


def test_a_copy_that_breaks_a_constraint_is_djangos_integrity_error_and_rolls_back():
    store, _ = store_create(name="Склад", slug="copy-unique")
    Customer.objects.create(store=store, phone="+77010000031")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_copy(Customer, [Customer(store=store, phone="+77010000032"),
                             Customer(store=store, phone="+77010000031")])  # fmt: skip
    assert Customer.objects.filter(store=store).count() == 1


def test_new_instances_are_what_the_keyword_constructor_makes(django_assert_num_queries):
    store, _ = store_create(name="Склад", slug="new-instances")
    customer = Customer.objects.create(store=store, phone="+77010000041")
    values = dict(
        store=store, customer=customer, external_id="N-1", payment_method="cash_on_delivery",
        locality_name="Алматы", timezone="Asia/Almaty", total=Decimal("10.50"),
    )  # fmt: skip
    made, built = NewInstances(Order)(**values), Order(**values)
    for field in Order._meta.concrete_fields:
        if field.name != "id":
            assert getattr(made, field.attname) == getattr(built, field.attname), field.name
    assert made.pk is not None and made.pk != NewInstances(Order)(**values).pk  # uuid7 per call
    assert made._state.adding is True and made._state.db is None
    with django_assert_num_queries(0):
        assert made.store is store and made.customer is customer
    made.save()
    assert Order.objects.get(pk=made.pk).external_id == "N-1"


def test_new_instances_take_attnames_and_refuse_unknown_fields():
    new_customer = NewInstances(Customer)
    first, second = new_customer(store_id=1, phone="+1"), new_customer(store_id=1, phone="+2")
    assert first.store_id == 1 and first.language == "ru" and first.name == ""
    assert first.additional_phones == [] and first.additional_phones is not second.additional_phones
    with pytest.raises(TypeError, match="no field 'nickname'"):
        new_customer(nickname="x")


def test_new_instances_go_through_the_constructor_when_init_signals_are_listened_to():
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Customer)
    try:
        made = NewInstances(Customer)(store_id=1, phone="+3")
    finally:
        post_init.disconnect(listener, sender=Customer)
    assert seen == [made]
