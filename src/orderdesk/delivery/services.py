"""Writes of the delivery app: zone files, locality names."""

from dataclasses import dataclass

from django.db import transaction

from .models import Carrier, DeliveryZone, Locality, LocalityName
from .reference import locality_names_rebuild
from .zonefile import ZoneRow


@dataclass(frozen=True)
class ZoneImportSummary:
    created: int
    updated: int
    carriers_created: tuple[str, ...] = ()


@transaction.atomic
def delivery_zones_import(*, rows: list[ZoneRow]) -> ZoneImportSummary:
    """Upsert every row by carrier + country + locality, all in one transaction.

    The caller hands in rows only when the whole file parsed clean (zone_file_parse), so a file
    is imported entirely or not at all; a database error rolls back the rows already written."""
    new_carriers = _carriers_register(rows)
    created = 0
    for row in rows:
        _, was_created = DeliveryZone.objects.update_or_create(
            carrier_id=row.carrier_id or new_carriers[row.carrier_code].pk,
            country=row.country,
            locality_id=row.locality_id,
            defaults={
                "lead_days": row.lead_days,
                "cutoff": row.cutoff,
                "weekdays": row.weekdays,
                "skips_holidays": row.skips_holidays,
                "intervals": row.intervals,
                "is_active": True,
            },
        )
        created += was_created
    return ZoneImportSummary(
        created=created, updated=len(rows) - created, carriers_created=tuple(new_carriers)
    )


def _carriers_register(rows: list[ZoneRow]) -> dict[str, Carrier]:
    """The carriers the file names that the product does not know yet, created active, named by
    the first `carrier_name` given for them (else by their code)."""
    names: dict[str, str] = {}
    for row in rows:
        if row.carrier_id is None and not names.get(row.carrier_code):
            names[row.carrier_code] = row.carrier_name
    return {
        code: Carrier.objects.get_or_create(code=code, defaults={"name": name or code})[0]
        for code, name in names.items()
    }


@transaction.atomic
def locality_save(*, locality: Locality) -> Locality:
    """Save a locality and rebuild its matching names in the same transaction, so intake never
    matches on names the locality no longer has."""
    locality.save()
    locality_names_rebuild(locality=locality, names=locality.all_names(), name_model=LocalityName)
    return locality
