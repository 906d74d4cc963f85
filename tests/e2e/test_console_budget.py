"""The console's first screen loads at most 250 KB of JavaScript, gzipped (#18): the scripts
index.html names (its entry and what it preloads), as the browser fetches them; every other view
is a chunk of its own, loaded when it is opened."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
BUDGET_BYTES = 250 * 1024


def first_screen_scripts(index_html: str) -> list[str]:
    return re.findall(r'<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="(/assets/[^"]+\.js)"',
                      index_html)


def test_the_first_screen_is_within_its_javascript_budget():
    if not (DIST / "index.html").is_file():
        pytest.fail("the console is not built: make console")
    scripts = first_screen_scripts((DIST / "index.html").read_text())
    assert scripts, "index.html names no script"
    gzipped = sum(len(gzip.compress((DIST / s.lstrip("/")).read_bytes(), 9)) for s in scripts)
    assert gzipped <= BUDGET_BYTES, f"{gzipped / 1024:.0f} KB gzipped > 250 KB: {scripts}"


def test_views_load_as_chunks_of_their_own():
    chunks = {p.name.split("-")[0] for p in (DIST / "assets").glob("*.js")}
    assert {"Dashboard", "ProjectDetail", "TimePage", "InvoiceDetail", "Portal"} <= chunks
