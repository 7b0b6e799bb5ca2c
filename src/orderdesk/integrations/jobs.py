"""Periodic jobs run by `orderdesk worker`."""

import time

from orderdesk.core.periodic import periodic

from .services import webhook_history_purge, webhooks_dispatch

# One run sends what is due but yields the worker's periodic thread after this long, so the
# other jobs (lease expiry…) keep their rhythm even when many receivers are slow.
RUN_BUDGET_SECONDS = 10.0


@periodic(every_seconds=2)
def webhooks_send_due() -> None:
    """Fan out new store events and send due webhook deliveries."""
    stop_at = time.monotonic() + RUN_BUDGET_SECONDS
    while webhooks_dispatch() and time.monotonic() < stop_at:
        pass


@periodic(every_seconds=3600, single=True)
def webhook_history_trim() -> None:
    webhook_history_purge()
