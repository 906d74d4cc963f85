"""Capacity's unit of work: the platform one plus capacity's repositories, each bound to the
scope's org."""

from __future__ import annotations

from labs_capacity.adapters.allocations_repository import SqlAlchemyAllocationRepository
from labs_capacity.adapters.capacity_queries import SqlAlchemyCapacityWeeks
from labs_capacity.adapters.holidays_repository import SqlAlchemyHolidayRepository
from labs_capacity.adapters.over_allocation_state import SqlAlchemyOverAllocationState
from labs_capacity.adapters.project_states import SqlAlchemyProjectStates
from labs_capacity.adapters.resources_repository import SqlAlchemyResourceRepository
from labs_capacity.adapters.time_off_repository import SqlAlchemyTimeOffRepository
from labs_common.db.uow import UnitOfWork


class CapacityUnitOfWork(UnitOfWork):
    repositories = {
        "resources": SqlAlchemyResourceRepository,
        "time_off": SqlAlchemyTimeOffRepository,
        "holidays": SqlAlchemyHolidayRepository,
        "allocations": SqlAlchemyAllocationRepository,
        "over_allocations": SqlAlchemyOverAllocationState,
        "weeks": SqlAlchemyCapacityWeeks,
        "project_states": SqlAlchemyProjectStates,
    }
