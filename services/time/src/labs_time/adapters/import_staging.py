"""Import batches go into the UNLOGGED import_rows table by PostgreSQL COPY (asyncpg's binary
copy_records_to_table, through a temp table), then into time_entries with one
INSERT ... SELECT ... ON CONFLICT DO NOTHING keyed by fingerprint, so a row already imported
(from this file or an earlier one) is skipped.

A fingerprint is the row's normalized content hash plus its occurrence number among identical rows
of the same file: two identical one-hour rows stay two entries, and the same file twice adds none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from labs_time.adapters.orm import IMPORT_ROW_COLUMNS

PUBLISH = text("""
    INSERT INTO time_entries (
        id, org_id, project_id, user_id, resource_id, date_worked, hours, rounded_hours,
        started_at, ended_at, billable, billable_rate, cost_rate, currency, rate_source, notes,
        source, fingerprint, import_job_id)
    SELECT gen_random_uuid(), org_id, project_id, user_id, resource_id, date_worked, hours,
           rounded_hours, started_at, ended_at, billable, billable_rate, cost_rate, currency,
           rate_source, notes, source,
           content_hash || '#' || row_number() OVER (PARTITION BY content_hash ORDER BY row_no),
           job_id
    FROM import_rows WHERE job_id = :job
    ON CONFLICT (org_id, fingerprint) WHERE fingerprint IS NOT NULL DO NOTHING
""")


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under the session's current transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def copy_rows(session: AsyncSession, records: Sequence[tuple]) -> None:
    """COPY the batch into a transaction-local temp table (PostgreSQL refuses COPY into a table
    under row-level security), then move it into import_rows, whose policy checks every org."""
    if not records:
        return
    await session.execute(text(
        "CREATE TEMP TABLE import_batch (LIKE import_rows) ON COMMIT DROP"))
    connection = await driver_connection(session)
    await connection.copy_records_to_table(
        "import_batch", records=records, columns=IMPORT_ROW_COLUMNS)
    await session.execute(text("INSERT INTO import_rows SELECT * FROM import_batch"))
    await session.execute(text("DROP TABLE import_batch"))


async def publish(session: AsyncSession, job_id: uuid.UUID) -> int:
    """Staged rows of the job → time entries; answers how many were new."""
    result = await session.execute(PUBLISH, {"job": job_id})
    return result.rowcount or 0


async def clear(session: AsyncSession, job_id: uuid.UUID) -> None:
    await session.execute(text("DELETE FROM import_rows WHERE job_id = :job"), {"job": job_id})
