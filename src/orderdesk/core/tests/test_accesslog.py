import logging
from datetime import timedelta
from types import SimpleNamespace

from django.core.management import call_command
from gunicorn.config import Config

from orderdesk.core.accesslog import AccessLogger
from orderdesk.core.logging import PhoneMaskFilter


def test_access_log_never_carries_inbound_tokens_or_phones():
    token = "in_Zx8d0R5WkqLrYp3HnT2vQm9sJ4cB7aEfGh1iUo6yXwA"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/api/v1/inbound/{token}?phone=+77011234567",
        "PATH_INFO": f"/api/v1/inbound/{token}",
        "QUERY_STRING": "phone=+77011234567",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="201 Created", sent=42, headers=[])
    atoms = AccessLogger(Config()).atoms(response, [], environ, timedelta(milliseconds=5))
    assert atoms["r"] == "POST /api/v1/inbound/in_Zx8…?phone=…4567 HTTP/1.1"
    assert atoms["U"] == "/api/v1/inbound/in_Zx8…"
    assert atoms["q"] == "phone=…4567"
    assert atoms["s"] == "201"


def test_serve_writes_its_access_log_through_the_masking_logger(settings, monkeypatch):
    settings.SECRET_KEY_IS_DEMO = False
    started = []
    monkeypatch.setattr("os.execv", lambda path, argv: started.append(argv))
    call_command("serve", bind="127.0.0.1:8765", workers=1)
    (argv,) = started
    assert argv[argv.index("--logger-class") + 1] == "orderdesk.core.accesslog.AccessLogger"
    assert argv[argv.index("--access-logfile") + 1] == "-"


def test_application_log_lines_never_carry_inbound_tokens():
    """Django logs every refused request with its path ("Unauthorized: /api/v1/inbound/…")."""
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Unauthorized: %s",
        ("/api/v1/inbound/in_Zx8d0R5WkqLrYp3HnT2vQm9sJ4cB7aEfGh1iUo6yXwA",), None,
    )  # fmt: skip
    PhoneMaskFilter().filter(record)
    assert record.getMessage() == "Unauthorized: /api/v1/inbound/in_Zx8…"
