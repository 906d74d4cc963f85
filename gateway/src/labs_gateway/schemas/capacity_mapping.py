"""Capacity protos ⇄ the API's JSON shapes (weekdays are names in JSON, ISO numbers in protos)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_gateway.schemas.capacity import (
    AllocationPublic,
    CapacityWeekPublic,
    DashboardWeek,
    HolidayPublic,
    RatePublic,
    ResourcePublic,
    ResourceWeekPublic,
    TimeOffPublic,
)
from labs_gateway.schemas.common import timestamp

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SENIORITY_PREFIX = "SENIORITY_LEVEL_"


def seniority_to_proto(name: str) -> int:
    return pb.SeniorityLevel.Value(_SENIORITY_PREFIX + name.upper())


def seniority_name(value: int) -> str | None:
    if value == pb.SENIORITY_LEVEL_UNSPECIFIED:
        return None
    return pb.SeniorityLevel.Name(value).removeprefix(_SENIORITY_PREFIX).lower()


def weekdays_to_proto(names: list[str]) -> list[int]:
    return [WEEKDAYS.index(name) + 1 for name in names]


def decimal_text(value: str | int | float) -> str:
    """A number as the decimal string the service parses (floats by their shortest repr)."""
    return str(value) if not isinstance(value, float) else str(Decimal(repr(value)))


def hours(value: str) -> float | None:
    return float(value) if value else None


def day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def resource_public(r: pb.Resource) -> ResourcePublic:
    return ResourcePublic(
        id=r.id, name=r.name, email=r.email or None, user_id=r.user_id or None,
        seniority_level=seniority_name(r.seniority_level), billing_rate=r.billing_rate,
        cost_rate=r.cost_rate, currency=r.currency,
        capacity_hours_per_week=float(r.capacity_hours_per_week),
        working_days=[WEEKDAYS[d - 1] for d in r.working_days], skills=list(r.skills),
        is_placeholder=r.is_placeholder, created_at=timestamp(r.created_at),
        updated_at=timestamp(r.updated_at),
    )


def rate_public(r: pb.Rate) -> RatePublic:
    return RatePublic(effective_from=day(r.effective_from), effective_to=day(r.effective_to),
                      billing_rate=r.billing_rate, cost_rate=r.cost_rate, currency=r.currency)


def time_off_public(t: pb.TimeOff) -> TimeOffPublic:
    return TimeOffPublic(
        id=t.id, resource_id=t.resource_id, start_date=day(t.start_date), end_date=day(t.end_date),
        hours_per_day=hours(t.hours_per_day), reason=t.reason, created_at=timestamp(t.created_at),
    )


def holiday_public(h: pb.Holiday) -> HolidayPublic:
    return HolidayPublic(id=h.id, date=day(h.date), name=h.name, created_at=timestamp(h.created_at))


def allocation_public(a: pb.Allocation) -> AllocationPublic:
    return AllocationPublic(
        id=a.id, resource_id=a.resource_id, project_id=a.project_id,
        allocated_hours=float(a.allocated_hours), start_date=day(a.start_date),
        end_date=day(a.end_date), tentative=a.tentative, created_at=timestamp(a.created_at),
        updated_at=timestamp(a.updated_at),
    )


def resource_week_public(line: pb.ResourceWeek) -> ResourceWeekPublic:
    return ResourceWeekPublic(
        resource_id=line.resource_id, name=line.name,
        available_hours=float(line.available_hours), allocated_hours=float(line.allocated_hours),
        tentative_hours=float(line.tentative_hours),
        utilization_percent=hours(line.utilization_percent),
    )


def capacity_week_public(week: pb.CapacityWeek) -> CapacityWeekPublic:
    return CapacityWeekPublic(
        week_start=day(week.week_start),
        total_available_hours=float(week.total_available_hours),
        total_allocated_hours=float(week.total_allocated_hours),
        total_tentative_hours=float(week.total_tentative_hours),
        utilization_percent=hours(week.utilization_percent),
        by_resource=[resource_week_public(line) for line in week.by_resource],
    )


def dashboard_week(week: pb.CapacityWeek) -> DashboardWeek:
    return DashboardWeek(
        week_start=day(week.week_start),
        total_hours=float(week.total_available_hours),
        allocated_hours=float(week.total_allocated_hours),
        tentative_hours=float(week.total_tentative_hours),
        utilization_percent=hours(week.utilization_percent),
        over_allocated_resources=sum(
            1 for line in week.by_resource
            if Decimal(line.allocated_hours) > Decimal(line.available_hours)
        ),
        by_resource=[resource_week_public(line) for line in week.by_resource],
    )
