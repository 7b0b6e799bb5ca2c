"""Single-column foreign-key indexes that another index already covers (it leads with the
same column) or that nothing reads (a lease is looked up by customer only while live): each
was written on every call."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calling", "0003_lease_end_reason_released"),
        ("orders", "0005_event_indexes_fewer"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Only the indexes go: an AlterField would also drop and re-add each foreign key, which on
    # PostgreSQL checks every row of the table again.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "calling_callattempt_customer_id_a20a6937"',
                    reverse_sql='CREATE INDEX "calling_callattempt_customer_id_a20a6937" ON "calling_callattempt" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "calling_callattempt_operator_id_a3899c52"',
                    reverse_sql='CREATE INDEX "calling_callattempt_operator_id_a3899c52" ON "calling_callattempt" ("operator_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "calling_lease_customer_id_507b36ec"',
                    reverse_sql='CREATE INDEX "calling_lease_customer_id_507b36ec" ON "calling_lease" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "calling_operatorstateslice_operator_id_ce2596f9"',
                    reverse_sql='CREATE INDEX "calling_operatorstateslice_operator_id_ce2596f9" ON "calling_operatorstateslice" ("operator_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="callattempt",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="callattempt",
                    name="operator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="call_attempts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="lease",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="operatorstateslice",
                    name="operator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="state_slices",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
