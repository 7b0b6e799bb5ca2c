"""`orderdesk serve`: the production web server (gunicorn), refusing to start without a secret."""

import os
import sys

from django.core.management.base import BaseCommand

from orderdesk.core.security import secret_key_require


class Command(BaseCommand):
    help = "Run the production web server (gunicorn). Needs DJANGO_SECRET_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ORDERDESK_BIND", "0.0.0.0:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ORDERDESK_WEB_WORKERS", "4"))
        )

    def handle(self, *args, bind, workers, **options):
        secret_key_require()
        os.execv(  # noqa: S606
            sys.executable,
            [sys.executable, "-m", "gunicorn", "orderdesk.config.wsgi:application", "--bind", bind, "--workers", str(workers),
             "--access-logfile", "-", "--logger-class", "orderdesk.core.accesslog.AccessLogger"],
        )  # fmt: skip
