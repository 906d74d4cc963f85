"""Capacity's aggregates as plain data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from labs_common.entities import EditableEntity, Entity
from labs_common.errors import InvalidArgument
from labs_common.etag import Versioned

# Monday to Friday, as ISO weekdays (1 = Monday ... 7 = Sunday).
DEFAULT_WORKING_DAYS = (1, 2, 3, 4, 5)
DEFAULT_CAPACITY = Decimal("40")
# The first rates of a resource apply to every earlier date (stored as -infinity).
SINCE_ALWAYS = date.min


class Seniority(StrEnum):
    SENIOR = "senior"
    MID = "mid"
    JUNIOR = "junior"
    CONTRACTOR = "contractor"


@dataclass(frozen=True)
class Rates:
    billing_rate: Decimal
    # None: not known yet; the hours it would cost count as uncosted in margins until set.
    cost_rate: Decimal | None
    currency: str
    effective_from: date = SINCE_ALWAYS
    # The last day these apply, None while still in effect.
    effective_to: date | None = None


@dataclass
class Resource(Versioned, EditableEntity):
    name: str
    seniority_level: Seniority
    rates: Rates
    email: str | None = None
    user_id: uuid.UUID | None = None
    capacity_hours_per_week: Decimal = DEFAULT_CAPACITY
    working_days: tuple[int, ...] = DEFAULT_WORKING_DAYS
    skills: tuple[str, ...] = ()
    is_placeholder: bool = False
    # The first day the resource no longer counts (it left): no capacity, no allocation from
    # then on; None while it stays.
    end_date: date | None = None

    def active_on(self, day: date) -> bool:
        return self.end_date is None or day < self.end_date

    def check_bookable(self, end: date, field: str = "end_date") -> None:
        """An allocation (or anything booked) must end before the resource leaves."""
        if self.end_date is not None and end >= self.end_date:
            last = date.fromordinal(self.end_date.toordinal() - 1)
            raise InvalidArgument.on(field, f"{self.name} leaves on {self.end_date.isoformat()}: "
                                            f"book them until {last.isoformat()} at the latest")


@dataclass(frozen=True)
class ResourceFilters:
    """Which resources a list shows; None (or empty) leaves a filter out."""

    is_active: bool | None = None
    seniority_level: Seniority | None = None
    skill: str = ""

    def admit(self, resource: Resource, today: date) -> bool:
        return ((self.is_active is None or resource.active_on(today) == self.is_active)
                and (self.seniority_level is None
                     or resource.seniority_level == self.seniority_level)
                and (not self.skill or self.skill in resource.skills))


@dataclass
class TimeOff(Entity):
    resource_id: uuid.UUID
    start_date: date
    end_date: date
    # None: the whole working day.
    hours_per_day: Decimal | None = None
    reason: str = ""


@dataclass
class Holiday(Entity):
    date: date
    name: str = ""


@dataclass
class Allocation(Versioned, EditableEntity):
    resource_id: uuid.UUID
    project_id: uuid.UUID
    allocated_hours: Decimal
    start_date: date
    end_date: date
    tentative: bool = False


@dataclass(frozen=True)
class ProjectAllocation:
    """An allocation as a project's team shows it: with the name of the resource it books."""

    allocation: Allocation
    resource_name: str


@dataclass(frozen=True)
class ResourceWeek:
    resource_id: uuid.UUID
    name: str
    week_start: date
    available_hours: Decimal
    allocated_hours: Decimal
    tentative_hours: Decimal

    @property
    def over_allocated(self) -> bool:
        return self.allocated_hours > self.available_hours


@dataclass
class CapacityWeek:
    week_start: date
    by_resource: list[ResourceWeek] = field(default_factory=list)
