"""An upgrade to head records its scripts' fingerprint; the next start with the same scripts is
done without Alembic, a changed script set migrates again, a downgrade forgets it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from labs_common.config import ServiceSettings
from labs_common.db import migrations
from labs_common.testing.databases import public_tables

pytestmark = pytest.mark.integration

ENV = "from sqlalchemy import MetaData\n\nfrom labs_common.db.migrations import run_env\n\n" \
      "run_env(target_metadata=MetaData())\n"


def _version(number: int, table: str) -> str:
    down = f'"{number - 1:04d}"' if number > 1 else "None"
    return (f'from alembic import op\n\nrevision = "{number:04d}"\ndown_revision = {down}\n'
            f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n"
            f'    op.execute("CREATE TABLE {table} (id int)")\n\n\n'
            f"def downgrade() -> None:\n"
            f'    op.execute("DROP TABLE {table}")\n')


async def test_same_scripts_are_not_migrated_again_changed_ones_are(postgres_url: str,
                                                                     tmp_path: Path):
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text(ENV)
    (scripts / "versions" / "0001_one.py").write_text(_version(1, "one"))
    settings = ServiceSettings(service_name="time", database_url=postgres_url,
                               database_name=f"labs_fingerprint_{uuid.uuid4().hex[:8]}")
    url = settings.sqlalchemy_url

    assert await migrations.recorded_fingerprint(url) is None  # no database yet
    await migrations.upgrade(settings, scripts)
    assert await public_tables(url) == {"one"}
    assert await migrations.recorded_fingerprint(url) == migrations.scripts_fingerprint(scripts)

    (scripts / "versions" / "0002_two.py").write_text(_version(2, "two"))
    assert await migrations.recorded_fingerprint(url) != migrations.scripts_fingerprint(scripts)
    await migrations.upgrade(settings, scripts)
    assert await public_tables(url) == {"one", "two"}
    await migrations.upgrade(settings, scripts)  # the same scripts: nothing to do
    assert await public_tables(url) == {"one", "two"}

    await migrations.downgrade(settings, scripts, "0001")
    assert await migrations.recorded_fingerprint(url) is None
    await migrations.upgrade(settings, scripts)
    assert await public_tables(url) == {"one", "two"}
