"""Hot statements on PostgreSQL as server-side prepared statements.

Django binds parameters on the client, so PostgreSQL parses and plans every statement anew;
for the few statements run on every call (the queue head, a call's writes) planning costs more
than executing. `prepared_fetch` runs such a statement through a server-binding cursor on the
same connection, inside the caller's transaction, prepared once per connection and executed by
name afterwards (psycopg keeps the per-connection cache). Behind a connection pooler in
transaction mode this needs one that tracks prepared statements (PgBouncer 1.21 and newer with
max_prepared_statements set)."""

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db import connection


def prepared_fetch(sql: str, params: Mapping[str, Any] | Sequence[Any]) -> list[tuple]:
    """Every row `sql` returns; PostgreSQL only. Placeholders are psycopg's (%s, %(name)s)."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall() if cursor.description is not None else []
