"""Time's migrations go down to nothing and back up again on a scratch database, and an entry
imported before fingerprints became uuids still matches the same row imported after."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from labs_common.db import migrations
from labs_common.db.engine import asyncpg_dsn
from labs_common.testing.databases import public_tables
from labs_time.adapters.directory import PersonRates, Project
from labs_time.adapters.import_references import Person
from labs_time.config import Settings
from labs_time.domain.csv_formats import ParsedRow
from labs_time.domain.model import Rates
from labs_time.main import DEFINITION
from labs_time.service_layer.import_rows import RowMapper

pytestmark = pytest.mark.integration


def _settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url,
                    database_name=f"labs_time_migrations_{uuid.uuid4().hex[:8]}")


async def test_upgrade_downgrade_upgrade(postgres_url: str):
    settings = _settings(postgres_url)
    await migrations.upgrade(settings, DEFINITION.migrations)
    expected = {"time_entries", "expenses", "import_jobs", "import_chunks", "outbox"}
    assert expected <= await public_tables(settings.sqlalchemy_url)
    assert "import_hashes" not in await public_tables(settings.sqlalchemy_url)
    await migrations.downgrade(settings, DEFINITION.migrations, "base")
    assert await public_tables(settings.sqlalchemy_url) == set()
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert expected <= await public_tables(settings.sqlalchemy_url)


class _OneMember:
    settings: dict = {}
    source_zone = ZoneInfo("UTC")
    create_missing = False

    def __init__(self, user_id: uuid.UUID, project: Project) -> None:
        self._person, self._project = Person(user_id, None), project

    def person(self, row: ParsedRow) -> Person | None:
        return self._person

    async def project(self, name: str) -> Project | str:
        return self._project

    def rates(self, person: Person, on: date) -> PersonRates:
        return PersonRates(None, Rates.none())


async def test_a_fingerprint_from_before_0005_matches_the_same_row_imported_after(
        postgres_url: str):
    org_id, user_id = uuid.uuid4(), uuid.uuid4()
    project = Project(uuid.uuid4(), "Website", False, None, "USD")
    row = ParsedRow(1, date(2026, 3, 2), "Website", Decimal("1.50"), "Wireframes", "", "Ada",
                    "Lovelace")
    # What revisions up to 0004 stored: the content hash of the row and its occurrence number.
    content = f"{user_id}|{project.id}|2026-03-02|1.50|Wireframes|True|None"
    old = f"{hashlib.blake2b(content.encode(), digest_size=16).hexdigest()}#1"

    settings = _settings(postgres_url)
    await migrations.upgrade(settings, DEFINITION.migrations, "0004")
    connection = await asyncpg.connect(asyncpg_dsn(settings.sqlalchemy_url))
    try:
        await connection.execute(
            "INSERT INTO time_entries (id, org_id, project_id, user_id, date_worked, hours, "
            "rounded_hours, billable, rate_source, notes, source, fingerprint) "
            "VALUES ($1, $2, $3, $4, $5, 1.5, 1.5, true, 'none', 'Wireframes', 'import', $6)",
            uuid.uuid4(), org_id, project.id, user_id, row.date_worked, old)
        await migrations.upgrade(settings, DEFINITION.migrations)
        stored = await connection.fetchval("SELECT fingerprint FROM time_entries")
    finally:
        await connection.close()

    staged = await RowMapper(_OneMember(user_id, project)).record(row)
    assert stored == uuid.UUID(staged.fingerprint)
