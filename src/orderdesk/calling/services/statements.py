"""PostgreSQL: the claim's and the outcome's locks and writes as a few prepared statements.

Every call of every operator runs claim → outcome. Through the ORM that is about thirty
statements, each compiled in Python and planned by PostgreSQL anew; here the same rows are
locked and written in four: the customer with their orders, the lease with its moves, events
and state slice, the held orders with their earlier attempts, and the outcome's attempt,
moves, events, lease end and state slice. What is written is decided in Python by the same
code for both databases (leases.py, outcomes.py); SQLite writes it through the ORM
(`orders_queue_move`, `operator_state_set`), where writers are serialised anyway. The claim
and outcome tests run on both databases and hold the two writers to the same rows.

The claim's transaction commits without waiting for its WAL to reach the disk
(`synchronous_commit` off for that transaction alone, set by the lease's statement, unless the
claim runs inside a caller's transaction, whose other writes must wait for theirs): a claim
lost to a server crash in the fraction of a second before the WAL writer flushes it leaves the
orders in the queue as they were, and the operator's outcome on the lost lease is refused (404)
rather than recorded. Anything that depends on the claim commits later and waits for its own
WAL, which includes the claim's: no durable row can refer to a claim that was lost. The
outcome, where what the operator entered is written, commits synchronously. With 64
operators, waiting for WAL flushes was most of a claim's time.

Data-modifying parts of one statement run in an unspecified order unless one reads another:
the state slice is opened only after the open one was closed (`slice_opened` reads
`slice_closed`), and the operator's user row is locked before either, as `operator_state_set`
does."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from orderdesk.core.sql import prepared_fetch
from orderdesk.orders.models import Order

from ..models import NOT_CONTACTED_RESULTS, RETRY_RESULTS, LeaseEnd

# The operator's state: the open slice closed unless it is already `state`, then one opened.
_STATE_SLICE_SET = """
    operator_locked AS (
        SELECT id FROM accounts_user WHERE id = %(operator)s FOR UPDATE
    ),
    slice_closed AS (
        UPDATE calling_operatorstateslice s SET ended_at = %(at)s
        WHERE s.operator_id = (SELECT id FROM operator_locked) AND s.ended_at IS NULL
          AND NOT (s.state = %(state)s::text AND s.pause_code = '')
        RETURNING s.id
    ),
    slice_opened AS (
        INSERT INTO calling_operatorstateslice (operator_id, state, pause_code, started_at, ended_at)
        SELECT %(operator)s, %(state)s::text, '', %(at)s, NULL
        FROM (SELECT count(*) FROM slice_closed) AS closed
        WHERE NOT EXISTS (
            SELECT 1 FROM calling_operatorstateslice s
            WHERE s.operator_id = %(operator)s AND s.ended_at IS NULL
              AND s.state = %(state)s::text AND s.pause_code = ''
        )
    )
"""

# The minimum gap: the last call to this phone in any store (a call a supervisor released
# without reaching the customer does not count), and whether someone is on a call with it.
_GAP_COLUMNS = """
    (SELECT max(a.ended_at)
       FROM calling_callattempt a
       JOIN orders_customer same ON same.id = a.customer_id
       LEFT JOIN calling_lease l ON l.id = a.lease_id
      WHERE same.phone = customer.phone
        AND NOT (COALESCE(l.end_reason, '') = %(released)s::text
                 AND a.result = ANY(%(not_contacted)s::text[]))) AS last_call_at,
    EXISTS (SELECT 1
              FROM calling_lease l
              JOIN orders_customer same ON same.id = l.customer_id
             WHERE same.phone = customer.phone AND l.ended_at IS NULL) AS on_call
"""
_CUSTOMER_ORDERS_LOCK = """
    WITH customer AS (
        SELECT c.id, c.phone FROM orders_customer c
        WHERE c.id = %(customer)s
        FOR UPDATE SKIP LOCKED
    )
    SELECT o.id, o.queue_state, o.next_call_at, o.callback_user_id, o.timezone, {gap}
    FROM customer JOIN orders_order o ON o.customer_id = customer.id
    WHERE o.store_id = %(store)s AND o.status = 'awaiting_confirmation'
      AND o.queue_state IN ('queued', 'callback')
    ORDER BY o.created_at, o.id
    FOR UPDATE OF o
"""
CUSTOMER_ORDERS_LOCK_SQL = {
    True: _CUSTOMER_ORDERS_LOCK.format(gap=_GAP_COLUMNS),
    False: _CUSTOMER_ORDERS_LOCK.format(gap="NULL AS last_call_at, false AS on_call"),
}


@dataclass
class CustomerOrders:
    """A customer's dialable orders in a store, locked, and what the minimum gap needs."""

    orders: list[Order]
    last_call_at: datetime | None
    on_call: bool


