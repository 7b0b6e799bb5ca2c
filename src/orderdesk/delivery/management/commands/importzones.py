import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orderdesk.delivery.models import Carrier, Country
from orderdesk.delivery.selectors import LocalityIndex
from orderdesk.delivery.services import delivery_zones_import
from orderdesk.delivery.zonefile import ZONE_COLUMNS, zone_file_parse


class Command(BaseCommand):
    help = (
        "Import delivery zones from a CSV file with the columns "
        + ",".join(ZONE_COLUMNS)
        + " (and optionally carrier_name, naming a carrier the file registers: a code not "
        "known yet is a new carrier). Rows are matched by carrier, country and locality (* for every other locality "
        "of the country). Every bad row is reported by line and column, and then nothing is "
        "imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8), or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file without importing it"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        lines = _lines(file)
        localities = LocalityIndex()
        rows, errors = zone_file_parse(
            lines=lines,
            carriers=dict(Carrier.objects.values_list("code", "id")),
            countries=Country.values,
            locality_ids=lambda name, country: [
                loc.pk for loc in localities.candidates(name, country)
            ],
        )
        if errors:
            if options["json"]:
                self.stdout.write(
                    json.dumps({"errors": [e.__dict__ for e in errors]}, ensure_ascii=False)
                )
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s problem(s) in %(file)s; nothing was imported.")
                % {"count": len(errors), "file": file}
            )
        carriers: tuple[str, ...] = ()
        if dry_run:
            created = updated = 0
        else:
            summary = delivery_zones_import(rows=rows)
            created, updated = summary.created, summary.updated
            carriers = summary.carriers_created
        self._report(
            rows=len(rows), created=created, updated=updated, dry_run=dry_run,
            carriers=carriers, **options,
        )  # fmt: skip

    def _report(self, *, rows: int, created: int, updated: int, dry_run: bool, carriers, **options):
        if options["json"]:
            result = {
                "rows": rows, "created": created, "updated": updated, "dry_run": dry_run,
                "carriers_created": list(carriers),
            }  # fmt: skip
            self.stdout.write(json.dumps(result))
        elif dry_run:
            self.stdout.write(
                _("%(rows)s row(s) are valid; nothing was imported (dry run).") % {"rows": rows}
            )
        else:
            self.stdout.write(
                _("%(rows)s row(s) imported: %(created)s new, %(updated)s updated.")
                % {"rows": rows, "created": created, "updated": updated}
            )
            if carriers:
                self.stdout.write(_("New carriers: %(codes)s.") % {"codes": ", ".join(carriers)})


def _lines(file: str) -> list[str]:
    if file == "-":
        return sys.stdin.read().removeprefix("\ufeff").splitlines()
    try:
        return Path(file).read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise CommandError(
            _("cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror}
        ) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(_("%(file)s is not UTF-8 text") % {"file": file}) from exc
