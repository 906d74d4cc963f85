"""Capacity's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_capacity.domain.capacity import HOURS as CENTS
from labs_capacity.domain.model import (
    SINCE_ALWAYS,
    Allocation,
    Holiday,
    Rates,
    Resource,
    ResourceWeek,
    Seniority,
    TimeOff,
)
from labs_common.protobuf import timestamp

SENIORITY_TO_PROTO = {s: pb.SeniorityLevel.Value(f"SENIORITY_LEVEL_{s.name}") for s in Seniority}
PROTO_TO_SENIORITY = {value: s for s, value in SENIORITY_TO_PROTO.items()}


def day(value: date | None) -> str:
    return "" if value is None or value == SINCE_ALWAYS else value.isoformat()


def number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def two_places(value: Decimal | None) -> str:
    """Money and hours always read with 2 decimals, as stored ("40.00"), whatever was typed."""
    return "" if value is None else str(value.quantize(CENTS))


def resource(value: Resource) -> pb.Resource:
    return pb.Resource(
        id=str(value.id),
        name=value.name,
        email=value.email or "",
        user_id=str(value.user_id or ""),
        seniority_level=SENIORITY_TO_PROTO[value.seniority_level],
        billing_rate=two_places(value.rates.billing_rate),
        cost_rate=two_places(value.rates.cost_rate),
        currency=value.rates.currency,
        capacity_hours_per_week=two_places(value.capacity_hours_per_week),
        working_days=list(value.working_days),
        skills=list(value.skills),
        is_placeholder=value.is_placeholder,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        etag=value.etag,
    )


def rate(value: Rates) -> pb.Rate:
    return pb.Rate(
        effective_from=day(value.effective_from),
        effective_to=day(value.effective_to),
        billing_rate=two_places(value.billing_rate),
        cost_rate=two_places(value.cost_rate),
        currency=value.currency,
    )


def time_off(value: TimeOff) -> pb.TimeOff:
    return pb.TimeOff(
        id=str(value.id),
        resource_id=str(value.resource_id),
        start_date=day(value.start_date),
        end_date=day(value.end_date),
        hours_per_day=two_places(value.hours_per_day),
        reason=value.reason,
        created_at=timestamp(value.created_at),
    )


def holiday(value: Holiday) -> pb.Holiday:
    return pb.Holiday(
        id=str(value.id), date=day(value.date), name=value.name,
        created_at=timestamp(value.created_at),
    )


def allocation(value: Allocation) -> pb.Allocation:
    return pb.Allocation(
        id=str(value.id),
        resource_id=str(value.resource_id),
        project_id=str(value.project_id),
        allocated_hours=two_places(value.allocated_hours),
        start_date=day(value.start_date),
        end_date=day(value.end_date),
        tentative=value.tentative,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        etag=value.etag,
    )


def resource_week(value: ResourceWeek, utilization: Decimal | None) -> pb.ResourceWeek:
    return pb.ResourceWeek(
        resource_id=str(value.resource_id),
        name=value.name,
        available_hours=two_places(value.available_hours),
        allocated_hours=two_places(value.allocated_hours),
        tentative_hours=two_places(value.tentative_hours),
        utilization_percent=number(utilization),
    )
