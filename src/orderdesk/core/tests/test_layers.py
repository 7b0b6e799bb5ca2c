"""The import contracts in pyproject.toml (`make lint`) catch a forbidden import, not only pass."""

import os
import re
import subprocess
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import orderdesk

PACKAGE_DIR = Path(orderdesk.__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
CORE = "core imports no app"
DOMAIN = "domain apps import neither the API, the workspace, views nor tasks"
ORDERS = "orders imports none of the apps above it"
LAYERS = "apps import only the layers below them"
BROKEN_LINE = re.compile(r"^(?P<contract>.+) BROKEN( \(\d+ ignored imports?\))?$", re.MULTILINE)


def lint_imports() -> subprocess.CompletedProcess:
    """`lint-imports` as `make lint` runs it, on the project's own configuration; wide enough
    that no import it reports is wrapped over two lines."""
    command = [Path(sysconfig.get_path("scripts")) / "lint-imports", "--no-cache", "--no-logo"]
    return subprocess.run(
        [*command, PROJECT_DIR / "pyproject.toml"],
        cwd=PROJECT_DIR, env={**os.environ, "COLUMNS": "200"},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


@contextmanager
def module_written(app: str, source: str) -> Iterator[str]:
    """A module in the app's package for as long as the block runs, removed however it ends."""
    name = f"layers_probe_{os.getpid()}"
    path = PACKAGE_DIR / app / f"{name}.py"
    path.write_text(source)
    try:
        yield f"orderdesk.{app}.{name}"
    finally:
        path.unlink(missing_ok=True)


def contracts_broken(output: str) -> set[str]:
    return {match["contract"] for match in BROKEN_LINE.finditer(output)}


def test_the_code_as_it_is_keeps_every_contract():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert contracts_broken(result.stdout) == set()


@pytest.mark.parametrize(
    ("app", "source", "imported", "broken"),
    [
        ("orders", "import orderdesk.workspace\n", "orderdesk.workspace", {DOMAIN, LAYERS}),
        ("orders", "from orderdesk.api import auth\n", "orderdesk.api.auth", {DOMAIN, LAYERS}),
        ("delivery", "from orderdesk.calling import jobs\n", "orderdesk.calling.jobs", {DOMAIN, LAYERS}),
        ("orders", "from orderdesk.calling import services\n", "orderdesk.calling.services", {ORDERS, LAYERS}),
        ("orders", "from orderdesk.integrations import models\n", "orderdesk.integrations.models", {ORDERS, LAYERS}),
        ("core", "from orderdesk.stores import models\n", "orderdesk.stores.models", {CORE, LAYERS}),
        ("stores", "from orderdesk.accounts import models\n", "orderdesk.accounts.models", {LAYERS}),
    ],
)  # fmt: skip
def test_a_module_importing_a_layer_it_must_not_breaks_those_contracts_until_it_goes(
    app, source, imported, broken
):
    with module_written(app, source) as module:
        with_module = lint_imports()
    without_module = lint_imports()
    assert with_module.returncode == 1
    assert contracts_broken(with_module.stdout) == broken
    assert f"{module} -> {imported} (l.1)" in with_module.stdout
    assert without_module.returncode == 0, without_module.stdout
    assert not (PACKAGE_DIR / app / f"{module.rsplit('.', 1)[1]}.py").exists()
