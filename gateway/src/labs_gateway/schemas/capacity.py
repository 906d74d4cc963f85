"""Capacity's resources as the API shows them: resources and their rates, time off, holidays,
allocations, and capacity per week.

Money is a decimal string with its currency; hours are JSON numbers with at most 2 decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from labs_gateway.schemas.common import (
    CurrencyCode,
    IsoDate,
    Name,
    RequestModel,
    UuidStr,
    decimal_type,
)
from labs_gateway.schemas.proto_json import PublicModel

Seniority = Literal["senior", "mid", "junior", "contractor"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# ISO 4217, any case (answered upper-cased); the service checks the code is one the standard lists.
# An hourly rate: a decimal string ("150.00") or a JSON number (150.5), parsed exactly.
Money = decimal_type(maximum=1_000_000, example="150.00", description="An hourly rate.")
WeekHours = decimal_type(maximum=168, strings=False, example="40",
                         description="Hours per week, a JSON number.")
AllocatedHours = decimal_type(maximum=168, exclusive_minimum=True, strings=False, example="20",
                              description="Hours per week, a JSON number.")
DayHours = decimal_type(maximum=24, exclusive_minimum=True, strings=False, example="4",
                        description="Hours per day, a JSON number.")
WorkingDays = Annotated[list[Weekday], Field(min_length=1, max_length=7)]
Skills = Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=50)]
ENDS_AFTER_START = (("start_date", "end_date", "must not be before start_date"),)
EffectiveFrom = Field(
    None,
    description="With a rate change: the first day the new rates apply (default: today). "
    "Earlier dates keep their rates.",
)


# Requests


class ResourceCreate(RequestModel):
    name: Name
    email: Annotated[str, Field(max_length=320)] | None = None
    user_id: UuidStr | None = Field(None, description="The member this resource is, if any.")
    seniority_level: Seniority
    billing_rate: Money
    cost_rate: Money | None = Field(
        None, description="Absent: the resource's hours count as uncosted until one is set.")
    currency: CurrencyCode | None = Field(None, description="ISO 4217; default the organization's.")
    capacity_hours_per_week: WeekHours = Decimal(40)
    working_days: WorkingDays | None = Field(
        None, description="Days the weekly capacity is spread over; default Monday to Friday."
    )
    skills: Skills = []
    is_placeholder: bool = Field(False, description="A role not yet hired, e.g. Senior designer.")
    effective_from: IsoDate | None = Field(
        None, description="First day of the first rates; default: they apply to every date."
    )


class ResourceUpdate(RequestModel):
    """Only the fields present change. Not Optional where null makes no sense: null is refused."""

    name: Name = None  # type: ignore[assignment]
    email: Annotated[str, Field(max_length=320)] | None = None
    user_id: UuidStr | None = None
    seniority_level: Seniority = None  # type: ignore[assignment]
    billing_rate: Money = None  # type: ignore[assignment]
    cost_rate: Money = None  # type: ignore[assignment]
    currency: CurrencyCode = None  # type: ignore[assignment]
    capacity_hours_per_week: WeekHours = None  # type: ignore[assignment]
    working_days: WorkingDays = None  # type: ignore[assignment]
    skills: Skills = None  # type: ignore[assignment]
    is_placeholder: bool = None  # type: ignore[assignment]
    effective_from: IsoDate | None = EffectiveFrom


class TimeOffCreate(RequestModel):
    ORDERED = ENDS_AFTER_START

    start_date: IsoDate
    end_date: IsoDate = Field(description="Inclusive.")
    hours_per_day: DayHours | None = Field(
        None, description="Hours off on each working day covered; default the whole day."
    )
    reason: Annotated[str, Field(max_length=500)] = ""


class HolidayCreate(RequestModel):
    date: IsoDate
    name: Annotated[str, Field(max_length=200)] = ""


class AllocationCreate(RequestModel):
    ORDERED = ENDS_AFTER_START

    resource_id: UuidStr
    project_id: UuidStr
    allocated_hours: AllocatedHours
    start_date: IsoDate
    end_date: IsoDate = Field(description="Inclusive.")
    tentative: bool = Field(False, description="Pencilled in: shown apart from confirmed hours.")


class AllocationUpdate(RequestModel):
    ORDERED = ENDS_AFTER_START

    resource_id: UuidStr = None  # type: ignore[assignment]
    project_id: UuidStr = None  # type: ignore[assignment]
    allocated_hours: AllocatedHours = None  # type: ignore[assignment]
    start_date: IsoDate = None  # type: ignore[assignment]
    end_date: IsoDate = None  # type: ignore[assignment]
    tentative: bool = None  # type: ignore[assignment]


# Responses


class ResourcePublic(PublicModel):
    id: str
    name: str
    email: str | None
    user_id: str | None
    seniority_level: Seniority | None
    billing_rate: str
    cost_rate: str | None = Field(
        None, description="Absent for readers below manager; null while not known (the "
                          "resource's hours count as uncosted).")
    currency: str
    capacity_hours_per_week: float
    working_days: list[Weekday]
    skills: list[str]
    is_placeholder: bool
    end_date: date | None = Field(
        None, description="The first day the resource no longer counts (DELETE /resources/{id}); "
                          "null while it stays.")
    is_active: bool
    created_at: datetime | None
    updated_at: datetime | None


class ResourceDeactivate(RequestModel):
    end_date: IsoDate | None = Field(None, description="The first day it no longer counts; "
                                                       "default today.")


class ResourceList(BaseModel):
    resources: list[ResourcePublic]
    next_cursor: str | None


class RatePublic(PublicModel):
    effective_from: date | None = Field(description="Null for rates that always applied.")
    effective_to: date | None = Field(description="Last day; null while in effect.")
    billing_rate: str
    cost_rate: str | None = Field(None, description="Absent for readers below manager; null "
                                                    "while not known.")
    currency: str


class RateList(BaseModel):
    rates: list[RatePublic]


class TimeOffPublic(PublicModel):
    id: str
    resource_id: str
    start_date: date
    end_date: date
    hours_per_day: float | None
    reason: str
    created_at: datetime | None


class TimeOffList(BaseModel):
    time_off: list[TimeOffPublic]
    next_cursor: str | None


class HolidayPublic(PublicModel):
    id: str
    date: date
    name: str
    created_at: datetime | None


class HolidayList(BaseModel):
    holidays: list[HolidayPublic]
    next_cursor: str | None


class AllocationPublic(PublicModel):
    id: str
    resource_id: str
    project_id: str
    allocated_hours: float
    start_date: date
    end_date: date
    tentative: bool
    created_at: datetime | None
    updated_at: datetime | None


class ResourceAllocations(BaseModel):
    allocations: list[AllocationPublic]
    utilization_percent: float | None = Field(
        description="Confirmed over available hours of the weeks asked; null when none available."
    )


class ResourceWeekPublic(BaseModel):
    resource_id: str
    name: str
    available_hours: float
    allocated_hours: float
    tentative_hours: float
    utilization_percent: float | None


class CapacityWeekPublic(BaseModel):
    week_start: date
    total_available_hours: float
    total_allocated_hours: float
    total_tentative_hours: float
    utilization_percent: float | None
    by_resource: list[ResourceWeekPublic]


class CapacityOverview(BaseModel):
    weeks: list[CapacityWeekPublic]


class DashboardWeek(BaseModel):
    week_start: date
    total_hours: float = Field(description="Available hours after time off and holidays.")
    allocated_hours: float
    tentative_hours: float
    utilization_percent: float | None
    over_allocated_resources: int = Field(description="People given more than they have.")
    by_resource: list[ResourceWeekPublic]


class CapacityDashboard(BaseModel):
    by_week: list[DashboardWeek]
