from django.db import models


class BulkJSONField(models.JSONField):
    """A JSONField that bulk-inserts through a VALUES list instead of PostgreSQL's UNNEST arrays.

    Django 5.2 bulk-inserts on PostgreSQL as UNNEST(%s::jsonb[], …); with client-side binding the
    array literal is quoted in Python, character by character, which made the outbox insert of
    1,000 orders 2.5× slower than one placeholder per value (bench/intake.py). Same column type
    and migrations as JSONField (deconstructs as one)."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs
