"""Tasks for the worker tests: each leaves a file behind, proof the queue ran it (and how often)."""

from pathlib import Path

from django_tasks import task


@task()
def file_write(path: str) -> None:
    Path(path).write_text("ran")


@task()
def line_append(path: str, line: str) -> None:
    """One line per run: a task run twice shows as a repeated line."""
    with Path(path).open("a") as file:
        file.write(line + "\n")
