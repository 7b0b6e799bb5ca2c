"""What operations rely on: /healthz for load balancers and monitors, a control socket per web
server, a command that cannot start saying why in one line, and currencies held to ISO 4217."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from orderdesk.core import health
from orderdesk.core.models import WorkerBeat
from orderdesk.orders.intake import CURRENCY_UNKNOWN
from orderdesk.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def migrations_unchecked(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def _beat(seconds_ago: float) -> WorkerBeat:
    now = timezone.now()
    return WorkerBeat.objects.create(
        worker_id=f"w{seconds_ago}",
        host="worker-1",
        pid=4242,
        started_at=now - timedelta(hours=1),
        beat_at=now - timedelta(seconds=seconds_ago),
        last_job_at=now - timedelta(seconds=seconds_ago + 1),
    )


def healthz(query: str = "", host: str = "10.20.30.40:8000"):
    """Asked as a load balancer does: by address (not an allowed host), without credentials."""
    return Client().get(f"/healthz{query}", headers={"Host": host})


def test_healthz_is_ok_with_the_database_the_schema_and_a_fresh_worker_beat():
    beat = _beat(seconds_ago=2)
    response = healthz()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "worker": {
            "status": "ok",
            "last_beat_at": beat.beat_at.isoformat(),
            "last_job_at": beat.last_job_at.isoformat(),
        },
    }


def test_healthz_reports_a_stale_or_missing_worker_and_fails_only_when_asked_to():
    assert healthz().json()["worker"]["status"] == "none"
    _beat(seconds_ago=600)
    response = healthz()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["status"] == "stale"
    assert healthz("?require=worker").status_code == 503
    _beat(seconds_ago=1)
    assert healthz("?require=worker").status_code == 200


def test_healthz_is_503_when_a_migration_is_not_applied():
    newest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-name").first()
    newest.delete()  # as on a node whose code is newer than its schema
    response = healthz()
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["migrations"] == "1 not applied"


def test_healthz_is_503_when_the_database_is_unreachable(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused\nmore detail")

    monkeypatch.setattr(connection, "cursor", refused)
    response = healthz()
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "unreachable",
        "error": "connection refused",
    }


def _serve_argv(monkeypatch, settings, bind: str) -> list[str]:
    settings.SECRET_KEY_IS_DEMO = False
    started = []
    monkeypatch.setattr("os.execv", lambda path, argv: started.append(argv))
    call_command("serve", bind=bind, workers=1)
    return started[-1]


def test_each_web_server_has_its_own_control_socket(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path / ".orderdesk"
    first = _serve_argv(monkeypatch, settings, "127.0.0.1:8001")
    second = _serve_argv(monkeypatch, settings, "127.0.0.1:8002")
    sockets = [Path(argv[argv.index("--control-socket") + 1]) for argv in (first, second)]
    assert sockets == [
        tmp_path / ".orderdesk" / "gunicorn-127-0-0-1-8001.ctl",
        tmp_path / ".orderdesk" / "gunicorn-127-0-0-1-8002.ctl",
    ]
    assert sockets[0].parent.is_dir()


def test_a_control_socket_path_too_long_for_a_unix_socket_moves_to_the_temp_dir(
    monkeypatch, settings, tmp_path
):
    settings.DATA_DIR = tmp_path / ("deep" * 30) / ".orderdesk"
    argv = _serve_argv(monkeypatch, settings, "127.0.0.1:8001")
    path = argv[argv.index("--control-socket") + 1]
    assert len(path) <= 100 and path.endswith(".ctl")


def _orderdesk(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    environment |= {"DJANGO_DEBUG": "0", "ORDERDESK_DEMO": "0", **env}
    return subprocess.run(
        [sys.executable, "-m", "orderdesk", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_without_a_secret_says_so_in_one_line():
    result = _orderdesk("serve")
    assert result.returncode == 1
    assert (
        result.stderr == "orderdesk: DJANGO_SECRET_KEY must be set to run orderdesk in production\n"
    )


def test_a_command_without_its_database_says_so_in_one_line():
    result = _orderdesk("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:9/orderdesk")
    assert result.returncode == 1
    assert result.stderr.startswith("orderdesk: connection failed")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("currency", ["KZT", "RUB", "USD", "EUR", "UZS"])
def test_an_iso_4217_currency_is_accepted(store_api, make_payload, currency):
    response = store_api.post("/api/v1/orders", make_payload(currency=currency))
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == currency


@pytest.mark.parametrize("currency", ["XYZ", "kzt", "RUR", "XAU", "", "TENGE"])
def test_a_currency_outside_iso_4217_is_refused(store_api, make_payload, currency):
    response = store_api.post("/api/v1/orders", make_payload(currency=currency))
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("currency", CURRENCY_UNKNOWN)
    ]
    assert not Order.objects.exists()
