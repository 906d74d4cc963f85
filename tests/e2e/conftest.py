"""The whole suite, started like `make up` once per session, on the session's PostgreSQL (its own
databases) and its own embedded NATS, on free ports; tests act as clients over HTTP and WebSocket.

Its own NATS because the activity feed replays every stream from the start, as a new read model
must: on the session's NATS it would first wade through every other test's events."""

from __future__ import annotations

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
        extra_env={"LABS_RATE_LIMIT": "100000/minute", "LABS_SMTP_URL": smtp_sink.url,
                   "LABS_SWEEP_SECONDS": "1"},
    )
    await suite.start()
    yield suite
    await suite.stop()


@pytest.fixture
async def http(suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as client:
        yield client
