"""Orders are never looked up by locality or carrier: their single-column indexes go (every
queue move of every call wrote into both)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_default_zones"),
        ("orders", "0005_event_indexes_fewer"),
    ]

    # Only the indexes go: an AlterField would also drop and re-add each foreign key, which on
    # PostgreSQL checks every row of the table again.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_carrier_id_3cfb3f7a"',
                    reverse_sql='CREATE INDEX "orders_order_carrier_id_3cfb3f7a" ON "orders_order" ("carrier_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_locality_id_1a7eb725"',
                    reverse_sql='CREATE INDEX "orders_order_locality_id_1a7eb725" ON "orders_order" ("locality_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="carrier",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="delivery.carrier",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="locality",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="delivery.locality",
                    ),
                ),
            ],
        ),
    ]
