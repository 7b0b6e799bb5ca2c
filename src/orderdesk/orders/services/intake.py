"""Order intake: validated in full, stored once per (store, external_id), in bulk.

Idempotency rests on the database's unique constraint, not on a check-then-insert: orders get
their ids (UUIDv7) before the insert, the insert skips conflicting rows, and a re-read tells
which ids landed. A concurrent duplicate waits for the first insert's transaction and then
finds that order, so ten simultaneous posts of one order create exactly one.

The rows are written with COPY (`core.sql.rows_copy`): the orders under a
savepoint, and only when a concurrent request stored one of the same orders first (the unique
constraint refuses the COPY) again with the skipping insert; customers in one statement that
inserts the new ones and reads the known ones."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from orderdesk.catalog.selectors import category_required_attributes
from orderdesk.core.models import uuid7
from orderdesk.core.phones import phone_region, phone_timezone_unambiguous
from orderdesk.core.sql import (
    NewInstances,
    model_columns,
    rows_copy,
    sql_fetch,
    sql_instances,
)
from orderdesk.delivery.models import Carrier
from orderdesk.delivery.selectors import (
    DeliveryZoneIndex,
    LocalityIndex,
    carriers_active_by_code,
    delivery_earliest_on,
)
from orderdesk.stores.models import Store

from ..address import address_line_split
from ..events import StoreEventType
from ..extensions import orders_created_notify
from ..intake import OrderIn, order_payload_check
from ..models import (
    Customer,
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    OrderStatus,
    StoreEvent,
)
from ..representations import orders_data

ADDRESS_FIELDS = ("street", "house", "apartment", "entrance", "floor", "intercom")


@dataclass
class IntakeResult:
    """One incoming order's fate: created, already there (`created` False), or refused (errors)."""

    index: int
    order: Order | None = None
    created: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)
    items: list[OrderItem] | None = None


def orders_intake(*, store: Store, payloads: Sequence[Any], actor_label: str) -> list[IntakeResult]:
    """Validate every payload, store the valid ones (even when others fail), one result each."""
    required = category_required_attributes(store_id=store.pk)
    carriers = carriers_active_by_code()
    results = [IntakeResult(index=i) for i in range(len(payloads))]
    valid: list[tuple[int, OrderIn]] = []
    for index, raw in enumerate(payloads):
        check = order_payload_check(
            raw,
            phone_region=store.default_phone_region,
            required_by_category=required,
            carrier_codes=frozenset(carriers),
        )
        if check.order is None:
            results[index].errors = check.errors
        else:
            valid.append((index, check.order))
    if valid:
        _orders_store(
            store=store, valid=valid, results=results, actor_label=actor_label, carriers=carriers
        )
    return results


@transaction.atomic
def _orders_store(
    *,
    store: Store,
    valid: list[tuple[int, OrderIn]],
    results: list[IntakeResult],
    actor_label: str,
    carriers: dict[str, Carrier],
):
    first_index: dict[str, int] = {}
    for index, payload in valid:
        first_index.setdefault(payload.external_id, index)
    payload_by_index = dict(valid)
    existing = _orders_existing(store=store, external_ids=list(first_index))
    fresh = {ext: payload_by_index[i] for ext, i in first_index.items() if ext not in existing}
    now = timezone.now()
    built = _orders_build(store=store, payloads=list(fresh.values()), now=now, carriers=carriers)
    landed = _orders_insert(store=store, orders=[order for order, _ in built])
    created = [(order, items) for order, items in built if order.pk in landed]
    # The items first: the apps that follow orders may read them (screening's duplicates).
    rows_copy(OrderItem, [item for _, items in created for item in items])
    orders_created_notify(orders=[order for order, _ in created], at=now)
    _orders_after_create(created=created, now=now, actor_label=actor_label)
    created_by_ext = {order.external_id: (order, items) for order, items in created}
    for index, payload in valid:
        ext = payload.external_id
        result = results[index]
        if ext in created_by_ext and first_index[ext] == index:
            result.order, result.items = created_by_ext[ext]
            result.created = True
        else:
            result.order = created_by_ext[ext][0] if ext in created_by_ext else existing.get(ext)
    _results_lost_races_fill(store=store, results=results, payload_by_index=payload_by_index)


