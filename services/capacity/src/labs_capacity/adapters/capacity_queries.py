"""Available, allocated and tentative hours per resource-week, in one set-based query.

Weeks come from generate_series crossed with the resources. Only the days that matter are
expanded: each allocation's and each time off's days inside the window (working days of the
resource, before it left if it did), the org's holidays and the days after a resource left;
they are summed per resource-week and joined back. The rule it implements is domain/capacity.py's,
to which the tests hold it.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

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
    SELECT id, name, working_days, capacity_hours_per_week AS capacity,
           cardinality(working_days) AS n,
           capacity_hours_per_week / cardinality(working_days) AS daily,
           coalesce(end_date, 'infinity') AS gone_from
    FROM resources
    WHERE org_id = :org AND (CAST(:only AS uuid[]) IS NULL OR id = ANY(CAST(:only AS uuid[])))
      -- A resource that left before the window is not in it (unless asked for: over-allocation
      -- flags raised before it left are still resolved).
      AND (CAST(:departed AS boolean) OR end_date IS NULL OR end_date > CAST(:first AS date))
),
org_holidays AS (
    SELECT date FROM holidays
    WHERE org_id = :org AND date BETWEEN CAST(:first AS date) AND CAST(:last AS date)
),
-- Working days lost to holidays, per resource-week.
holiday_days AS (
    SELECT r.id AS resource_id,
           h.date - (CAST(extract(isodow FROM h.date) AS int) - 1) AS week_start,
           count(*) AS days
    FROM org_holidays h
    JOIN res r ON CAST(extract(isodow FROM h.date) AS smallint) = ANY(r.working_days)
    WHERE h.date < r.gone_from
    GROUP BY 1, 2
),
-- Working days from the day a resource left on: it has no hours then.
gone_days AS (
    SELECT r.id AS resource_id, w.week_start, count(*) AS days
    FROM res r CROSS JOIN weeks w CROSS JOIN generate_series(0, 6) AS k
    WHERE w.week_start + k >= r.gone_from
      AND CAST(extract(isodow FROM w.week_start + k) AS smallint) = ANY(r.working_days)
    GROUP BY 1, 2
),
-- Hours lost to time off on working days that are not holidays, at most a day's hours a day.
off_days AS (
    SELECT t.resource_id, CAST(d AS date) AS day, min(r.daily) AS daily,
           sum(coalesce(t.hours_per_day, r.daily)) AS hours
    FROM time_off t
    JOIN res r ON r.id = t.resource_id
    CROSS JOIN generate_series(greatest(t.start_date, CAST(:first AS date)),
                               least(t.end_date, CAST(:last AS date)), interval '1 day') AS d
    WHERE t.org_id = :org AND t.start_date <= :last AND t.end_date >= :first
      AND CAST(extract(isodow FROM d) AS smallint) = ANY(r.working_days)
      AND d < r.gone_from
      AND CAST(d AS date) NOT IN (SELECT date FROM org_holidays)
    GROUP BY t.resource_id, CAST(d AS date)
),
off AS (
    SELECT resource_id, day - (CAST(extract(isodow FROM day) AS int) - 1) AS week_start,
           sum(least(daily, hours)) AS hours
    FROM off_days
    GROUP BY 1, 2
),
-- Each allocation gives hours / n on each of the resource's working days inside its dates;
-- those to a project archived (as projects' events said, project_states) count no more.
allocated AS (
    SELECT a.resource_id,
           CAST(d AS date) - (CAST(extract(isodow FROM d) AS int) - 1) AS week_start,
           sum(a.allocated_hours / r.n) FILTER (WHERE NOT a.tentative) AS confirmed,
           sum(a.allocated_hours / r.n) FILTER (WHERE a.tentative) AS tentative
    FROM allocations a
    JOIN res r ON r.id = a.resource_id
    CROSS JOIN generate_series(greatest(a.start_date, CAST(:first AS date)),
                               least(a.end_date, CAST(:last AS date)), interval '1 day') AS d
    WHERE a.org_id = :org AND a.start_date <= :last AND a.end_date >= :first
      AND CAST(extract(isodow FROM d) AS smallint) = ANY(r.working_days)
      AND d < r.gone_from
      AND NOT EXISTS (SELECT 1 FROM project_states p
                      WHERE p.project_id = a.project_id AND p.org_id = :org AND p.archived)
    GROUP BY 1, 2
)
SELECT r.id, r.name, w.week_start,
       round(r.capacity - (coalesce(hd.days, 0) + coalesce(g.days, 0)) * r.daily
             - coalesce(o.hours, 0), 2)
           AS available_hours,
       round(coalesce(al.confirmed, 0), 2) AS allocated_hours,
       round(coalesce(al.tentative, 0), 2) AS tentative_hours
FROM res r CROSS JOIN weeks w
LEFT JOIN holiday_days hd ON hd.resource_id = r.id AND hd.week_start = w.week_start
LEFT JOIN gone_days g ON g.resource_id = r.id AND g.week_start = w.week_start
LEFT JOIN off o ON o.resource_id = r.id AND o.week_start = w.week_start
LEFT JOIN allocated al ON al.resource_id = r.id AND al.week_start = w.week_start
ORDER BY w.week_start, r.name, r.id
""").bindparams(bindparam("only", type_=ARRAY(UUID(as_uuid=True))))


async def resource_weeks(
    session: AsyncSession,
    org_id: uuid.UUID,
    first_monday: date,
    weeks: int,
    only: list[uuid.UUID] | None = None,
    departed: bool = False,
) -> list[ResourceWeek]:
    """Every (resource, week) of the org (or of `only`), weeks in order, then resources by name;
    `departed`: also those that left before the first week."""
    rows = await session.execute(
        _RESOURCE_WEEKS,
        {
            "org": org_id,
            "first": first_monday,
            "last": first_monday + timedelta(weeks=weeks, days=-1),
            "weeks": weeks,
            "only": only,
            "departed": departed,
        },
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


class SqlAlchemyCapacityWeeks:
    """`resource_weeks` of the unit of work's org, as handlers ask for it (`uow.weeks`)."""

    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        self._session = session
        self._org_id = org_id

    async def of(
        self, first_monday: date, weeks: int, only: list[uuid.UUID] | None = None,
        departed: bool = False,
    ) -> list[ResourceWeek]:
        return await resource_weeks(self._session, self._org_id, first_monday, weeks, only,
                                    departed)
