from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orderdesk.catalog.commerceml import CommerceMLInvalid, commerceml_import
from orderdesk.stores.models import Store


class Command(BaseCommand):
    help = (
        "Import a store's catalogue from CommerceML 2 files as 1C:Enterprise and 1C-Bitrix "
        "export them: import.xml (groups, properties, products) and offers.xml (prices by "
        "price type, stock per warehouse). All or nothing: every bad element is reported, and "
        "then nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="the store's slug")
        parser.add_argument("files", nargs="+", help="import.xml and/or offers.xml")

    def handle(self, *args, store: str, files: list[str], **options):
        found = Store.objects.filter(slug=store).first()
        if found is None:
            raise CommandError(_("no store with the slug %(slug)s") % {"slug": store})
        try:
            counts = commerceml_import(store=found, paths=[Path(f) for f in files])
        except CommerceMLInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(count)s problem(s); nothing was imported.") % {"count": len(invalid.errors)}
            ) from None
        self.stdout.write(
            _("Imported: %(groups)s groups, %(products)s products, %(offers)s offers "
              "(%(created)s products new).") % counts.__dict__
        )  # fmt: skip
