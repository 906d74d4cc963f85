"""The debug-only collector timing the fan-out benchmark reads (labs_gateway.ws.gc_pauses)."""

from __future__ import annotations

import asyncio
import gc
import json
import time

from labs_gateway.config import GatewaySettings
from labs_gateway.ws import gc_pauses
from labs_gateway.ws.gc_pauses import GcPauses


def test_nothing_is_installed_without_the_variable(monkeypatch):
    monkeypatch.delenv("LABS_GC_PAUSES_FILE", raising=False)
    assert gc_pauses.at(GatewaySettings().gc_pauses_file) is None


async def test_collections_are_timed_and_written(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_GC_PAUSES_FILE", str(tmp_path / "gc.json"))
    pauses = gc_pauses.at(GatewaySettings().gc_pauses_file)
    assert isinstance(pauses, GcPauses)
    before = time.monotonic()
    pauses.install()
    try:
        gc.collect()
        # The writer runs twice a second: poll for its file rather than sleeping a fixed time.
        path = tmp_path / "gc.json"
        for _ in range(100):  # 5 s at most
            if path.exists():
                break
            await asyncio.sleep(0.05)
        written = json.loads(path.read_text())
        assert written["count"][2] >= 1 and written["longest_seconds"][2] > 0
        assert written["written_at"] >= before
        assert all(seconds >= gc_pauses.LISTED_FROM_SECONDS for _, seconds, _ in
                   written["pauses"])
    finally:
        await pauses.uninstall()
    assert pauses._callback not in gc.callbacks
    # uninstall writes what it had once more
    assert json.loads((tmp_path / "gc.json").read_text())["count"][2] >= 1
