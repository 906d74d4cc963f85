"""Available, allocated and tentative hours per resource-week, in one set-based query.

Weeks come from generate_series, crossed with the resources and the days of each week that are a
working day of the resource; time off, holidays and allocations join on those days. The rule it
implements is domain/capacity.py's, to which the tests hold it.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from labs_capacity.domain.model import ResourceWeek

_RESOURCE_WEEKS = text("""
WITH weeks AS (
    SELECT CAST(:first AS date) + 7 * i AS week_start
    FROM generate_series(0, :weeks - 1) AS i
),
res AS (
    SELECT id, name, working_days, cardinality(working_days) AS n,
           capacity_hours_per_week / cardinality(working_days) AS daily
    FROM resources
    WHERE org_id = :org AND (CAST(:only AS uuid[]) IS NULL OR id = ANY(CAST(:only AS uuid[])))
),
days AS (
    SELECT r.id AS resource_id, w.week_start, w.week_start + d AS day, r.daily, r.n
    FROM res r CROSS JOIN weeks w CROSS JOIN generate_series(0, 6) AS d
    WHERE CAST(extract(isodow FROM w.week_start + d) AS smallint) = ANY(r.working_days)
),
off AS (
    SELECT dd.resource_id, dd.day, sum(coalesce(t.hours_per_day, dd.daily)) AS hours
    FROM days dd
    JOIN time_off t
      ON t.org_id = :org AND t.resource_id = dd.resource_id
     AND dd.day BETWEEN t.start_date AND t.end_date
    GROUP BY dd.resource_id, dd.day
),
available AS (
    SELECT dd.resource_id, dd.week_start,
           sum(CASE WHEN h.date IS NOT NULL THEN 0
                    ELSE greatest(0, dd.daily - coalesce(o.hours, 0)) END) AS hours
    FROM days dd
    LEFT JOIN holidays h ON h.org_id = :org AND h.date = dd.day
    LEFT JOIN off o ON o.resource_id = dd.resource_id AND o.day = dd.day
    GROUP BY dd.resource_id, dd.week_start
),
allocated AS (
    SELECT dd.resource_id, dd.week_start,
           sum(a.allocated_hours / dd.n) FILTER (WHERE NOT a.tentative) AS confirmed,
           sum(a.allocated_hours / dd.n) FILTER (WHERE a.tentative) AS tentative
    FROM days dd
    JOIN allocations a
      ON a.org_id = :org AND a.resource_id = dd.resource_id
     AND dd.day BETWEEN a.start_date AND a.end_date
    GROUP BY dd.resource_id, dd.week_start
)
SELECT r.id, r.name, w.week_start,
       round(coalesce(av.hours, 0), 2) AS available_hours,
       round(coalesce(al.confirmed, 0), 2) AS allocated_hours,
       round(coalesce(al.tentative, 0), 2) AS tentative_hours
FROM res r CROSS JOIN weeks w
LEFT JOIN available av ON av.resource_id = r.id AND av.week_start = w.week_start
LEFT JOIN allocated al ON al.resource_id = r.id AND al.week_start = w.week_start
ORDER BY w.week_start, r.name, r.id
""").bindparams(bindparam("only", type_=ARRAY(UUID(as_uuid=True))))


async def resource_weeks(
    session: AsyncSession,
    org_id: uuid.UUID,
    first_monday: date,
    weeks: int,
    only: list[uuid.UUID] | None = None,
) -> list[ResourceWeek]:
    """Every (resource, week) of the org (or of `only`), weeks in order, then resources by name."""
    rows = await session.execute(
        _RESOURCE_WEEKS,
        {"org": org_id, "first": first_monday, "weeks": weeks, "only": only},
    )
    return [
        ResourceWeek(
            resource_id=row.id,
            name=row.name,
            week_start=row.week_start,
            available_hours=row.available_hours,
            allocated_hours=row.allocated_hours,
            tentative_hours=row.tentative_hours,
        )
        for row in rows
    ]
