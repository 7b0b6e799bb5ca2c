"""The embedded server's life: started by the first process that asks, shared with the next,
stopped by the last one to exit, even when another user was killed without signing off. Each
process here is a fresh Python asking `embedded_postgres` for the server, as an `orderdesk`
command does through the settings; the server is a second one, in a folder of its own."""

import os
import signal
import subprocess
import sys

import pytest

from orderdesk.core import embedded_postgres

# Prints the database URL, then holds the server until its standard input closes.
USER = (
    "import sys; from orderdesk.core import embedded_postgres as e; "
    "print(e.database_url(), flush=True); sys.stdin.read()"
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("orderdesk")


def user_start(data_dir) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ORDERDESK_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-c", USER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    return process, process.stdout.readline().strip()


def user_leave(process: subprocess.Popen) -> None:
    process.stdin.close()
    assert process.wait(timeout=60) == 0


def running(data_dir) -> bool:
    return embedded_postgres._running(data_dir / "postgres")


def test_a_server_is_shared_and_stopped_by_its_last_user(data_dir):
    first, url = user_start(data_dir)
    assert url.startswith("postgres://postgres@") and url.endswith("/orderdesk")
    assert running(data_dir)
    second, second_url = user_start(data_dir)
    assert second_url == url
    user_leave(first)
    assert running(data_dir)
    user_leave(second)
    assert not running(data_dir)


def test_a_user_killed_outright_does_not_keep_the_server_running(data_dir):
    killed, _ = user_start(data_dir)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    assert running(data_dir)
    last, _ = user_start(data_dir)
    user_leave(last)
    assert not running(data_dir)
