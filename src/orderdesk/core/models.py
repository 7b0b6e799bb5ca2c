import os
import time
import uuid

from django.db import models


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): ids known before insert, index-friendly."""
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return uuid.UUID(int=value)


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerBeat(models.Model):
    """One row per running `orderdesk worker`, refreshed every few seconds while the database is
    reachable: /healthz (on any web node) reads the newest to tell whether background work runs.
    A process supervisor on the worker's own machine reads its health file instead (core.health),
    which keeps beating while the database is away."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    last_job_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # /healthz: the newest beat; the worker's pruning of beats a day old
        indexes = [models.Index(fields=["beat_at"], name="core_workerbeat_beat_at_idx")]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class RateWindow(models.Model):
    """Requests counted per API credential per minute (core.ratelimit): in the database, so the
    limit holds across every web worker and node."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # the counter's upsert conflicts on it; the clean-up reads by time alone, rarely
            models.UniqueConstraint(
                fields=["key", "window_start"], name="core_ratewindow_key_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M}: {self.hits}"
