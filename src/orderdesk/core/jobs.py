"""Periodic jobs of the core: the API's rate windows are pruned."""

from orderdesk.core.periodic import periodic

from .ratelimit import rate_windows_prune


@periodic(every_seconds=600, single=True)
def rate_windows_old_delete() -> None:
    rate_windows_prune()
