"""What forecasting asks capacity over gRPC, as the caller (the channel forwards the caller's
token): each resource's available hours in a date range, which only capacity knows (working
days, time off and holidays taken out).

Never called with a unit of work open: the servicer asks first, then reads the read model in
one short transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import grpc

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs_common.errors import InvalidArgument
from labs_common.grpc.status import remote_call
from labs_forecasting.domain.model import ZERO
from labs_forecasting.domain.reports import week_share

# Capacity's limit on one overview.
MAX_WEEKS = 104

# resource id -> (name, available hours in the range)
Availability = dict[uuid.UUID, tuple[str, Decimal]]


def weeks_of(start: date, end: date) -> tuple[date, int]:
    """The Monday of `start`'s week and how many weeks reach `end`."""
    first = start - timedelta(days=start.weekday())
    last = end - timedelta(days=end.weekday())
    return first, (last - first).days // 7 + 1


def available_in(answer: capacity_pb.GetCapacityOverviewResponse, start: date, end: date
                 ) -> Availability:
    """Each resource's available hours in [start, end]: its weeks inside the range in full,
    the weeks the range cuts by their share of working days in it (domain/reports.py)."""
    found: dict[uuid.UUID, tuple[str, Decimal]] = {}
    for week in answer.weeks:
        share = week_share(date.fromisoformat(week.week_start), start, end)
        for line in week.by_resource:
            rid = uuid.UUID(line.resource_id)
            name, hours = found.get(rid, (line.name, ZERO))
            found[rid] = (line.name or name, hours + Decimal(line.available_hours or "0") * share)
    return found


class Capacity:
    def __init__(self, channel: Callable[[str], grpc.aio.Channel]) -> None:
        """`channel(service)`: the service's channel (Runtime.channel, which closes them)."""
        self._stub = capacity_grpc.CapacityServiceStub(channel("capacity"))

    async def available(self, start: date, end: date) -> Availability:
        first, weeks = weeks_of(start, end)
        if weeks > MAX_WEEKS:
            raise InvalidArgument.on("end_date", f"at most {MAX_WEEKS} weeks after start_date")
        answer = await remote_call(self._stub.GetCapacityOverview(
            capacity_pb.GetCapacityOverviewRequest(start_week=first.isoformat(), weeks=weeks)))
        return available_in(answer, start, end)
