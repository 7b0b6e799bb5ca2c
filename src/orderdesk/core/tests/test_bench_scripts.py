"""The benchmarks under bench/ still load against the current models: a renamed field or a
moved import fails here, not on the day someone measures."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_bench_script_loads(script):
    spec = importlib.util.spec_from_file_location(f"bench_{script[:-3]}", BENCH / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # main() runs only as __main__
    assert callable(module.main)
