"""`orderdesk worker`: the task queue (django-tasks database backend) plus the periodic jobs."""

import logging
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from orderdesk.core.periodic import PeriodicJob, periodic_jobs_discover

logger = logging.getLogger("orderdesk.worker")


def run_periodic(jobs: list[PeriodicJob], stop: threading.Event, tick: float = 1.0) -> None:
    due = dict.fromkeys((job.name for job in jobs), 0.0)
    while not stop.is_set():
        for job in jobs:
            if time.monotonic() < due[job.name]:
                continue
            close_old_connections()
            try:
                job.func()
            except Exception:
                logger.exception("periodic job %s failed", job.name)
            due[job.name] = time.monotonic() + job.every_seconds
        stop.wait(tick)


class Command(BaseCommand):
    help = "Run the background worker: queued tasks and periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--no-tasks", action="store_true", help="run only the periodic jobs")
        parser.add_argument(
            "--once", action="store_true", help="run every periodic job once and exit"
        )

    def handle(self, *args, no_tasks=False, once=False, **options):
        jobs = periodic_jobs_discover()
        if once:
            for job in jobs:
                job.func()
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=run_periodic, args=(jobs, stop), name="periodic", daemon=True
        )
        thread.start()
        self.stdout.write(
            f"orderdesk worker: {len(jobs)} periodic jobs, task queue {'off' if no_tasks else 'on'}"
        )
        try:
            if no_tasks:
                while thread.is_alive():
                    thread.join(1)
            else:
                call_command("db_worker", interval=1, reload=False, startup_delay=False)
        finally:
            stop.set()
