"""Time off of one resource, and the org's holidays: both take hours out of availability."""

from __future__ import annotations

import uuid

from labs.capacity.v1 import events_pb2
from labs_capacity.adapters import proto
from labs_capacity.domain import commands, rules
from labs_capacity.domain.model import Holiday, TimeOff
from labs_capacity.service_layer import over_allocation, resources
from labs_capacity.service_layer.access import require_manager, require_reader
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.errors import AlreadyExists, InvalidArgument


async def create_time_off(command: commands.CreateTimeOff, uow: CapacityUnitOfWork) -> TimeOff:
    require_manager(uow.caller)
    resource = await resources.load(uow, command.resource_id)
    start = rules.parse_date(command.start_date, "start_date")
    end = rules.parse_date(command.end_date, "end_date")
    rules.check_range(start, end)
    hours = (
        rules.parse_decimal(
            command.hours_per_day,
            "hours_per_day",
            maximum=rules.MAX_DAY_HOURS,
            exclusive_minimum=True,
        )
        if command.hours_per_day
        else None
    )
    if len(command.reason) > 500:
        raise InvalidArgument.on("reason", "must be at most 500 characters")
    entry = TimeOff(
        id=uuid.uuid4(),
        org_id=uow.caller.org_id,
        resource_id=resource.id,
        start_date=start,
        end_date=end,
        hours_per_day=hours,
        reason=command.reason.strip(),
    )
    await uow.time_off.add(entry)
    await uow.outbox.add(
        "time_off.created", events_pb2.TimeOffCreated(time_off=proto.time_off(entry))
    )
    await over_allocation.reconcile(uow, [resource.id], start, end)
    return entry


async def list_time_off(command: commands.ListTimeOff, uow: CapacityUnitOfWork) -> list[TimeOff]:
    require_reader(uow.caller)
    resource = await resources.load(uow, command.resource_id)
    return await uow.time_off.list(resource.id, command.after, command.limit)


async def create_holiday(command: commands.CreateHoliday, uow: CapacityUnitOfWork) -> Holiday:
    require_manager(uow.caller)
    date = rules.parse_date(command.date, "date")
    if len(command.name) > 200:
        raise InvalidArgument.on("name", "must be at most 200 characters")
    holiday = await uow.holidays.add(
        Holiday(id=uuid.uuid4(), org_id=uow.caller.org_id, date=date, name=command.name.strip())
    )
    if holiday is None:
        raise AlreadyExists("The organization already has a holiday that day.",
                            reason="HOLIDAY_EXISTS")
    await uow.outbox.add(
        "holiday.created", events_pb2.HolidayCreated(holiday=proto.holiday(holiday))
    )
    await over_allocation.reconcile(uow, None, date, date)
    return holiday


async def list_holidays(command: commands.ListHolidays, uow: CapacityUnitOfWork) -> list[Holiday]:
    require_reader(uow.caller)
    return await uow.holidays.list(command.after, command.limit)