def customer_orders_lock(*, store_id: int, customer_id: int, gap: bool) -> CustomerOrders | None:
    """The customer row (without waiting: None when another claimer holds it) and every order
    of theirs a lease takes along (`customer_dialable_orders`), locked; the gap columns when
    `gap`."""
    rows = prepared_fetch(
        CUSTOMER_ORDERS_LOCK_SQL[gap],
        {
            "customer": customer_id,
            "store": store_id,
            "released": LeaseEnd.RELEASED,
            "not_contacted": sorted(NOT_CONTACTED_RESULTS),
        },
    )
    if not rows:
        return None
    orders = [
        Order(
            id=row[0],
            store_id=store_id,
            customer_id=customer_id,
            queue_state=row[1],
            next_call_at=row[2],
            callback_user_id=row[3],
            timezone=row[4],
        )
        for row in rows
    ]
    return CustomerOrders(orders=orders, last_call_at=rows[0][5], on_call=rows[0][6])


LEASE_OPEN_SQL = f"""
    WITH lease AS (
        INSERT INTO calling_lease
            (id, operator_id, store_id, customer_id, held, claimed_at, expires_at, ended_at,
             end_reason)
        VALUES (%(lease)s, %(operator)s, %(store)s, %(customer)s, %(held)s, %(at)s,
                %(expires)s, NULL, '')
        RETURNING id
    ),
    moved AS (
        UPDATE orders_order o
        SET queue_state = 'in_call', updated_at = %(at)s, lease_id = (SELECT id FROM lease),
            lease_user_id = %(operator)s, lease_expires_at = %(expires)s
        WHERE o.id = ANY(%(orders)s::uuid[]) AND o.status = 'awaiting_confirmation'
          AND o.queue_state IN ('queued', 'callback')
        RETURNING o.id
    ),
    events AS (
        INSERT INTO orders_orderevent (order_id, type, actor_id, actor_label, data, created_at)
        SELECT e.order_id, 'queue_changed', %(operator)s, %(label)s::text, e.data, %(at)s
        FROM unnest(%(orders)s::uuid[], %(events)s::jsonb[]) WITH ORDINALITY AS e(order_id, data, n)
        WHERE e.order_id IN (SELECT id FROM moved)
        ORDER BY e.n
    ),
    {_STATE_SLICE_SET}
    SELECT count(*), set_config('synchronous_commit', CASE WHEN %(commit_waits)s::boolean
                                   THEN current_setting('synchronous_commit') ELSE 'off' END, true)
    FROM moved
"""  # noqa: S608 (built from the constants above only)


