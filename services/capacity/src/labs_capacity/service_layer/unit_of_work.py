"""Capacity's unit of work: the platform one plus capacity's repositories, each bound to the
scope's org."""

from __future__ import annotations

from labs_capacity.adapters.allocations_repository import SqlAlchemyAllocationRepository
from labs_capacity.adapters.capacity_queries import SqlAlchemyCapacityWeeks
from labs_capacity.adapters.holidays_repository import SqlAlchemyHolidayRepository
from labs_capacity.adapters.over_allocation_state import SqlAlchemyOverAllocationState
from labs_capacity.adapters.resources_repository import SqlAlchemyResourceRepository
from labs_capacity.adapters.time_off_repository import SqlAlchemyTimeOffRepository
from labs_common.db.uow import UnitOfWork


class CapacityUnitOfWork(UnitOfWork):
    def _start(self) -> None:
        org = self.scope.org_id
        self.resources = SqlAlchemyResourceRepository(self.session, org)
        self.time_off = SqlAlchemyTimeOffRepository(self.session, org)
        self.holidays = SqlAlchemyHolidayRepository(self.session, org)
        self.allocations = SqlAlchemyAllocationRepository(self.session, org)
        self.over_allocations = SqlAlchemyOverAllocationState(self.session, org)
        self.weeks = SqlAlchemyCapacityWeeks(self.session, org)
