"""One import batch into time_entries: PostgreSQL COPY (asyncpg's binary copy_records_to_table)
into a transaction-local staging table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
keyed by fingerprint, returning what the batch's events carry. (COPY goes to a temp table because
PostgreSQL refuses COPY into a table under row-level security; the INSERT is checked by it.)

A fingerprint is the row's normalized content hash plus its occurrence number among identical rows
of the same file (counted in import_hashes): two identical one-hour rows stay two entries, and the
same file imported twice adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from labs_time.adapters.orm import IMPORT_ROW_COLUMNS

STAGING = """
    CREATE TEMP TABLE import_batch (
        job_id uuid, org_id uuid, row_no bigint, content_hash text, project_id uuid,
        user_id uuid, resource_id uuid, date_worked date, hours numeric(6, 2),
        rounded_hours numeric(6, 2), started_at timestamptz, ended_at timestamptz,
        billable boolean, billable_rate numeric(14, 2), cost_rate numeric(14, 2), currency text,
        rate_source text, notes text, source text
    ) ON COMMIT DROP
"""

REMEMBER = """
    INSERT INTO import_hashes (job_id, org_id, row_no, content_hash)
    SELECT job_id, org_id, row_no, content_hash FROM import_batch
"""

PUBLISH = """
    INSERT INTO time_entries (
        id, org_id, project_id, user_id, resource_id, date_worked, hours, rounded_hours,
        started_at, ended_at, billable, billable_rate, cost_rate, currency, rate_source, notes,
        source, fingerprint, import_job_id)
    SELECT gen_random_uuid(), b.org_id, b.project_id, b.user_id, b.resource_id, b.date_worked,
           b.hours, b.rounded_hours, b.started_at, b.ended_at, b.billable, b.billable_rate,
           b.cost_rate, b.currency, b.rate_source, b.notes, b.source,
           b.content_hash || '#' || (
               SELECT count(*) FROM import_hashes h
               WHERE h.job_id = b.job_id AND h.content_hash = b.content_hash
                 AND h.row_no <= b.row_no),
           b.job_id
    FROM import_batch b
    ON CONFLICT (org_id, fingerprint) WHERE fingerprint IS NOT NULL DO NOTHING
    RETURNING id, project_id, user_id, date_worked, hours, rounded_hours, billable,
              billable_rate, cost_rate, currency, rate_source, source
"""


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under the session's current transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def import_batch(session: AsyncSession, records: Sequence[tuple]) -> list:
    """Stage `records` by COPY and insert the new ones; answers the inserted entries."""
    if not records:
        return []
    connection = await driver_connection(session)
    await connection.execute(STAGING)
    await connection.copy_records_to_table(
        "import_batch", records=records, columns=IMPORT_ROW_COLUMNS)
    await connection.execute(REMEMBER)
    inserted = await connection.fetch(PUBLISH)
    await connection.execute("DROP TABLE import_batch")
    return inserted


async def clear(session: AsyncSession, job_id: uuid.UUID) -> None:
    await session.execute(text("DELETE FROM import_hashes WHERE job_id = :job"), {"job": job_id})
