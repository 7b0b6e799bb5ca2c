"""Hot statements on PostgreSQL as server-side prepared statements.

Django binds parameters on the client, so PostgreSQL parses and plans every statement anew;
for the few statements run on every call (the queue head, a call's writes) planning costs more
than executing. `prepared_fetch` runs such a statement through a server-binding cursor on the
same connection, inside the caller's transaction, prepared once per connection and executed by
name afterwards (psycopg keeps the per-connection cache). Behind a connection pooler in
transaction mode this needs one that tracks prepared statements (PgBouncer 1.21 and newer with
max_prepared_statements set)."""

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import psycopg
from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def prepared_fetch(sql: str, params: Mapping[str, Any] | Sequence[Any]) -> list[tuple]:
    """Every row `sql` returns; PostgreSQL only. Placeholders are psycopg's (%s, %(name)s);
    parameters are bound on the server, so a string parameter has no type until the statement
    gives it one: cast it (`%(name)s::text`) where two uses could read it differently."""
    connection.ensure_connection()
    with connection.wrap_database_errors:  # psycopg's errors as Django's (IntegrityError, …)
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall() if cursor.description is not None else []


def model_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in field order (the order
    `prepared_instances` reads them back in)."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def instance_from_row(model: type[M], row: Sequence[Any]) -> M:
    """A model instance from a row that begins with `model_columns(model, …)`, loaded as the ORM
    loads it (JSON decoded, the instance marked as coming from the database)."""
    fields = model._meta.concrete_fields
    values = [
        field.from_db_value(value, None, connection)
        if value is not None and hasattr(field, "from_db_value")
        else value
        for field, value in zip(fields, row, strict=False)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def prepared_instances(model: type[M], sql: str, params: Mapping[str, Any]) -> list[M]:
    """`prepared_fetch` of rows that begin with `model_columns(model, …)`, as instances."""
    return [instance_from_row(model, row) for row in prepared_fetch(sql, params)]


def as_saved(instance: M) -> M:
    """An instance whose row a prepared statement has just written, marked as the ORM marks a
    saved one (so a later `save()` updates rather than inserts)."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
