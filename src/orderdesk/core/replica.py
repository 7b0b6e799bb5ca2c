"""Reads that may come from a streaming replica (`DATABASE_REPLICA_URL`): reports and exports.

A replica lags its primary by a moment, so only reads that tolerate that go there, and only
when asked for: code that builds a report or an export reads inside `replica_reads()`, and the
database router (config.routers) sends those reads, and only those, to the `replica` alias.
Everything else, writes included, stays on the primary; without a replica it is all the
primary."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """The reads of this block (this thread, this task) go to the replica when there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_on() -> bool:
    return _replica_reads.get()
