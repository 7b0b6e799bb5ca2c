"""Periodic jobs run by `orderdesk worker` next to the task queue (lease expiry, webhook dispatch…).

An app declares its jobs in a `jobs.py` module with the `periodic` decorator; the worker imports
every installed orderdesk app's `jobs` module. Every worker runs every job, so a job must be safe
to run in several workers at once: it locks its rows with SKIP LOCKED or claims its work with a
conditional update, or, when it is one transaction with nothing to share (a purge), it is
declared `single=True` and runs in one worker at a time under a transaction-level advisory lock
(a session-level lock would not survive PgBouncer's transaction mode); the others skip that
turn."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    func: Callable[[], object]
    single: bool = False

    def run(self) -> bool:
        """Runs the job; False when it is `single` and another worker holds its lock now."""
        if not self.single:
            self.func()
            return True
        with transaction.atomic():
            if not job_lock_try(self.name):
                return False
            self.func()
        return True


def job_lock_key(name: str) -> int:
    """A stable signed 64-bit key per job name (advisory locks take a bigint)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def job_lock_try(name: str) -> bool:
    """Held until the transaction ends; must be called inside one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [job_lock_key(name)])
        return cursor.fetchone()[0]


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(
    *, every_seconds: float, single: bool = False
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        name = f"{func.__module__}.{func.__qualname__}"
        PERIODIC_JOBS[name] = PeriodicJob(
            name=name, every_seconds=every_seconds, func=func, single=single
        )
        return func

    return register


def periodic_jobs_discover() -> list[PeriodicJob]:
    from django.apps import apps
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs", register_to=None)
    orderdesk_apps = {a.name for a in apps.get_app_configs() if a.name.startswith("orderdesk.")}
    return [
        job
        for job in PERIODIC_JOBS.values()
        if job.func.__module__.rsplit(".", 1)[0] in orderdesk_apps
    ]