def lease_open_write(
    *,
    lease_id: UUID,
    operator_id: int,
    operator_label: str,
    store_id: int,
    customer_id: int,
    held: list[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    at: datetime,
    expires_at: datetime,
    state: str,
    commit_waits: bool = True,
) -> int:
    """Insert the lease, move the held orders to the call with a timeline event each, and put
    the operator in `state`; how many orders moved (fewer than held: someone else moved one).
    `commit_waits` False: the transaction's commit will not wait for its WAL flush."""
    rows = prepared_fetch(
        LEASE_OPEN_SQL,
        {
            "lease": lease_id,
            "operator": operator_id,
            "label": operator_label,
            "store": store_id,
            "customer": customer_id,
            "held": Jsonb(held),
            "orders": [UUID(entry["id"]) for entry in held],
            "events": [Jsonb(event) for event in events],
            "at": at,
            "expires": expires_at,
            "state": state,
            "commit_waits": commit_waits,
        },
    )
    return rows[0][0]


HELD_ORDERS_LOCK_SQL = """
    SELECT o.id, o.queue_state, o.timezone, o.attempts_count, o.first_call_at,
           ARRAY(SELECT a.started_at
                   FROM calling_callattempt_orders ao
                   JOIN calling_callattempt a ON a.id = ao.callattempt_id
                  WHERE ao.order_id = o.id AND a.result = ANY(%(retry_results)s::text[]))
    FROM orders_order o
    WHERE o.lease_id = %(lease)s AND o.queue_state = 'in_call'
    ORDER BY o.created_at, o.id
    FOR UPDATE OF o
"""


def held_orders_lock(*, lease_id: UUID) -> list[tuple[Order, list[datetime]]]:
    """The orders a lease still holds, locked, each with the start times of its unsuccessful
    attempts so far (for the retry rule's quotas)."""
    rows = prepared_fetch(
        HELD_ORDERS_LOCK_SQL, {"lease": lease_id, "retry_results": sorted(RETRY_RESULTS)}
    )
    return [
        (
            Order(
                id=row[0],
                queue_state=row[1],
                timezone=row[2],
                attempts_count=row[3],
                first_call_at=row[4],
                lease_id=lease_id,
            ),
            list(row[5]),
        )
        for row in rows
    ]


OUTCOME_WRITE_SQL = f"""
    WITH attempt AS (
        INSERT INTO calling_callattempt
            (lease_id, operator_id, store_id, customer_id, started_at, ended_at, result, notes,
             callback_at, reason)
        VALUES (%(lease)s, %(operator)s, %(store)s, %(customer)s, %(started)s, %(at)s,
                %(result)s::text, %(notes)s::text, %(callback_at)s, '')
        RETURNING id
    ),
    linked AS (
        INSERT INTO calling_callattempt_orders (callattempt_id, order_id)
        SELECT attempt.id, held.id FROM attempt, unnest(%(held)s::uuid[]) AS held(id)
    ),
    moves AS (
        SELECT * FROM unnest(
            %(orders)s::uuid[], %(states)s::text[], %(next_call_at)s::timestamptz[],
            %(callback_users)s::bigint[], %(attempts)s::integer[], %(first_call_at)s::timestamptz[],
            %(events)s::jsonb[]
        ) WITH ORDINALITY AS m(id, state, next_call_at, callback_user_id, attempts_count,
                               first_call_at, event, n)
    ),
    moved AS (
        UPDATE orders_order o
        SET queue_state = m.state, updated_at = %(at)s, lease_id = NULL, lease_user_id = NULL,
            lease_expires_at = NULL, next_call_at = m.next_call_at,
            callback_user_id = m.callback_user_id, attempts_count = m.attempts_count,
            first_call_at = m.first_call_at
        FROM moves m
        WHERE o.id = m.id AND o.status = 'awaiting_confirmation'
          AND o.lease_id = %(lease)s AND o.queue_state = 'in_call'
        RETURNING o.id
    ),
    events AS (
        INSERT INTO orders_orderevent (order_id, type, actor_id, actor_label, data, created_at)
        SELECT id, type, %(operator)s, %(label)s::text, data, %(at)s FROM (
            SELECT m.id, 'queue_changed' AS type, m.event AS data, 1 AS part, m.n
            FROM moves m WHERE m.id IN (SELECT id FROM moved)
            UNION ALL
            SELECT m.id, 'call_attempt', jsonb_build_object(
                       'attempt', attempt.id, 'result', %(result)s::text, 'notes', %(notes)s::text),
                   2, m.n
            FROM moves m, attempt WHERE m.id IN (SELECT id FROM moved)
        ) AS timeline
        ORDER BY part, n
    ),
    lease_ended AS (
        UPDATE calling_lease SET ended_at = %(at)s, end_reason = %(end_reason)s::text
        WHERE id = %(lease)s
    ),
    {_STATE_SLICE_SET}
    SELECT (SELECT id FROM attempt), (SELECT count(*) FROM moved)
"""  # noqa: S608 (built from the constants above only)


@dataclass(frozen=True)
class OrderMove:
    """Where one held order goes after a call that decided nothing."""

    order: Order
    queue_state: str
    next_call_at: datetime | None
    callback_user_id: int | None
    attempts_count: int
    first_call_at: datetime
    event: dict[str, Any]


def outcome_write(
    *,
    lease_id: UUID,
    operator_id: int,
    operator_label: str,
    store_id: int,
    customer_id: int,
    held_ids: list[str],
    started_at: datetime,
    at: datetime,
    result: str,
    notes: str,
    callback_at: datetime | None,
    moves: Sequence[OrderMove],
    state: str,
) -> tuple[int, int]:
    """Record the attempt (linked to every order the lease held), move the orders still held,
    with their timeline events, end the lease and put the operator in `state`: (the attempt's
    id, how many orders moved)."""
    rows = prepared_fetch(
        OUTCOME_WRITE_SQL,
        {
            "lease": lease_id,
            "operator": operator_id,
            "label": operator_label,
            "store": store_id,
            "customer": customer_id,
            "held": [UUID(str(order_id)) for order_id in held_ids],
            "started": started_at,
            "at": at,
            "result": result,
            "notes": notes,
            "callback_at": callback_at,
            "orders": [move.order.pk for move in moves],
            "states": [move.queue_state for move in moves],
            "next_call_at": [move.next_call_at for move in moves],
            "callback_users": [move.callback_user_id for move in moves],
            "attempts": [move.attempts_count for move in moves],
            "first_call_at": [move.first_call_at for move in moves],
            "events": [Jsonb(move.event) for move in moves],
            "end_reason": LeaseEnd.OUTCOME,
            "state": state,
        },
    )
    return rows[0][0], rows[0][1]
