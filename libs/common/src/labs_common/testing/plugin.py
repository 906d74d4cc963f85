"""Session fixtures: one PostgreSQL server and one NATS for the whole test run.

Tests isolate by tenant (a fresh organization each) or by their own database, never by deleting
rows, so they can share the engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from labs_common.testing.infrastructure import start_nats, start_postgres


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


@pytest.fixture
def unique_name() -> str:
    return uuid.uuid4().hex[:12]
