"""What the apps above calling decide when a call about their work is `resolved`.

A call task of another purpose than confirmation (a delivery problem) is resolved with a decision
per order that calling does not know how to carry out: the app that opened the task registers,
for its purpose, a check (the decisions' errors, each naming its field) and an apply (carry them
out), in its `AppConfig.ready()`. Both run inside the outcome's transaction."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orderdesk.accounts.models import User

from .checks import OrderDecision
from .models import CallTask

# (tasks of the purpose held by the call, decisions by order id, at) -> errors by field
ResolutionCheck = Callable[
    [Sequence[CallTask], Mapping[str, OrderDecision], datetime], list[dict[str, Any]]
]
# (tasks, decisions by order id, operator, at): carry the decisions out
ResolutionApply = Callable[[Sequence[CallTask], Mapping[str, OrderDecision], User, datetime], None]


@dataclass(frozen=True)
class TaskResolution:
    check: ResolutionCheck
    apply: ResolutionApply


_resolutions: dict[str, TaskResolution] = {}


def task_resolution(purpose: str, *, check: ResolutionCheck, apply: ResolutionApply) -> None:
    _resolutions[purpose] = TaskResolution(check=check, apply=apply)


def _by_purpose(tasks: Sequence[CallTask]) -> dict[str, list[CallTask]]:
    grouped: dict[str, list[CallTask]] = {}
    for task in tasks:
        if task.purpose in _resolutions:
            grouped.setdefault(task.purpose, []).append(task)
    return grouped


def resolution_errors(
    *, tasks: Sequence[CallTask], decisions: Sequence[OrderDecision], at: datetime
) -> list[dict[str, Any]]:
    given = {str(d.order_id): d for d in decisions}
    errors: list[dict[str, Any]] = []
    for purpose, group in _by_purpose(tasks).items():
        errors += _resolutions[purpose].check(group, given, at)
    return errors


def resolutions_apply(
    *, tasks: Sequence[CallTask], decisions: Sequence[OrderDecision], operator: User, at: datetime
) -> None:
    given = {str(d.order_id): d for d in decisions}
    for purpose, group in _by_purpose(tasks).items():
        _resolutions[purpose].apply(group, given, operator, at)
