"""A request limit per API credential: fixed one-minute windows counted in the database by one
upsert per request. Over the limit the API answers 429 with Retry-After (the seconds until the
window turns); ORDERDESK_API_RATE_LIMIT sets the requests a minute (0: no limit)."""

import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import RateWindow

RATE_LIMITED = "rate_limited"
WINDOW = timedelta(minutes=1)
WINDOWS_KEPT = timedelta(hours=1)

_table = RateWindow._meta.db_table
_columns = {f.name: f.column for f in RateWindow._meta.fields}
TAKE_SQL = f"""
    INSERT INTO {_table} ({_columns["key"]}, {_columns["window_start"]}, {_columns["hits"]})
    VALUES (%s, %s, 1)
    ON CONFLICT ({_columns["key"]}, {_columns["window_start"]})
    DO UPDATE SET {_columns["hits"]} = {_table}.{_columns["hits"]} + 1
    RETURNING {_columns["hits"]}
"""  # noqa: S608 (names from the model)


class RateLimited(ApplicationError):
    status_code = 429

    def __init__(self, *, retry_after: int, limit: int):
        super().__init__(
            RATE_LIMITED,
            _("Too many requests: at most %(limit)d a minute. Retry in %(seconds)d s.")
            % {"limit": limit, "seconds": retry_after},
            limit=limit,
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def _window_start(now: datetime) -> datetime:
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(WINDOW.total_seconds()), tz=UTC)


def rate_take(*, key: str, now: datetime | None = None) -> None:
    """Counts one request for `key`; raises RateLimited past the minute's limit. A refused
    request is counted too: a client that keeps hammering stays refused."""
    limit = settings.ORDERDESK_API_RATE_LIMIT
    if not limit:
        return
    now = now or timezone.now()
    start = _window_start(now)
    with connection.cursor() as cursor:
        cursor.execute(TAKE_SQL, [key[:64], start])
        (hits,) = cursor.fetchone()
    if hits > limit:
        retry_after = max(1, math.ceil((start + WINDOW - now).total_seconds()))
        raise RateLimited(retry_after=retry_after, limit=limit)


def rate_windows_prune(*, now: datetime | None = None) -> int:
    """Windows an hour old are of no more use."""
    cutoff = (now or timezone.now()) - WINDOWS_KEPT
    deleted, _ = RateWindow.objects.filter(window_start__lt=cutoff).delete()
    return deleted