def _results_lost_races_fill(
    *, store: Store, results: list[IntakeResult], payload_by_index
) -> None:
    """Orders another request stored between our read and our insert: theirs is the order."""
    lost = {
        payload_by_index[r.index].external_id: r
        for r in results
        if r.order is None and not r.errors
    }
    if lost:
        winners = _orders_existing(store=store, external_ids=list(lost))
        for external_id, result in lost.items():
            result.order = winners[external_id]


EXISTING_IDS_SQL = f"""
    SELECT {Order._meta.pk.column} FROM {Order._meta.db_table}
    WHERE {Order._meta.get_field("store").column} = %(store)s
      AND {Order._meta.get_field("external_id").column} = ANY(%(external_ids)s::text[])
"""  # noqa: S608 (names from the model)


def _orders_existing(*, store: Store, external_ids: list[str]) -> dict[str, Order]:
    """The store's orders among `external_ids`. Their ids are looked up first, in one statement
    with the ids as one array (a thousand of them compiled into an IN list cost more than the
    lookup), and only orders found are read in full: usually none."""
    found = sql_fetch(EXISTING_IDS_SQL, {"store": store.pk, "external_ids": external_ids})
    if not found:
        return {}
    orders = Order.objects.filter(store=store, pk__in=[row[0] for row in found])
    orders = orders.select_related("store", "customer", "locality", "carrier")
    return {order.external_id: order for order in orders}


def _orders_insert(*, store: Store, orders: list[Order]) -> set:
    """The ids of `orders` that landed; the others lost a race for their (store, external_id)."""
    if not orders:
        return set()
    try:
        with transaction.atomic():
            rows_copy(Order, orders)
        return {order.pk for order in orders}
    except IntegrityError:
        for order in orders:
            order._state.adding = True
    Order.objects.bulk_create(orders, ignore_conflicts=True)
    landed = Order.objects.filter(
        store=store, external_id__in=[order.external_id for order in orders]
    ).values_list("id", flat=True)
    return set(landed)


def _customers_for(*, store: Store, payloads: list[OrderIn]) -> dict[str, Customer]:
    """The store's customer for each phone: the known one, else a new one from the payload."""
    by_phone = {p.customer.phone: p.customer for p in payloads}
    known = _customers_upsert(store=store, by_phone=by_phone)
    missing = [
        Customer(
            store=store,
            phone=phone,
            name=c.name,
            email=c.email or "",
            language=c.language,
            additional_phones=c.additional_phones,
        )
        for phone, c in by_phone.items()
        if phone not in known
    ]
    if missing:
        Customer.objects.bulk_create(missing, ignore_conflicts=True)
        known |= {
            c.phone: c
            for c in Customer.objects.filter(store=store, phone__in=[m.phone for m in missing])
        }
    return known


_CUSTOMER = Customer._meta.db_table
CUSTOMERS_UPSERT_SQL = f"""
WITH given AS (
    SELECT * FROM jsonb_to_recordset(%(customers)s::jsonb) AS g(
        phone text, name text, email text, language text, additional_phones jsonb)
), added AS (
    INSERT INTO {_CUSTOMER}
        (store_id, phone, name, email, language, additional_phones, created_at, updated_at)
    SELECT %(store)s, phone, name, email, language, additional_phones, %(now)s, %(now)s
    FROM given
    ON CONFLICT ON CONSTRAINT orders_customer_store_phone_unique DO NOTHING
    RETURNING {model_columns(Customer, _CUSTOMER)}
)
SELECT * FROM added
UNION ALL
SELECT {model_columns(Customer, "c")}
FROM {_CUSTOMER} c JOIN given g ON g.phone = c.phone
WHERE c.store_id = %(store)s
"""  # noqa: S608 (column names from the model)


def _customers_upsert(*, store: Store, by_phone: dict) -> dict[str, Customer]:
    """New customers inserted and known ones read, in one statement. A customer another request
    commits meanwhile is in neither half (the statement's snapshot predates it): the caller's
    skipping insert and re-read find it."""
    given = [
        {
            "phone": phone,
            "name": c.name,
            "email": c.email or "",
            "language": c.language,
            "additional_phones": c.additional_phones,
        }
        for phone, c in by_phone.items()
    ]
    customers = sql_instances(
        Customer,
        CUSTOMERS_UPSERT_SQL,
        {"customers": Jsonb(given), "store": store.pk, "now": timezone.now()},
    )
    return {customer.phone: customer for customer in customers}


