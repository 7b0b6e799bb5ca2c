import pytest
from django.core.exceptions import ImproperlyConfigured

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
