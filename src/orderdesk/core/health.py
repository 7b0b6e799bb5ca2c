"""Health of the background worker, told three ways: a small JSON file its process supervisor
reads (`orderdesk worker --check`), systemd's notify socket when it runs under systemd
(READY, WATCHDOG, STATUS), and a row in the database that /healthz reads from any web node.

The file and the notify socket keep beating while the database is unreachable: the process is
alive and retrying, which a restart would not improve; they say since when the database is away."""

import json
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import WorkerBeat

logger = logging.getLogger("orderdesk.worker")

# What a lost or refused database connection raises (a restart, a network cut, too many
# clients). Anything else is a bug in a job and is logged with its traceback.
DATABASE_ERRORS = (OperationalError, InterfaceError)
BEAT_ROW_EVERY = timedelta(seconds=10)
BEAT_ROWS_KEPT = timedelta(days=1)


def health_file_default() -> Path:
    """One worker per directory by default; several on one machine pass --health-file each."""
    configured = os.environ.get("ORDERDESK_WORKER_HEALTH_FILE")
    return Path(configured) if configured else settings.DATA_DIR / "worker.json"


@dataclass
class WorkerHealth:
    """What one worker process knows of itself; shared by its task loop and its periodic thread."""

    health_file: Path | None
    worker_id: str = field(default_factory=lambda: get_random_string(32))
    started_at: datetime = field(default_factory=timezone.now)
    last_job_at: datetime | None = None
    database_down_since: datetime | None = None
    database_error: str = ""
    _row_written_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def job_done(self) -> None:
        with self._lock:
            self.last_job_at = timezone.now()

    def database_down(self, exc: BaseException) -> bool:
        """Records the outage; True for the first failure of it (the one worth a log line)."""
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        with self._lock:
            self.database_error = first_line[:300]
            if self.database_down_since is None:
                self.database_down_since = timezone.now()
                return True
            return False

    def database_up(self) -> timedelta | None:
        """Records that the database answered; the outage's length when one just ended."""
        with self._lock:
            since, self.database_down_since, self.database_error = (
                self.database_down_since,
                None,
                "",
            )
        return timezone.now() - since if since else None

    def as_dict(self) -> dict:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        with self._lock:
            return {
                "pid": os.getpid(),
                "worker_id": self.worker_id,
                "started_at": iso(self.started_at),
                "beat_at": iso(timezone.now()),
                "last_job_at": iso(self.last_job_at),
                "database": "unreachable" if self.database_down_since else "ok",
                "database_down_since": iso(self.database_down_since),
                "database_error": self.database_error or None,
            }

    def beat(self) -> None:
        """Called every second by the worker's periodic thread."""
        state = self.as_dict()
        if self.health_file is not None:
            _file_write(self.health_file, state)
        systemd_notify(f"WATCHDOG=1\nSTATUS={status_line(state)}")
        if self.database_down_since is None:
            self._row_write()

    def _row_write(self) -> None:
        now = timezone.now()
        if self._row_written_at and now - self._row_written_at < BEAT_ROW_EVERY:
            return
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "beat_at": now,
                "last_job_at": self.last_job_at,
            },
        )
        WorkerBeat.objects.filter(beat_at__lt=now - BEAT_ROWS_KEPT).delete()
        self._row_written_at = now


def _file_write(path: Path, state: dict) -> None:
    """Whole or not at all: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(state))
    os.replace(partial, path)


def systemd_notify(message: str) -> None:
    """sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, when systemd set it."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)  # a reader that stopped reading must not stop the worker
            sock.sendto(message.encode(), address)
    except OSError as exc:
        logger.debug("systemd notify failed: %s", exc)


def _ago(value: str | None, now: datetime) -> str:
    if not value:
        return "never"
    return f"{max(0, int((now - datetime.fromisoformat(value)).total_seconds()))} s ago"


def status_line(state: dict) -> str:
    now = timezone.now()
    database = (
        f"database unreachable since {state['database_down_since']} ({state['database_error']})"
        if state["database"] != "ok"
        else "database ok"
    )
    return (
        f"pid {state['pid']}, beat {_ago(state['beat_at'], now)}, "
        f"last job {_ago(state['last_job_at'], now)}, {database}"
    )


def health_file_check(path: Path, *, max_age: timedelta) -> tuple[bool, str]:
    """For `orderdesk worker --check`: alive when the file was beaten within `max_age`."""
    try:
        state = json.loads(path.read_text())
        beat_at = datetime.fromisoformat(state["beat_at"])
    except (OSError, ValueError, KeyError) as exc:
        return False, f"orderdesk worker: no health in {path} ({exc})"
    alive = timezone.now() - beat_at <= max_age
    return alive, f"orderdesk worker {'alive' if alive else 'STALE'}: {status_line(state)}"


WORKER_BEAT_FRESH = timedelta(seconds=60)
_migrations_applied = False  # once true in a process, it stays true: checked until then


def _database_check() -> str | None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS as exc:
        return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return None


def _migrations_pending() -> int:
    """Migrations not applied (0 once all are): a node running code newer than its schema."""
    global _migrations_applied
    if _migrations_applied:
        return 0
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_applied = pending == 0
    return pending


def _worker_state(now: datetime) -> dict:
    beat = WorkerBeat.objects.order_by("-beat_at").first()
    if beat is None:
        return {"status": "none", "last_beat_at": None, "last_job_at": None}
    fresh = now - beat.beat_at <= WORKER_BEAT_FRESH
    return {
        "status": "ok" if fresh else "stale",
        "last_beat_at": beat.beat_at.isoformat(),
        "last_job_at": beat.last_job_at.isoformat() if beat.last_job_at else None,
    }


def health_report(*, worker_required: bool = False) -> tuple[int, dict]:
    """(HTTP status, body) for /healthz. 503 when this node cannot serve (no database, or its
    migrations not applied); the worker's beat is reported, and fails the check only when asked
    (`?require=worker`): a load balancer should not drop every web node because the worker is
    down, a monitor should hear of it."""
    error = _database_check()
    if error is not None:
        return 503, {"status": "down", "database": "unreachable", "error": error}
    pending = _migrations_pending()
    worker = _worker_state(timezone.now())
    body = {
        "status": "ok",
        "database": "ok",
        "migrations": "ok" if pending == 0 else f"{pending} not applied",
        "worker": worker,
    }
    if pending:
        body["status"] = "down"
    elif worker["status"] != "ok":
        body["status"] = "degraded"
    failed = pending or (worker_required and worker["status"] != "ok")
    return (503 if failed else 200), body
