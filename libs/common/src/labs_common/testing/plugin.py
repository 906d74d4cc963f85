"""Session fixtures: one PostgreSQL server and one NATS for the whole test run, started only when
a test asks for them.

Tests isolate by tenant (a fresh organization each) or by their own database, never by deleting
rows, so they can share the engines. A test that asks for a server (directly or through its
fixtures) is an integration test whatever its marks say, so `-m "not integration and not e2e"`
(`make test-unit`) never starts PostgreSQL or NATS.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from labs_common.testing.infrastructure import start_nats, start_postgres

SERVER_FIXTURES = frozenset({"postgres_url", "nats_url"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real server `integration` before `-m` selects."""
    for item in items:
        needs_a_server = SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if needs_a_server and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.integration)


class EngineSettings(BaseSettings):
    """Real servers to test against instead of the embedded ones (LABS_DATABASE_URL/NATS_URL)."""

    model_config = SettingsConfigDict(env_prefix="LABS_", extra="ignore")

    database_url: str = ""
    nats_url: str = ""


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server (its `postgres` database) the tests may create databases in."""
    if url := EngineSettings().database_url:
        yield url
        return
    server, url = start_postgres(Path(tmp_path_factory.mktemp("pgdata")))
    yield url
    server.cleanup()


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := EngineSettings().nats_url:
        yield url
        return
    nats = start_nats(Path(tmp_path_factory.mktemp("nats")))
    yield nats.url
    nats.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    """An SMTP server keeping what it receives (labs_common.testing.mail.MailSink)."""
    from labs_common.testing.mail import MailSink

    sink = MailSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def unique_name() -> str:
    return uuid.uuid4().hex[:12]
