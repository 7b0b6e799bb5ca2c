"""The production entry point loads every view at start and keeps what it loaded out of the garbage
collector's scans. Checked in a fresh interpreter, as a web server's worker starts: in the test
process other tests have long loaded the views."""

import json
import os
import subprocess
import sys
from pathlib import Path

import orderdesk

WORKER_START = """
import gc, json, sys

import orderdesk.config.wsgi

loaded = sorted(name for name in sys.modules if name.startswith("orderdesk.workspace.views."))
tracked = {id(obj) for obj in gc.get_objects()}  # frozen objects are not among them

from django.urls import get_resolver


def callbacks(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from callbacks(pattern.url_patterns)
        else:
            yield pattern.callback


def name(view):
    view = getattr(view, "func", view)  # a functools.partial's function
    return f"{view.__module__}.{view.__qualname__}"


unfrozen = {name(view) for view in callbacks(get_resolver().url_patterns) if id(view) in tracked}
print(json.dumps({"loaded": loaded, "unfrozen": sorted(unfrozen), "frozen": gc.get_freeze_count()}))
"""


def worker_start() -> dict:
    env = {**os.environ, "DJANGO_SECRET_KEY": "a-secret-for-this-test-only"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the entry point sets its own
    result = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return json.loads(result.stdout.splitlines()[-1])


def test_the_wsgi_application_loads_every_view_before_freezing_what_it_loaded():
    views_dir = Path(orderdesk.__file__).parent / "workspace" / "views"
    view_modules = sorted(
        f"orderdesk.workspace.views.{path.stem}"
        for path in views_dir.glob("*.py")
        if path.stem != "__init__"
    )
    started = worker_start()
    assert started["loaded"] == view_modules
    assert started["unfrozen"] == []
    assert started["frozen"] > 10_000  # Django and the project, at the least
