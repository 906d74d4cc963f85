"""Time off of one resource, and the org's holidays: both take hours out of availability."""

from __future__ import annotations

import uuid

from labs.capacity.v1 import events_pb2
from labs_capacity.adapters import proto
from labs_capacity.domain import rules
from labs_capacity.domain.model import Holiday, TimeOff
from labs_capacity.service_layer import over_allocation, resources
from labs_capacity.service_layer.access import require_manager, require_reader
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.auth.principal import Principal
from labs_common.errors import AlreadyExists, InvalidArgument


async def create_time_off(
    uow: CapacityUnitOfWork,
    principal: Principal,
    resource_id: str,
    *,
    start_date: str,
    end_date: str,
    hours_per_day: str,
    reason: str,
) -> TimeOff:
    require_manager(principal)
    resource = await resources.load(uow, resource_id)
    start = rules.parse_date(start_date, "start_date")
    end = rules.parse_date(end_date, "end_date")
    rules.check_range(start, end)
    hours = (
        rules.parse_decimal(
            hours_per_day,
            "hours_per_day",
            maximum=rules.MAX_DAY_HOURS,
            exclusive_minimum=True,
        )
        if hours_per_day
        else None
    )
    if len(reason) > 500:
        raise InvalidArgument.on("reason", "must be at most 500 characters")
    entry = TimeOff(
        id=uuid.uuid4(),
        org_id=principal.org_id,
        resource_id=resource.id,
        start_date=start,
        end_date=end,
        hours_per_day=hours,
        reason=reason.strip(),
    )
    await uow.time_off.add(entry)
    await uow.outbox.add(
        "time_off.created", events_pb2.TimeOffCreated(time_off=proto.time_off(entry))
    )
    await over_allocation.reconcile(uow, [resource.id], start, end)
    return entry


async def list_time_off(
    uow: CapacityUnitOfWork, principal: Principal, resource_id: str, after, limit: int
) -> list[TimeOff]:
    require_reader(principal)
    resource = await resources.load(uow, resource_id)
    return await uow.time_off.list(resource.id, after, limit)


async def create_holiday(
    uow: CapacityUnitOfWork, principal: Principal, *, day: str, name: str
) -> Holiday:
    require_manager(principal)
    date = rules.parse_date(day, "date")
    if len(name) > 200:
        raise InvalidArgument.on("name", "must be at most 200 characters")
    holiday = await uow.holidays.add(
        Holiday(id=uuid.uuid4(), org_id=principal.org_id, date=date, name=name.strip())
    )
    if holiday is None:
        raise AlreadyExists("The organization already has a holiday that day.",
                            reason="HOLIDAY_EXISTS")
    await uow.outbox.add(
        "holiday.created", events_pb2.HolidayCreated(holiday=proto.holiday(holiday))
    )
    await over_allocation.reconcile(uow, None, date, date)
    return holiday


async def list_holidays(uow: CapacityUnitOfWork, principal: Principal, after, limit: int):
    require_reader(principal)
    return await uow.holidays.list(after, limit)
