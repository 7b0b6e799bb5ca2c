"""When a failed webhook delivery is tried again: pure rules on plain values.

Growing delays (the Standard Webhooks reference schedule, stretched to about three days): an
attempt that fails is retried after 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, then every 10 h; after the
last delay runs out the delivery fails for good. An endpoint that has not accepted a single
delivery for three days is disabled."""

from collections.abc import Sequence
from datetime import datetime, timedelta

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *(timedelta(hours=10),) * 6,
)
DISABLE_AFTER = timedelta(days=3)
RETRYABLE_STATUSES = frozenset({408, 429})


def status_is_retryable(status: int | None) -> bool:
    """Network errors and timeouts (no status), 408, 429 and 5xx; any other answer is final."""
    return status is None or status in RETRYABLE_STATUSES or status >= 500


def retry_at(
    *, attempts: int, now: datetime, delays: Sequence[timedelta] = RETRY_DELAYS
) -> datetime | None:
    """The next attempt after `attempts` failed ones, or None when the schedule is spent."""
    if attempts < 1 or attempts > len(delays):
        return None
    return now + delays[attempts - 1]


def endpoint_should_disable(
    *, failing_since: datetime | None, now: datetime, after: timedelta = DISABLE_AFTER
) -> bool:
    return failing_since is not None and now - failing_since >= after
