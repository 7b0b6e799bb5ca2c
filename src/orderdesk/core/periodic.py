"""Periodic jobs run by `orderdesk worker` next to the task queue (lease expiry, webhook dispatch…).

An app declares its jobs in a `jobs.py` module with the `periodic` decorator; the worker imports
every installed orderdesk app's `jobs` module. A job must be safe to run in several workers at once
(lock rows with SKIP LOCKED, or claim work with a conditional update)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    func: Callable[[], object]


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(*, every_seconds: float) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        name = f"{func.__module__}.{func.__qualname__}"
        PERIODIC_JOBS[name] = PeriodicJob(name=name, every_seconds=every_seconds, func=func)
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
