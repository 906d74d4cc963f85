"""Every view of the console is a chunk of its own, loaded when it is opened, so the first
screen carries only its own code (its budget, 250 KB gzipped, is measured in the browser:
test_console_browser.py)."""

from __future__ import annotations

from pathlib import Path

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def test_views_load_as_chunks_of_their_own():
    assert (DIST / "index.html").is_file(), "the console is not built: make console"
    chunks = {p.name.split("-")[0] for p in (DIST / "assets").glob("*.js")}
    assert {"Dashboard", "ProjectDetail", "TimePage", "InvoiceDetail", "Portal"} <= chunks
