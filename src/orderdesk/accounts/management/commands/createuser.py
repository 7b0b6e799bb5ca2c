import json

from django.core.management.base import BaseCommand, CommandError

from orderdesk.accounts.models import Role
from orderdesk.accounts.services import user_create
from orderdesk.core.errors import ApplicationError, ValidationFailed


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Command(BaseCommand):
    help = "Create a staff user; the password and API token are shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--stores", help="comma-separated store slugs")
        parser.add_argument("--languages", help="comma-separated: ru,kk,en (default ru)")
        parser.add_argument("--password", help="default: a random one, printed")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, username, role, stores=None, languages=None, password=None, **options):
        try:
            user, password, token = user_create(
                username=username,
                role=role,
                store_slugs=_csv(stores),
                languages=_csv(languages) or None,
                password=password,
            )
        except ValidationFailed as exc:
            raise CommandError(
                "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
            ) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        result = {
            "id": user.pk,
            "username": user.username,
            "password": password,
            "api_token": token,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"User {user.username} ({role}); password: {password}; API token: {token}"
            )
