"""The delivery terms shipped with the product (SPEC 5, seed 002): admins edit them afterwards.

GarantA in Kazakhstan: Almaty the same day when confirmed before 12:00, else the next day; every
other locality the next day at the earliest, whatever the time of confirmation. Monday to
Saturday, no deliveries on public holidays. Russia: a courier service's country-wide terms, two
days at the earliest, so Russian orders can be confirmed until the real terms are entered."""

import datetime

from django.db import migrations

CARRIERS = [
    ("garanta", "ГарантА"),
    ("courier-ru", "Курьерская служба (Россия)"),
]
# carrier, country, locality (None: every other locality), lead_days, cutoff, weekdays, holidays, intervals
ZONES = [
    ("garanta", "KZ", "Алматы", 0, datetime.time(12, 0), "1-6", True, "10:00-14:00;14:00-18:00"),
    ("garanta", "KZ", None, 1, None, "1-6", True, "10:00-18:00"),
    ("courier-ru", "RU", None, 2, None, "1-6", True, "10:00-14:00;14:00-18:00"),
]


def load(apps, schema_editor):
    Carrier = apps.get_model("delivery", "Carrier")
    Locality = apps.get_model("delivery", "Locality")
    DeliveryZone = apps.get_model("delivery", "DeliveryZone")
    carriers = {}
    for code, name in CARRIERS:
        carriers[code], _ = Carrier.objects.get_or_create(code=code, defaults={"name": name})
    for code, country, locality_name, lead_days, cutoff, weekdays, holidays, intervals in ZONES:
        locality = (
            Locality.objects.get(country=country, name_ru=locality_name) if locality_name else None
        )
        DeliveryZone.objects.get_or_create(
            carrier=carriers[code],
            country=country,
            locality=locality,
            defaults={
                "lead_days": lead_days,
                "cutoff": cutoff,
                "weekdays": weekdays,
                "skips_holidays": holidays,
                "intervals": intervals,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0003_delivery_zones")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
