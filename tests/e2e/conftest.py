"""The whole suite, started like `make up` once per session, on the session's PostgreSQL (its own
databases) and its own embedded NATS, on free ports; tests act as clients over HTTP and WebSocket.

Its own NATS because the activity feed replays every stream from the start, as a new read model
must: on the session's NATS it would first wade through every other test's events."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from labs_local import Suite, free_port, free_port_base


@pytest.fixture(scope="session")
async def suite(postgres_url: str, tmp_path_factory, smtp_sink) -> AsyncIterator[Suite]:
    suite = Suite(
        data_dir=Path(tmp_path_factory.mktemp("suite")),
        port_base=free_port_base(),
        gateway_port=free_port(),
        database_url=postgres_url,
        database_prefix=f"labs_e2e_{uuid.uuid4().hex[:6]}_",
        labs_env="test",
        log_format="json",
        shutdown_grace_seconds=1.0,
        startup_timeout=90.0,
        # Tests sign up many organizations from one address; identity mails to the session's
        # SMTP sink (the `smtp_sink` fixture), where tests read what it sent.
        # Billing's sweeps (given-up generations, overdue invoices) every second, not 30.
        # The gateway keeps hot reads for an hour, not 10 s: every test here then also proves
        # that each change it makes is forgotten by the read cache when it is announced (an
        # unannounced one would read stale for the rest of the session).
        extra_env={"LABS_RATE_LIMIT": "100000/minute", "LABS_SMTP_URL": smtp_sink.url,
                   "LABS_SWEEP_SECONDS": "1", "LABS_READ_CACHE_SECONDS": "3600"},
    )
    await suite.start()
    yield suite
    await suite.stop()


@pytest.fixture
async def http(suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as client:
        yield client


# The console in a real browser: Debian's Chromium driven by Playwright (never a downloaded
# browser), one per session; each test gets a fresh context (no shared storage) per viewport.
CONSOLE_BUILD = Path(__file__).resolve().parents[2] / "web" / "dist" / "index.html"


@pytest.fixture(scope="session")
async def chromium():
    import shutil

    from playwright.async_api import async_playwright

    executable = os.environ.get("LABS_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("the console's browser tests drive Debian's Chromium: apt-get install "
                    "chromium (make test does it when run as root), or set LABS_CHROMIUM")
    if not CONSOLE_BUILD.is_file():
        pytest.fail("the console is not built: make console")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable)
        yield browser
        await browser.close()
