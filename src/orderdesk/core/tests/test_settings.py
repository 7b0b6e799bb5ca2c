import io
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import configure_logging

from orderdesk.core.security import secret_key_require


def test_production_entry_points_refuse_the_demo_secret(settings, monkeypatch):
    settings.SECRET_KEY_IS_DEMO, settings.DEBUG = True, False
    monkeypatch.delenv("ORDERDESK_DEMO", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        secret_key_require()
    monkeypatch.setenv("ORDERDESK_DEMO", "1")
    secret_key_require()


def test_a_real_secret_starts(settings, monkeypatch):
    settings.SECRET_KEY_IS_DEMO, settings.DEBUG = False, False
    monkeypatch.delenv("ORDERDESK_DEMO", raising=False)
    secret_key_require()


def test_static_files_are_served_by_the_app_without_collectstatic(client):
    response = client.get("/static/workspace/workspace.js")
    assert response.status_code == 200
    assert b"keydown" in b"".join(response.streaming_content)


def test_django_errors_are_logged_once_and_masked_in_debug_too(settings):
    """Django's own loggers write through the masking handler only: with DEBUG on, its default
    console handler would print each error a second time, phone numbers in clear."""
    settings.DEBUG = True
    output = io.StringIO()
    try:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        for logger in (logging.getLogger(), logging.getLogger("django")):
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler):
                    handler.setStream(output)
        logging.getLogger("django.request").error("Internal Server Error: %s", "+77011234567")
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    assert output.getvalue() == "Internal Server Error: …4567\n"
