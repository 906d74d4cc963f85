"""What people ask capacity to do, one frozen dataclass per use case, built by the servicer from
the request. Ids are already UUIDs (the entrypoint parsed them); amounts and dates are the API's
text, which the domain rules validate so each failure names its field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


@dataclass(frozen=True)
class GetRates:
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


@dataclass(frozen=True)
class CreateResource:
    fields: ResourceFields
    rates_effective_from: str = ""


@dataclass(frozen=True)
class GetResource:
    resource_id: uuid.UUID


@dataclass(frozen=True)
class ListResources:
    after: After
    limit: int


@dataclass(frozen=True)
class UpdateResource:
    resource_id: uuid.UUID
    fields: ResourceFields
    update_mask: tuple[str, ...]
    rates_effective_from: str = ""
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListResourceRates:
    resource_id: uuid.UUID


@dataclass(frozen=True)
class CreateTimeOff:
    resource_id: uuid.UUID
    start_date: str
    end_date: str
    hours_per_day: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ListTimeOff:
    resource_id: uuid.UUID
    after: After
    limit: int


@dataclass(frozen=True)
class CreateHoliday:
    date: str
    name: str = ""


@dataclass(frozen=True)
class ListHolidays:
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


@dataclass(frozen=True)
class CreateAllocation:
    fields: AllocationFields


@dataclass(frozen=True)
class UpdateAllocation:
    allocation_id: uuid.UUID
    fields: AllocationFields
    update_mask: tuple[str, ...]
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeleteAllocation:
    allocation_id: uuid.UUID


@dataclass(frozen=True)
class ListResourceAllocations:
    resource_id: uuid.UUID
    start_week: str = ""
    weeks: int = 0


@dataclass(frozen=True)
class ListProjectAllocations:
    project_id: uuid.UUID


@dataclass(frozen=True)
class GetCapacityOverview:
    start_week: str = ""
    weeks: int = 0
