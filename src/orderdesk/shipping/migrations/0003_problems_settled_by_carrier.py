"""A delivery problem the parcel's delivery or return settled before anyone called: decided
`carrier` (nobody's decision, nothing to send the carrier)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0002_cdek_status_codes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deliveryproblem",
            name="decision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("redeliver", "Deliver again"),
                    ("return", "Return to the store"),
                    ("carrier", "Settled by the carrier"),
                ],
                max_length=10,
                verbose_name="decision",
            ),
        ),
    ]
