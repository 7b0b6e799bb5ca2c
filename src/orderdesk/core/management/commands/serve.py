"""`orderdesk serve`: the production web server (gunicorn), refusing to start without a secret."""

import hashlib
import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from orderdesk.core.security import secret_key_require

# A Unix socket's path must fit in sun_path (108 bytes on Linux, 104 on others).
SOCKET_PATH_MAX = 100


def control_socket_path(bind: str) -> Path:
    """gunicorn's control socket for this instance. gunicorn's default is one path per user
    (~/.gunicorn/gunicorn.ctl), which a second server of the user takes over; ours is named
    after the directory and the address served, which no two running servers share."""
    name = "gunicorn-" + "".join(c if c.isalnum() else "-" for c in bind) + ".ctl"
    path = settings.DATA_DIR / name
    if len(str(path)) > SOCKET_PATH_MAX:
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"orderdesk-{digest}.ctl"
    return path


class Command(BaseCommand):
    help = "Run the production web server (gunicorn). Needs DJANGO_SECRET_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ORDERDESK_BIND", "0.0.0.0:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ORDERDESK_WEB_WORKERS", "4"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("ORDERDESK_WEB_THREADS", "64")),
            help="threads per worker: each serves one request at a time, a slow client's too",
        )
        parser.add_argument(
            "--control-socket",
            type=Path,
            default=os.environ.get("ORDERDESK_CONTROL_SOCKET") or None,
            help="gunicorn's control socket (default: .orderdesk/gunicorn-<bind>.ctl)",
        )

    def handle(self, *args, bind, workers, threads, control_socket, **options):
        """Threaded workers (gthread): a connection that sends nothing waits in the worker's
        poller, not in a thread, and one that sends its request slowly ties up one thread of
        many, not a whole worker (sync workers: two half-sent requests stalled the server)."""
        secret_key_require()
        control_socket = control_socket or control_socket_path(bind)
        control_socket.parent.mkdir(parents=True, exist_ok=True)
        os.execv(  # noqa: S606
            sys.executable,
            [sys.executable, "-m", "gunicorn", "orderdesk.config.wsgi:application", "--bind", bind, "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads),
             "--control-socket", str(control_socket),
             "--access-logfile", "-", "--logger-class", "orderdesk.core.accesslog.AccessLogger"],
        )  # fmt: skip
