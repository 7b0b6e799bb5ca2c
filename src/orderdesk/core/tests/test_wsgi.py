"""The production entry point: loaded objects are kept out of the garbage collector's scans."""

import gc
import importlib
import sys

import pytest


@pytest.mark.django_db
def test_the_wsgi_application_loads_its_views_and_freezes_what_it_loaded(settings, monkeypatch):
    settings.DEBUG = True  # the demo secret is accepted, as in `make demo`
    monkeypatch.delitem(sys.modules, "orderdesk.config.wsgi", raising=False)
    gc.unfreeze()
    try:
        wsgi = importlib.import_module("orderdesk.config.wsgi")
        assert callable(wsgi.application)
        assert "orderdesk.config.urls" in sys.modules
        assert gc.get_freeze_count() > 10_000  # Django and the project, at the least
    finally:
        gc.unfreeze()
