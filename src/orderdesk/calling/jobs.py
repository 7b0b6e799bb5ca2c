"""Calling's periodic jobs (run by `orderdesk worker`); each is safe in several workers."""

from orderdesk.core.periodic import periodic

from .services import callbacks_release, leases_expire, pending_checks_release


@periodic(every_seconds=10)
def leases_expired_free() -> None:
    """Expired leases: orders back to their queue place, the attempt recorded as abandoned."""
    leases_expire()


@periodic(every_seconds=30)
def callbacks_due_route() -> None:
    """Parked orders whose check time came back as callbacks; orphaned personal callbacks to
    anyone after the grace period."""
    pending_checks_release()
    callbacks_release()
