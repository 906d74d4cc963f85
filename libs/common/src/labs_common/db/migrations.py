"""Alembic helpers: one `env.py` body for every service, upgrade on start under an advisory lock,
and the operations that put a table under tenant row-level security.

Alembic is imported only when there is something to migrate (every function below imports what
it uses): an upgrade to head records a fingerprint of the migration scripts in the database
(FINGERPRINT_TABLE), and a start whose scripts have that fingerprint is done after one query,
without loading Alembic (most of a second of CPU and 13 MiB per service, measured).
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy import MetaData, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine

from labs_common.config import ServiceSettings
from labs_common.db.engine import APP_ROLE, asyncpg_dsn, ensure_database
from labs_common.db.tables import platform_metadata

if TYPE_CHECKING:
    from alembic.config import Config

# One row: the fingerprint of the scripts the database was last upgraded to head with.
FINGERPRINT_TABLE = "labs_migrations_fingerprint"

TENANT_FUNCTION = """
CREATE OR REPLACE FUNCTION labs_tenant_visible(row_org uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT current_setting('labs.scope', true) = 'system'
      OR row_org = nullif(current_setting('labs.org_id', true), '')::uuid
$$
"""


def run_env(target_metadata: MetaData) -> None:
    """The whole body of a service's migrations/env.py."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `python -m labs_<service> migrate` or on start-up")
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def alembic_config(script_location: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


async def upgrade(settings: ServiceSettings, script_location: Path, revision: str = "head") -> None:
    """Create the database if needed and migrate it; safe with several replicas starting at once.
    Done at once when the database was upgraded to head with these very scripts."""
    fingerprint = scripts_fingerprint(script_location) if revision == "head" else None
    if fingerprint is not None and fingerprint == await recorded_fingerprint(
            settings.sqlalchemy_url):
        return
    await ensure_database(settings.sqlalchemy_url)
    engine = create_async_engine(settings.sqlalchemy_url)
    lock_id = zlib.crc32(f"labs-migrate-{settings.service_name}".encode())
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            try:
                await connection.run_sync(_upgrade, script_location, revision, fingerprint)
                await connection.commit()
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
    finally:
        await engine.dispose()


async def downgrade(settings: ServiceSettings, script_location: Path, revision: str) -> None:
    engine = create_async_engine(settings.sqlalchemy_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run, script_location, "downgrade", revision)
            # No longer at head: the next upgrade must run.
            await connection.execute(text(f"DROP TABLE IF EXISTS {FINGERPRINT_TABLE}"))
    finally:
        await engine.dispose()


def scripts_fingerprint(script_location: Path) -> str:
    """SHA-256 over the names and contents of the migration scripts (env.py and versions/)."""
    digest = hashlib.sha256()
    for path in sorted(script_location.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(script_location).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


async def recorded_fingerprint(url: URL) -> str | None:
    """What the last upgrade to head recorded; None for a new database or one never recorded."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        return await connection.fetchval(f"SELECT fingerprint FROM {FINGERPRINT_TABLE}")
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await connection.close()


def _upgrade(connection: Connection, script_location: Path, revision: str,
             fingerprint: str | None) -> None:
    _run(connection, script_location, "upgrade", revision)
    if fingerprint is not None:
        connection.execute(text(
            f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} (fingerprint text NOT NULL)"))
        connection.execute(text(f"DELETE FROM {FINGERPRINT_TABLE}"))
        connection.execute(text(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (:fingerprint)"),
                           {"fingerprint": fingerprint})
    grant_app_role(connection)


def _run(connection: Connection, script_location: Path, verb: str, revision: str) -> None:
    from alembic import command

    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


def grant_app_role(connection: Connection) -> None:
    """What a migration leaves: the tables usable by APP_ROLE, which a service connecting as a
    superuser acts as (labs_common.db.engine.app_role)."""
    is_superuser = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not is_superuser:
        return  # production: the service's own (non-superuser) role owns its tables
    connection.execute(
        text(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    )
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"))


# --- operations for migration scripts -------------------------------------------------------------


def create_platform_tables() -> None:
    """Outbox, inbox and idempotency tables plus the tenant visibility function."""
    from alembic import op

    bind = op.get_bind()
    platform_metadata.create_all(bind)
    op.execute(TENANT_FUNCTION)
    create_outbox_notify()


def create_outbox_notify() -> None:
    """The NOTIFY the relays once listened for (dropped again by drop_outbox_notify)."""
    from alembic import op

    op.execute("""
        CREATE OR REPLACE FUNCTION labs_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('labs_outbox', ''); RETURN NULL; END $$
    """)
    op.execute("""
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION labs_outbox_notify()
    """)


def drop_outbox_notify() -> None:
    """A commit that writes outbox rows no longer notifies: the relays of the committing process
    are woken in the process (labs_common.events.relay), and a NOTIFY took a lock that
    serializes every notifying commit of the server."""
    from alembic import op

    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS labs_outbox_notify()")


def drop_platform_tables() -> None:
    from alembic import op

    platform_metadata.drop_all(op.get_bind())
    op.execute("DROP FUNCTION IF EXISTS labs_outbox_notify()")
    op.execute("DROP FUNCTION IF EXISTS labs_tenant_visible(uuid)")


def enable_tenant_rls(table: str, column: str = "org_id") -> None:
    """Rows of `table` are visible only inside a transaction scoped to their org (`column`)."""
    from alembic import op

    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING (labs_tenant_visible({column})) WITH CHECK (labs_tenant_visible({column}))"
    )
