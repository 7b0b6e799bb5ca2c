"""A customer's store is indexed by the (store, phone) unique constraint; nothing looks store
events up by order: both single-column indexes go (each was written with every order taken in)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_indexes_fewer'),
        ('stores', '0001_initial'),
    ]

    # Only the indexes go: an AlterField would also drop and re-add each foreign key, which on
    # PostgreSQL checks every row of the table again.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_customer_store_id_4f3479a1"',
                    reverse_sql='CREATE INDEX "orders_customer_store_id_4f3479a1" ON "orders_customer" ("store_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_storeevent_order_id_b0d1868f"',
                    reverse_sql='CREATE INDEX "orders_storeevent_order_id_b0d1868f" ON "orders_storeevent" ("order_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='store',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to='stores.store'),
                ),
                migrations.AlterField(
                    model_name='storeevent',
                    name='order',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='store_events', to='orders.order'),
                ),
            ],
        ),
    ]
