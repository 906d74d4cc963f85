"""The capacity overview: per week, totals over the org's resources and each resource's line."""

from __future__ import annotations

from itertools import groupby

from labs_capacity.domain import capacity, commands
from labs_capacity.domain.model import CapacityWeek
from labs_capacity.domain.weeks import week_starts
from labs_capacity.service_layer.access import require_reader
from labs_capacity.service_layer.allocations import week_range
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork


async def capacity_overview(
    command: commands.GetCapacityOverview, uow: CapacityUnitOfWork
) -> list[CapacityWeek]:
    require_reader(uow.caller)
    first, count = week_range(command.start_week, command.weeks)
    rows = await uow.weeks.of(first, count)
    by_week = {
        monday: CapacityWeek(monday, list(lines))
        for monday, lines in groupby(rows, key=lambda r: r.week_start)
    }
    # Weeks of an org without resources still appear, with zeros.
    return [by_week.get(monday) or CapacityWeek(monday) for monday in week_starts(first, count)]


def totals(week: CapacityWeek):
    """(available, allocated, tentative, utilization percent) of a week over every resource."""
    available = sum((r.available_hours for r in week.by_resource), capacity.ZERO)
    allocated = sum((r.allocated_hours for r in week.by_resource), capacity.ZERO)
    tentative = sum((r.tentative_hours for r in week.by_resource), capacity.ZERO)
    return available, allocated, tentative, capacity.utilization_percent(allocated, available)
