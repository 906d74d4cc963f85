"""labs.capacity.v1.CapacityService, the reference servicer: each RPC maps its request to a
command (ids, cursors and enums parsed here, by labs_common's helpers), awaits one handler
`(command, uow)` in one transaction as the caller, and maps the result out. Errors are
LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import capacity_service_pb2_grpc as pb_grpc
from labs_capacity.adapters import proto
from labs_capacity.domain import commands
from labs_capacity.domain.model import ResourceFilters
from labs_capacity.service_layer import allocations, departures, overview, resources, time_off
from labs_capacity.service_layer.allocations import ProjectCheck
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.db.uow import Scope
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.pagination import page_size, position
from labs_common.parsing import object_id, optional_uuid, uuid_of

UowFactory = Callable[[Scope], CapacityUnitOfWork]


def resource_fields(given: pb.Resource) -> commands.ResourceFields:
    seniority = proto.SENIORITY.get(given.seniority_level)
    return commands.ResourceFields(
        name=given.name,
        email=given.email,
        user_id=optional_uuid(given.user_id, "user_id"),
        seniority_level=seniority.value if seniority else "",
        billing_rate=given.billing_rate,
        cost_rate=given.cost_rate,
        currency=given.currency,
        capacity_hours_per_week=given.capacity_hours_per_week,
        working_days=tuple(given.working_days),
        skills=tuple(given.skills),
        is_placeholder=given.is_placeholder,
    )


def allocation_fields(given: pb.Allocation) -> commands.AllocationFields:
    return commands.AllocationFields(
        resource_id=optional_uuid(given.resource_id, "resource_id"),
        project_id=optional_uuid(given.project_id, "project_id"),
        allocated_hours=given.allocated_hours,
        start_date=given.start_date,
        end_date=given.end_date,
        tentative=given.tentative,
    )


def rates_response(found) -> pb.GetRatesResponse:
    if found is None:
        return pb.GetRatesResponse(found=False)
    resource_id, rates = found
    return pb.GetRatesResponse(
        found=True,
        resource_id=str(resource_id),
        billing_rate=proto.two_places(rates.billing_rate),
        cost_rate=proto.two_places(rates.cost_rate),
        currency=rates.currency,
        effective_from=proto.day(rates.effective_from),
    )


def overview_response(weeks) -> pb.GetCapacityOverviewResponse:
    answer = pb.GetCapacityOverviewResponse()
    for week in weeks:
        available, allocated, tentative, utilization = overview.totals(week)
        answer.weeks.append(
            pb.CapacityWeek(
                week_start=week.week_start.isoformat(),
                total_available_hours=proto.two_places(available),
                total_allocated_hours=proto.two_places(allocated),
                total_tentative_hours=proto.two_places(tentative),
                utilization_percent=proto.number(utilization),
                by_resource=[
                    proto.resource_week(
                        r,
                        overview.capacity.utilization_percent(
                            r.allocated_hours, r.available_hours
                        ),
                    )
                    for r in week.by_resource
                ],
            )
        )
    return answer


async def _usd() -> str:
    return "USD"


async def _anyone(_user_id: uuid.UUID) -> bool:
    return True


class CapacityServicer(TransactionalRpcs, pb_grpc.CapacityServiceServicer):
    def __init__(self, uow: UowFactory, check_project: ProjectCheck,
                 org_currency: Callable[[], Awaitable[str]] = _usd,
                 is_member: Callable[[uuid.UUID], Awaitable[bool]] = _anyone) -> None:
        self._uow = uow
        self._projects = check_project
        self._org_currency = org_currency
        self._is_member = is_member

    async def _member_named(self, user_id: uuid.UUID | None) -> bool:
        """Whether the user a resource names is a member of the caller's org (asked of
        identity before the transaction opens; no user is no question)."""
        return user_id is None or await self._is_member(user_id)

    # --- rates ------------------------------------------------------------------------------

    async def GetRates(self, request: pb.GetRatesRequest, context) -> pb.GetRatesResponse:
        """A person's (or a resource's) rates on a day, for time entries to snapshot."""
        command = commands.GetRates(
            user_id=optional_uuid(request.user_id, "user_id"),
            resource_id=optional_uuid(request.resource_id, "resource_id"),
            on=request.date,
        )
        return await self._handle(context, request, resources.get_rates, command, rates_response)

    # --- resources --------------------------------------------------------------------------

    async def CreateResource(self, request, context) -> pb.CreateResourceResponse:
        """Adds a person (or a placeholder) with their first rates."""
        command = commands.CreateResource(
            resource_fields(request.resource), request.rates_effective_from
        )
        # Without a currency the org's applies: asked before the transaction opens.
        currency = request.resource.currency or await self._org_currency()
        member = await self._member_named(command.fields.user_id)
        return await self._handle(
            context, request, partial(resources.create_resource, org_currency=currency,
                                      user_is_member=member), command,
            resource=proto.resource)

    async def GetResource(self, request, context) -> pb.GetResourceResponse:
        """One resource with today's rates."""
        return await self._get_one(context, request, resources.get_resource, commands.GetResource,
                                   resource=proto.resource, what="resource")

    async def ListResources(self, request, context) -> pb.ListResourcesResponse:
        """The org's resources by name, a page at a time."""
        limit = page_size(request.page_size)
        seniority = proto.SENIORITY.get(request.seniority_level)
        command = commands.ListResources(
            position(request.page_token, str, uuid.UUID), limit,
            ResourceFilters(
                is_active=request.is_active if request.HasField("is_active") else None,
                seniority_level=seniority, skill=request.skill.strip()))
        return await self._handle_page(
            context, request, resources.list_resources, command, limit,
            resources=proto.resource, key=lambda r: (r.name, r.id))

    async def UpdateResource(self, request, context) -> pb.UpdateResourceResponse:
        """Changes the fields the update mask names; rate changes start a new rate period."""
        command = commands.UpdateResource(
            resource_id=object_id(request.resource.id, "resource"),
            fields=resource_fields(request.resource),
            update_mask=tuple(request.update_mask.paths),
            rates_effective_from=request.rates_effective_from,
            if_match=tuple(request.if_match_etags),
        )
        member = await self._member_named(
            command.fields.user_id if "user_id" in command.update_mask else None)
        return await self._handle(
            context, request, partial(resources.update_resource, user_is_member=member), command,
            resource=proto.resource)

    async def DeactivateResource(self, request, context) -> pb.DeactivateResourceResponse:
        """The resource leaves from end_date (default today) on."""
        command = commands.DeactivateResource(object_id(request.id, "resource"),
                                              request.end_date)
        return await self._handle(context, request, departures.deactivate_resource, command,
                                  resource=proto.resource)

    async def ListResourceRates(self, request, context) -> pb.ListResourceRatesResponse:
        """Every rate period of a resource, oldest first."""
        command = commands.ListResourceRates(object_id(request.resource_id, "resource"))
        return await self._handle(
            context, request, resources.list_rates, command,
            lambda periods: pb.ListResourceRatesResponse(rates=[proto.rate(p) for p in periods]),
        )

    # --- time off and holidays --------------------------------------------------------------

    async def CreateTimeOff(self, request, context) -> pb.CreateTimeOffResponse:
        """Records a stretch of time off of one resource."""
        given = request.time_off
        command = commands.CreateTimeOff(
            resource_id=object_id(given.resource_id, "resource"),
            start_date=given.start_date,
            end_date=given.end_date,
            hours_per_day=given.hours_per_day,
            reason=given.reason,
        )
        return await self._handle(context, request, time_off.create_time_off, command,
                                  time_off=proto.time_off)

    async def ListTimeOff(self, request, context) -> pb.ListTimeOffResponse:
        """A resource's time off by start date, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListTimeOff(
            object_id(request.resource_id, "resource"),
            position(request.page_token, date, uuid.UUID),
            limit,
        )
        return await self._handle_page(
            context, request, time_off.list_time_off, command, limit,
            time_off=proto.time_off, key=lambda t: (t.start_date, t.id))

    async def CreateHoliday(self, request, context) -> pb.CreateHolidayResponse:
        """Records a holiday of the whole org (at most one a day)."""
        command = commands.CreateHoliday(date=request.holiday.date, name=request.holiday.name)
        return await self._handle(context, request, time_off.create_holiday, command,
                                  holiday=proto.holiday)

    async def ListHolidays(self, request, context) -> pb.ListHolidaysResponse:
        """The org's holidays by date, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListHolidays(position(request.page_token, date, uuid.UUID), limit)
        return await self._handle_page(
            context, request, time_off.list_holidays, command, limit,
            holidays=proto.holiday, key=lambda h: (h.date, h.id))

    # --- allocations ------------------------------------------------------------------------

    async def CreateAllocation(self, request, context) -> pb.CreateAllocationResponse:
        """Books a resource's hours a week on a project over a span of days."""
        command = commands.CreateAllocation(allocation_fields(request.allocation))
        # Projects is asked before the transaction opens.
        project = await allocations.ask_project(self._projects, command.fields.project_id)
        return await self._handle(
            context, request, partial(allocations.create_allocation, projects=project),
            command,
            allocation=proto.allocation,
        )

    async def UpdateAllocation(self, request, context) -> pb.UpdateAllocationResponse:
        """Changes the fields the update mask names, if the etag still matches."""
        command = commands.UpdateAllocation(
            allocation_id=object_id(request.allocation.id, "allocation"),
            fields=allocation_fields(request.allocation),
            update_mask=tuple(request.update_mask.paths),
            if_match=tuple(request.if_match_etags),
        )
        project = await allocations.ask_project(
            self._projects,
            command.fields.project_id if "project_id" in command.update_mask else None)
        return await self._handle(
            context, request, partial(allocations.update_allocation, projects=project),
            command,
            allocation=proto.allocation,
        )

    async def DeleteAllocation(self, request, context) -> pb.DeleteAllocationResponse:
        """Removes an allocation (and the over-allocation it caused)."""
        command = commands.DeleteAllocation(object_id(request.id, "allocation"))
        return await self._handle(
            context, request, allocations.delete_allocation, command,
        )

    async def ListResourceAllocations(self, request, context):
        """A resource's allocations over some weeks, and its utilization over them."""
        command = commands.ListResourceAllocations(
            object_id(request.resource_id, "resource"), request.start_week, request.weeks
        )
        return await self._handle(
            context, request, allocations.list_for_resource, command,
            lambda answer: pb.ListResourceAllocationsResponse(
                allocations=[proto.allocation(a) for a in answer[0]],
                utilization_percent=proto.number(answer[1]),
            ),
        )

    async def ListProjectAllocations(self, request, context):
        """A project's allocations (or several projects'), each with its resource's name."""
        ids = [uuid_of(i, "project_ids") for i in request.project_ids]
        if request.project_id or not ids:
            ids.insert(0, uuid_of(request.project_id, "project_id"))
        command = commands.ListProjectAllocations(tuple(ids))
        return await self._handle(
            context, request, allocations.list_for_project, command,
            lambda found: pb.ListProjectAllocationsResponse(
                allocations=[proto.project_allocation(a) for a in found]),
        )

    # --- overview ---------------------------------------------------------------------------

    async def GetCapacityOverview(self, request, context) -> pb.GetCapacityOverviewResponse:
        """Per week: the org's available, allocated and tentative hours, and each resource's."""
        command = commands.GetCapacityOverview(request.start_week, request.weeks)
        return await self._handle(
            context, request, overview.capacity_overview, command, overview_response
        )
