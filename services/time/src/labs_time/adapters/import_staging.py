"""One import batch into time_entries: PostgreSQL COPY (asyncpg's binary copy_records_to_table)
into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING on the
fingerprint, returning the ids it inserted. COPY goes to a temp table because PostgreSQL refuses
COPY into a table under row-level security; the INSERT is checked by it. The staging table stays
with the connection, emptied at every commit (ON COMMIT DELETE ROWS): creating and dropping it for
every batch cost catalog writes.

Rows arrive complete (id, fingerprint, rates, rounding): the database only decides which are new.
What is the same for the whole job (org, job, source) is a parameter, not a column per row. A
platform's sync (service_layer/platform_entries.py) writes its new entries the same way, with no
job and with the platform's id of each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession


class StagedEntry(NamedTuple):
    """One row of a file, ready to become a time entry: the staging table's columns.

    Hours travel as integer hundredths and rates as integer cents: asyncpg encodes a Decimal in
    about 1.4 µs and an int in 0.2, four of them a row, and the database scales them back exactly.
    """

    # Ids travel as text, which asyncpg parses in C and events carry as they are.
    id: str
    fingerprint: str
    project_id: str
    user_id: str | None  # None for a resource without a login (resource_id says who)
    resource_id: str | None
    date_worked: date
    hours: int  # hundredths of an hour
    rounded_hours: int  # hundredths of an hour
    started_at: datetime | None
    ended_at: datetime | None
    billable: bool
    billable_rate: int | None  # cents
    cost_rate: int | None  # cents
    currency: str | None
    rate_source: str
    notes: str
    # Lands approved and locked, as POST /time-entries/approve leaves an entry (Harvest's
    # Approved?); else a draft.
    approved: bool = False
    # The platform's id of an entry a sync brings in (None from a file): what a reconcile finds
    # the platform's entries by.
    external_id: str | None = None


# A connection keeps the table from one transaction to the next, so its name carries the version
# of its columns: change them, change the name, and a connection never COPYs into an old shape.
TABLE = "import_staging_v3"

STAGING = f"""
    CREATE TEMP TABLE IF NOT EXISTS {TABLE} (
        id uuid, fingerprint uuid, project_id uuid, user_id uuid, resource_id uuid,
        date_worked date, hours integer, rounded_hours integer, started_at timestamptz,
        ended_at timestamptz, billable boolean, billable_rate bigint, cost_rate bigint,
        currency text, rate_source text, notes text, approved boolean, external_id text
    ) ON COMMIT DELETE ROWS
"""

PUBLISH = f"""
    INSERT INTO time_entries (
        id, org_id, project_id, user_id, resource_id, date_worked, hours, rounded_hours,
        started_at, ended_at, billable, billable_rate, cost_rate, currency, rate_source, notes,
        source, fingerprint, import_job_id, status, is_locked, locked_reason, external_id)
    SELECT b.id, $1, b.project_id, b.user_id, b.resource_id, b.date_worked, b.hours * 0.01,
           b.rounded_hours * 0.01, b.started_at, b.ended_at, b.billable, b.billable_rate * 0.01,
           b.cost_rate * 0.01, b.currency, b.rate_source, b.notes, $3, b.fingerprint, $2,
           CASE WHEN b.approved THEN 'approved' ELSE 'draft' END, b.approved,
           CASE WHEN b.approved THEN 'approved' ELSE '' END, b.external_id
    FROM {TABLE} b
    ON CONFLICT (org_id, fingerprint) WHERE fingerprint IS NOT NULL DO NOTHING
    RETURNING id
"""


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under the session's current transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def import_batch(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID | None,
                       source: str, records: Sequence[StagedEntry]) -> Sequence[int]:
    """Stage `records` by COPY and insert those whose fingerprint is new; answers their
    positions in `records`."""
    if not records:
        return []
    connection = await driver_connection(session)
    await connection.execute(STAGING)
    await connection.copy_records_to_table(
        TABLE, records=records, columns=StagedEntry._fields)
    inserted = await connection.fetch(PUBLISH, org_id, job_id, source)
    if len(inserted) == len(records):
        return range(len(records))
    new = {str(row[0]) for row in inserted}
    return [i for i, record in enumerate(records) if record.id in new]
