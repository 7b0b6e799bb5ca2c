"""The locality reference data shipped with the product (data/localities.csv), loaded by migrate."""

import csv
from pathlib import Path

from orderdesk.core.text import name_key

LOCALITIES_CSV = Path(__file__).resolve().parent / "data" / "localities.csv"


def locality_rows() -> list[dict]:
    with LOCALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def localities_load(locality_model, name_model) -> int:
    """Insert or update every shipped locality and rebuild its names; returns the row count.

    Takes the model classes so a data migration can pass its historical models."""
    rows = locality_rows()
    for row in rows:
        aliases = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        locality, _ = locality_model.objects.update_or_create(
            country=row["country"],
            name_ru=row["name_ru"].strip(),
            defaults={
                "region": row["region"].strip(),
                "name_kk": row["name_kk"].strip(),
                "name_en": row["name_en"].strip(),
                "timezone": row["timezone"].strip(),
                "aliases": aliases,
            },
        )
        names = [row["name_ru"], row["name_kk"], row["name_en"], *aliases]
        locality_names_rebuild(locality=locality, names=names, name_model=name_model)
    return len(rows)


def locality_names_rebuild(*, locality, names: list[str], name_model) -> None:
    keys = {name_key(n) for n in names if n and n.strip()}
    name_model.objects.filter(locality=locality).delete()
    name_model.objects.bulk_create([name_model(locality=locality, key=k) for k in sorted(keys)])
