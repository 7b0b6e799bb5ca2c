"""Periodic jobs run by `orderdesk worker`."""

from orderdesk.core.periodic import periodic

from .services import webhooks_dispatch


@periodic(every_seconds=2)
def webhooks_send_due() -> None:
    """Fan out new store events and send due webhook deliveries until none is left due now."""
    while webhooks_dispatch(limit=50):
        pass
