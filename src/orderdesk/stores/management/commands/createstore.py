import json

from django.core.management.base import BaseCommand, CommandError

from orderdesk.core.errors import ApplicationError
from orderdesk.stores.services import store_create


class Command(BaseCommand):
    help = "Create a store (tenant) and its first API key; the key is shown once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, name, slug=None, **options):
        try:
            store, api_key = store_create(name=name, slug=slug)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        result = {"id": store.pk, "slug": store.slug, "api_key": api_key}
        if options["json"]:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(f"Store {store.slug} (id {store.pk}); API key, shown once: {api_key}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
