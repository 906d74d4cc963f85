"""`make bench` is not part of `make test`, so this keeps it from rotting unnoticed: every
benchmark module still imports against the code it measures."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

# `python -m bench` runs from the repository root, which is not on the test path.
ROOT = Path(__file__).resolve().parents[2]
# locustfile runs inside locust's own process: importing it here would let gevent patch this one.
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(ROOT / "bench")])
                 if m.name != "locustfile")


@pytest.fixture(autouse=True)
def repository_root_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_module_imports(name):
    importlib.import_module(f"bench.{name}")


def test_the_benchmarks_are_all_found():
    assert {"throughput", "write_latency", "event_latency", "memory", "cold_start",
            "import_rate"} <= set(MODULES)
