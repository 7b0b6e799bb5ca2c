"""`orderdesk serve` stays responsive while 50 clients hold connections open without finishing
their requests (half-sent headers) and others connect and send nothing: a normal request is
still answered. A real gunicorn on 127.0.0.1, started as the command starts it."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from orderdesk.core.management.commands.serve import control_socket_path

SLOW_CLIENTS = 50
IDLE_CLIENTS = 10
ANSWER_WAIT = 20.0  # a bound on waiting, not a figure: sync workers never answered in it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/login/")
        return connection.getresponse().status
    finally:
        connection.close()


def _wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            if _get(port, timeout=5) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "test-" + "x" * 40,
        "ORDERDESK_DATA_DIR": str(tmp_path / ".orderdesk"),
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(  # gunicorn replaces the command in this process (execv)
        [sys.executable, "-m", "orderdesk", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_until_serving(port, process)
        yield port, tmp_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_request_is_answered_while_fifty_clients_stall_their_requests(server, settings):
    port, home = server
    held = []
    try:
        for _ in range(SLOW_CLIENTS):
            slow = socket.create_connection(("127.0.0.1", port), timeout=5)
            slow.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never ends
            held.append(slow)
        held += [
            socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(IDLE_CLIENTS)
        ]
        time.sleep(1)  # every connection accepted and waiting before the normal request
        assert _get(port, timeout=ANSWER_WAIT) == 200
        assert _get(port, timeout=ANSWER_WAIT) == 200
    finally:
        for connection in held:
            connection.close()
    settings.DATA_DIR = (
        home / ".orderdesk"
    )  # as the server saw it: its own control socket, not ~/.gunicorn's
    control = control_socket_path(f"127.0.0.1:{port}")
    assert control.exists()
    assert f"Control socket listening at {control}" in (home / "serve.log").read_text()
