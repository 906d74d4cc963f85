"""Capacity's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_capacity.domain.capacity import HOURS as CENTS
from labs_capacity.domain.model import (
    SINCE_ALWAYS,
    Allocation,
    Holiday,
    ProjectAllocation,
    Rates,
    Resource,
    ResourceWeek,
    Seniority,
    TimeOff,
)
from labs_common.protobuf import EnumMapping, message_of

SENIORITY = EnumMapping(pb.SeniorityLevel, Seniority)


def day(value: date | None) -> str:
    return "" if value is None or value == SINCE_ALWAYS else value.isoformat()


def number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def two_places(value: Decimal | None) -> str:
    """Money and hours always read with 2 decimals, as stored ("40.00"), whatever was typed."""
    return "" if value is None else str(value.quantize(CENTS))


def resource(value: Resource) -> pb.Resource:
    return message_of(
        pb.Resource,
        value,
        email=value.email or "",
        billing_rate=two_places(value.rates.billing_rate),
        cost_rate=two_places(value.rates.cost_rate),
        currency=value.rates.currency,
        capacity_hours_per_week=two_places(value.capacity_hours_per_week),
        end_date=day(value.end_date),
        is_active=value.active_on(datetime.now(UTC).date()),
    )


def rate(value: Rates) -> pb.Rate:
    return message_of(
        pb.Rate,
        value,
        effective_from=day(value.effective_from),
        effective_to=day(value.effective_to),
        billing_rate=two_places(value.billing_rate),
        cost_rate=two_places(value.cost_rate),
    )


def time_off(value: TimeOff) -> pb.TimeOff:
    return message_of(pb.TimeOff, value, hours_per_day=two_places(value.hours_per_day))


def holiday(value: Holiday) -> pb.Holiday:
    return message_of(pb.Holiday, value)


def allocation(value: Allocation) -> pb.Allocation:
    return message_of(pb.Allocation, value, allocated_hours=two_places(value.allocated_hours))


def project_allocation(value: ProjectAllocation) -> pb.ProjectAllocation:
    return pb.ProjectAllocation(
        allocation=allocation(value.allocation), resource_name=value.resource_name)


def resource_week(value: ResourceWeek, utilization: Decimal | None) -> pb.ResourceWeek:
    return message_of(
        pb.ResourceWeek,
        value,
        available_hours=two_places(value.available_hours),
        allocated_hours=two_places(value.allocated_hours),
        tentative_hours=two_places(value.tentative_hours),
        utilization_percent=number(utilization),
    )
