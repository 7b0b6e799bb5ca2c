"""A task for the worker's fault test: it leaves a file behind, proof the queue ran it."""

from pathlib import Path

from django_tasks import task


@task()
def file_write(path: str) -> None:
    Path(path).write_text("ran")
