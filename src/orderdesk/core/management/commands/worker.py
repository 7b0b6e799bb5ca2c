"""`orderdesk worker`: the task queue (django-tasks database backend) plus the periodic jobs.

The worker outlives its database: a restart, a network cut or a refused connection is logged
once, retried with a growing delay (1 s doubling to 30 s) and the work carries on when the
database answers again. Its health goes to a file, systemd's notify socket and the database
(core.health); `orderdesk worker --check` reads the file for a process supervisor."""

import faulthandler
import logging
import signal
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from orderdesk.core.health import (
    DATABASE_ERRORS,
    WorkerHealth,
    health_file_check,
    health_file_default,
    systemd_notify,
)
from orderdesk.core.periodic import PeriodicJob, periodic_jobs_discover

logger = logging.getLogger("orderdesk.worker")
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0


class Backoff:
    """1 s, 2 s, 4 s … up to BACKOFF_MAX between tries while the database is away."""

    def __init__(self) -> None:
        self.delay = BACKOFF_FIRST

    def next(self) -> float:
        delay, self.delay = self.delay, min(self.delay * 2, BACKOFF_MAX)
        return delay

    def reset(self) -> None:
        self.delay = BACKOFF_FIRST


def database_lost(health: WorkerHealth, exc: BaseException, delay: float) -> None:
    """One warning per outage (not a traceback a second); the connection is dropped so the next
    try opens a fresh one."""
    if health.database_down(exc):
        logger.warning(
            "database unreachable (%s); retrying, at most every %.0f s", exc, BACKOFF_MAX
        )
    else:
        logger.debug("database still unreachable; next try in %.0f s", delay)
    try:
        connection.close()
    except DATABASE_ERRORS:
        pass


def database_back(health: WorkerHealth) -> None:
    outage = health.database_up()
    if outage is not None:
        logger.warning("database reachable again after %d s", outage.total_seconds())


def _job_run(job: PeriodicJob, health: WorkerHealth, backoff: Backoff) -> float:
    """Runs one job; returns the seconds until it is due again."""
    try:
        close_old_connections()
        job.run()
    except DATABASE_ERRORS as exc:
        delay = backoff.next()
        database_lost(health, exc, delay)
        return delay
    except Exception:
        logger.exception("periodic job %s failed", job.name)
    else:
        backoff.reset()
        database_back(health)
        health.job_done()
    return job.every_seconds


def _beat(health: WorkerHealth) -> None:
    try:
        health.beat()
    except DATABASE_ERRORS as exc:
        database_lost(health, exc, BACKOFF_FIRST)
    except OSError:
        logger.exception("worker health file not written")


def run_periodic(
    jobs: list[PeriodicJob], stop: threading.Event, health: WorkerHealth, tick: float = 1.0
) -> None:
    due = dict.fromkeys((job.name for job in jobs), 0.0)
    backoffs = {job.name: Backoff() for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if time.monotonic() >= due[job.name]:
                due[job.name] = time.monotonic() + _job_run(job, health, backoffs[job.name])
        _beat(health)
        stop.wait(tick)


class TaskWorker(Worker):
    """django-tasks-db's worker, counting the tasks it finishes as the worker's jobs."""

    def __init__(self, *, health: WorkerHealth):
        super().__init__(
            queue_names=["default"],
            interval=1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=health.worker_id,
            excluded_queue_names=[],
        )
        self.health = health

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        self.health.job_done()


def run_tasks(worker: TaskWorker, health: WorkerHealth) -> None:
    """The queue's loop, started again after each database failure (its own loop stops at the
    first). A task the failure interrupted stays claimed, as after a crash."""
    backoff = Backoff()
    while worker.running:
        started = time.monotonic()
        try:
            worker.run()
            return
        except DATABASE_ERRORS as exc:
            if time.monotonic() - started > BACKOFF_MAX:
                backoff.reset()  # it had been running well: a new outage
            delay = backoff.next()
            database_lost(health, exc, delay)
            time.sleep(delay)


class Command(BaseCommand):
    help = "Run the background worker: queued tasks and periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--no-tasks", action="store_true", help="run only the periodic jobs")
        parser.add_argument(
            "--once", action="store_true", help="run every periodic job once and exit"
        )
        parser.add_argument(
            "--health-file",
            type=Path,
            default=None,
            help="where the worker writes its health (default: $ORDERDESK_WORKER_HEALTH_FILE, "
            "else .orderdesk/worker.json)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="print the running worker's health from its file; exit 1 when it is stale",
        )
        parser.add_argument(
            "--max-age", type=float, default=60.0, help="--check: seconds a beat stays fresh"
        )

    def handle(self, *args, no_tasks=False, once=False, health_file=None, check=False, **options):
        health_file = health_file or health_file_default()
        if check:
            alive, line = health_file_check(
                health_file, max_age=timedelta(seconds=options["max_age"])
            )
            self.stdout.write(line)
            sys.exit(0 if alive else 1)
        jobs = periodic_jobs_discover()
        if once:
            for job in jobs:
                job.run()
            return
        self._run(jobs, no_tasks=no_tasks, health=WorkerHealth(health_file=health_file))

    def _run(self, jobs: list[PeriodicJob], *, no_tasks: bool, health: WorkerHealth) -> None:
        faulthandler.register(signal.SIGUSR1)  # kill -USR1: every thread's stack to stderr
        stop = threading.Event()
        thread = threading.Thread(
            target=run_periodic, args=(jobs, stop, health), name="periodic", daemon=True
        )
        thread.start()
        self.stdout.write(
            f"orderdesk worker: {len(jobs)} periodic jobs, task queue {'off' if no_tasks else 'on'}"
            f", health in {health.health_file}"
        )
        systemd_notify("READY=1")
        try:
            if no_tasks:
                while thread.is_alive():
                    thread.join(1)
            else:
                worker = TaskWorker(health=health)
                worker.configure_signals()
                run_tasks(worker, health)
        finally:
            stop.set()
