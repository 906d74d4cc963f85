"""What people ask capacity to do, one frozen dataclass per use case, built by the servicer from
the request. Ids are already UUIDs (the entrypoint parsed them); amounts and dates are the API's
text, which the domain rules validate so each failure names its field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labs_capacity.domain.model import ResourceFilters
from labs_common.commands import ById, Command

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


class GetRates(Command):
    user_id: uuid.UUID | None
    resource_id: uuid.UUID | None
    on: str


@dataclass(frozen=True)
class ResourceFields:
    """A resource as the caller gives it (all of it on create; what update_mask names on update)."""

    name: str = ""
    email: str = ""
    user_id: uuid.UUID | None = None
    seniority_level: str = ""
    billing_rate: str = ""
    cost_rate: str = ""
    currency: str = ""
    capacity_hours_per_week: str = ""
    working_days: tuple[int, ...] = ()
    skills: tuple[str, ...] = ()
    is_placeholder: bool = False


class CreateResource(Command):
    fields: ResourceFields
    rates_effective_from: str = ""


class GetResource(ById):
    pass


class ListResources(Command):
    after: After
    limit: int
    filters: ResourceFilters = ResourceFilters()


class DeactivateResource(Command):
    resource_id: uuid.UUID
    end_date: str = ""


class UpdateResource(Command):
    resource_id: uuid.UUID
    fields: ResourceFields
    update_mask: tuple[str, ...]
    rates_effective_from: str = ""
    if_match: tuple[str, ...] = ()


class ListResourceRates(ById):
    pass


class CreateTimeOff(Command):
    resource_id: uuid.UUID
    start_date: str
    end_date: str
    hours_per_day: str = ""
    reason: str = ""


class ListTimeOff(Command):
    resource_id: uuid.UUID
    after: After
    limit: int


class CreateHoliday(Command):
    date: str
    name: str = ""


class ListHolidays(Command):
    after: After
    limit: int


@dataclass(frozen=True)
class AllocationFields:
    resource_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    allocated_hours: str = ""
    start_date: str = ""
    end_date: str = ""
    tentative: bool = False


class CreateAllocation(Command):
    fields: AllocationFields


class UpdateAllocation(Command):
    allocation_id: uuid.UUID
    fields: AllocationFields
    update_mask: tuple[str, ...]
    if_match: tuple[str, ...] = ()


class DeleteAllocation(ById):
    pass


class ListResourceAllocations(Command):
    resource_id: uuid.UUID
    start_week: str = ""
    weeks: int = 0


class ListProjectAllocations(Command):
    project_ids: tuple[uuid.UUID, ...]


class GetCapacityOverview(Command):
    start_week: str = ""
    weeks: int = 0
