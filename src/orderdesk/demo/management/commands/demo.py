"""`orderdesk demo`: migrate the embedded database, load demo data if empty, run web + worker.

Ctrl-C stops the web server, then the worker, then the embedded PostgreSQL server if this
command started it: nothing of the demo keeps running after it."""

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from orderdesk.core import embedded_postgres
from orderdesk.demo.data import DEMO_PASSWORD, demo_data_load, demo_data_needed


class Command(BaseCommand):
    help = "Run the demo: web app and background worker on the embedded database, with demo data."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--orders", type=int, default=300, help="demo orders to create when empty"
        )
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and exit")

    def handle(self, *args, port, host, orders, no_serve=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = {}
        if demo_data_needed():
            self.stdout.write("Loading demo data…")
            logins = demo_data_load(orders=orders)
        if no_serve:
            return
        self._banner(host=host, port=port, logins=logins)
        os.environ["ORDERDESK_DEMO"] = "1"  # the demo secret is accepted here, and in the worker
        worker = subprocess.Popen(
            [sys.executable, "-m", "orderdesk", "worker"], env=dict(os.environ)
        )
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
        finally:
            try:
                self._worker_stop(worker)
            finally:
                embedded_postgres.stop_if_started_here()

    def _worker_stop(self, worker: subprocess.Popen) -> None:
        """The worker gets ten seconds to finish what it is doing, then is killed."""
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def _banner(self, *, host: str, port: int, logins: dict[str, str]) -> None:
        self.stdout.write(self.style.SUCCESS(f"orderdesk demo: http://{host}:{port}/"))
        self.stdout.write(
            f"  admin: http://{host}:{port}/admin/   API docs: http://{host}:{port}/api/v1/docs"
        )
        users = logins or {"admin": "admin", "supervisor": "supervisor", "operator": "operator"}
        for username, role in users.items():
            self.stdout.write(f"  {role:<10} login {username!r} password {DEMO_PASSWORD!r}")