def _orders_build(
    *, store: Store, payloads: list[OrderIn], now: datetime, carriers: dict[str, Carrier]
) -> list[tuple[Order, list[OrderItem]]]:
    if not payloads:
        return []
    customers = _customers_for(store=store, payloads=payloads)
    localities = LocalityIndex()
    zones = DeliveryZoneIndex()
    new_order, new_item = NewInstances(Order), NewInstances(OrderItem)
    built = []
    for payload in payloads:
        order = _order_build(
            new_order,
            store=store,
            payload=payload,
            customer=customers[payload.customer.phone],
            localities=localities,
            zones=zones,
            carrier=carriers.get(payload.delivery.carrier),
            now=now,
        )
        items = [
            new_item(
                order=order,
                sku=item.sku,
                name=item.name,
                category=item.category,
                quantity=item.quantity,
                price=item.price,
                attributes=item.attributes,
                position=position,
            )
            for position, item in enumerate(payload.items)
        ]
        order.total = sum((i.price * i.quantity for i in items), Decimal("0"))
        built.append((order, items))
    return built


def _order_build(
    new_order: NewInstances,
    *,
    store: Store,
    payload: OrderIn,
    customer: Customer,
    localities: LocalityIndex,
    zones: DeliveryZoneIndex,
    carrier: Carrier | None,
    now: datetime,
) -> Order:
    delivery = payload.delivery
    country = phone_region(customer.phone)
    locality = localities.match(delivery.locality, country) or localities.match(delivery.locality)
    address = {name: getattr(delivery, name) for name in ADDRESS_FIELDS}
    if delivery.address_line:
        names = tuple(locality.all_names()) if locality else (delivery.locality,)
        split = address_line_split(delivery.address_line, locality_names=names)
        address |= {k: v for k, v in split.items() if not address[k]}
    return new_order(
        id=uuid7(),
        store=store,
        customer=customer,
        external_id=payload.external_id,
        source=payload.source,
        status=OrderStatus.AWAITING_CONFIRMATION,
        status_changed_at=now,
        language=payload.customer.language,
        customer_name=payload.customer.name,
        customer_email=payload.customer.email or "",
        recipient_name=payload.customer.name,
        payment_method=payload.payment.method,
        currency=payload.currency,
        comment=payload.comment,
        locality=locality,
        locality_name=delivery.locality,
        address_line=delivery.address_line,
        elevator=delivery.elevator,
        is_out_of_city=delivery.out_of_city,
        needs_address_check=locality is None or delivery.out_of_city,
        delivery_comment=delivery.comment,
        time_wish=delivery.time_wish,
        timezone=_order_timezone(locality=locality, phone=customer.phone, store=store),
        requested_delivery_on=delivery.date,
        carrier=carrier,
        earliest_delivery_on=delivery_earliest_on(
            locality=locality, at=now, zones=zones, carrier_code=carrier.code if carrier else None
        ),
        **address,
    )


def _order_timezone(*, locality, phone: str, store: Store) -> str:
    """The locality's zone; else the phone's when unambiguous; else the store's default."""
    if locality is not None:
        return locality.timezone
    return phone_timezone_unambiguous(phone) or store.default_timezone


def _orders_after_create(
    *, created: list[tuple[Order, list[OrderItem]]], now: datetime, actor_label: str
) -> None:
    """The timeline's first event and the store's order.created, in two inserts.

    An accepted order is created straight into awaiting confirmation (the `new` status is never
    observable), so its one `created` event records that status; the apps that follow orders
    (extensions.on_orders_created: calling's confirmation call) have run already, so the
    store's `order.created` shows their part."""
    new_event, new_store_event = NewInstances(OrderEvent), NewInstances(StoreEvent)
    events, outbox = [], []
    for order, _items in created:
        events.append(
            new_event(
                order=order,
                type=OrderEventType.CREATED,
                actor_label=actor_label,
                created_at=now,
                data={
                    "source": order.source,
                    "status": order.status,
                    "locality_matched": order.locality_id is not None,
                },
            )
        )
        order.created_at = order.updated_at = order.created_at or now
    payloads = orders_data(
        [order for order, _ in created],
        items_by_order={order.pk: items for order, items in created},
    )
    for (order, _items), payload in zip(created, payloads, strict=True):
        outbox.append(
            new_store_event(
                store_id=order.store_id,
                order=order,
                type=StoreEventType.CREATED,
                payload=payload,
                created_at=now,
            )
        )
    rows_copy(OrderEvent, events)
    rows_copy(StoreEvent, outbox)
