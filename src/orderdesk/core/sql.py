"""Hand-written SQL where a benchmark showed the ORM's statement or its Python cost too much,
always through Django's cursor (query capture, execute wrappers and tracing see every
statement), with table and column names taken from the models' `_meta`.

`rows_copy` writes many new rows with COPY … FROM STDIN, which streams them to the server while
the next ones are being built, with no statement text to assemble or parse (bench/intake.py)."""

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from django.db import connection
from django.db.models import AutoField, JSONField, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from psycopg.types.json import Jsonb

M = TypeVar("M", bound=Model)


def sql_fetch(sql: str, params: Mapping[str, Any] | Sequence[Any]) -> list[tuple]:
    """Every row `sql` returns, run through Django's cursor in the caller's transaction.
    Placeholders are psycopg's (%s, %(name)s)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else []


def model_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in field order (the order
    `sql_instances` reads them back in)."""
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


def sql_instances(model: type[M], sql: str, params: Mapping[str, Any]) -> list[M]:
    """`sql_fetch` of rows that begin with `model_columns(model, …)`, as instances."""
    return [instance_from_row(model, row) for row in sql_fetch(sql, params)]


def as_saved(instance: M, *, alias: str | None = None) -> M:
    """An instance whose row COPY has just written, marked as the ORM marks a saved one (so a later `save()` updates rather than inserts). `alias`: the connection's, when
    the caller has it at hand (reading it through Django's connection proxy costs more than the
    rest)."""
    instance._state.adding = False
    instance._state.db = alias or connection.alias
    return instance


def _copy_fields(model: type[Model]) -> list:
    """The columns COPY writes: every concrete field but a database-generated primary key."""
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, AutoField))
    ]


def _json_adapter(field: JSONField):
    if field.encoder is None:
        return Jsonb
    return partial(Jsonb, dumps=partial(json.dumps, cls=field.encoder))


def rows_copy(model: type[M], instances: Iterable[M]) -> int:
    """Insert `instances` as new rows with COPY, inside the caller's transaction.

    Values are written as the instances hold them (no `get_db_prep_save`): the caller hands in
    instances built for insertion. Fields the ORM fills on insert (`auto_now`, `auto_now_add`)
    are filled the same way when empty; a database-generated primary key is left to the database
    and not read back. A unique or check violation raises Django's IntegrityError, as
    `bulk_create` would. Returns the number of rows written."""
    fields = _copy_fields(model)
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    json_columns = [(i, _json_adapter(f)) for i, f in enumerate(fields) if isinstance(f, JSONField)]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        "FROM STDIN"
    )
    now = timezone.now()
    written = 0
    alias = connection.alias
    connection.ensure_connection()
    with connection.wrap_database_errors:
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for instance in instances:
                values = instance.__dict__
                for name in stamped:
                    if values.get(name) is None:
                        values[name] = now
                row = [values[name] for name in attnames]
                for index, adapt in json_columns:
                    row[index] = adapt(row[index])
                copy.write_row(row)
                as_saved(instance, alias=alias)
                written += 1
    return written


_MADE_PER_CALL = object()


class NewInstances:
    """Makes instances of `model` for a bulk insert, several times faster than
    `model(**values)`: the defaults are worked out once, and the field values are set as the
    positional constructor sets them. When something listens to the model's `pre_init` or
    `post_init` signal the constructor itself is used, so listeners see every instance.

    Values are named as for the model: by attname (`order_id`) or, for a relation, by field
    name with the related instance (`order=order`), which is then cached on the new instance
    as the keyword constructor would."""

    def __init__(self, model: type[M]):
        self.model = model
        fields = model._meta.concrete_fields
        self._attnames = [f.attname for f in fields]
        self._position = {name: i for i, name in enumerate(self._attnames)}
        self._relation = {f.name: (i, f) for i, f in enumerate(fields) if f.is_relation}
        self._template = [
            _MADE_PER_CALL if f.has_default() and callable(f.default) else f.get_default()
            for f in fields
        ]
        self._made_per_call = [
            (i, f.default) for i, f in enumerate(fields) if f.has_default() and callable(f.default)
        ]
        self._through_constructor = pre_init.has_listeners(model) or post_init.has_listeners(model)

    def __call__(self, **values: Any) -> M:
        args = self._template.copy()
        related = []
        for name, value in values.items():
            index = self._position.get(name)
            if index is None:
                if name not in self._relation:
                    raise TypeError(f"{self.model.__name__} has no field {name!r}")
                index, field = self._relation[name]
                related.append((field, value))
                value = None if value is None else value.pk
            args[index] = value
        for index, make in self._made_per_call:
            if args[index] is _MADE_PER_CALL:
                args[index] = make()
        if self._through_constructor:
            instance = self.model(*args)
        else:
            instance = self.model.__new__(self.model)
            instance._state = ModelState()
            instance.__dict__.update(zip(self._attnames, args, strict=True))
        for field, value in related:
            field.set_cached_value(instance, value)
        return instance
