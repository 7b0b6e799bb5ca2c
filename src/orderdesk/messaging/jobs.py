"""Periodic jobs run by `orderdesk worker`: the customer messages that are due go out."""

import time

from orderdesk.core.periodic import periodic

from .services.sending import messages_send_due, mobizon_statuses_poll

RUN_BUDGET_SECONDS = 10.0


@periodic(every_seconds=1)
def customer_messages_send_due() -> None:
    """Send what is due, one batch after another, yielding the periodic thread after a while."""
    stop_at = time.monotonic() + RUN_BUDGET_SECONDS
    while messages_send_due() and time.monotonic() < stop_at:
        pass


@periodic(every_seconds=60)
def mobizon_delivery_poll() -> None:
    """Mobizon's delivery states, read back for the SMS sent through it."""
    mobizon_statuses_poll()
