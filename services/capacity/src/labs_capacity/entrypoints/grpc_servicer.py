"""labs.capacity.v1.CapacityService: map the request in, run one handler in one transaction, map
the result out. Errors are LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import capacity_service_pb2_grpc as pb_grpc
from labs_capacity.adapters import proto
from labs_capacity.service_layer import allocations, overview, resources, time_off
from labs_capacity.service_layer.allocations import ProjectCheck
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.db.uow import Scope
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.pagination import next_page_token, page_size, position

SERVICE = pb.DESCRIPTOR.services_by_name["CapacityService"]

UowFactory = Callable[[Scope], CapacityUnitOfWork]


def _resource_fields(given: pb.Resource) -> dict:
    return {
        "name": given.name,
        "email": given.email,
        "user_id": given.user_id,
        "seniority_level": _seniority_name(given.seniority_level),
        "billing_rate": given.billing_rate,
        "cost_rate": given.cost_rate,
        "currency": given.currency,
        "capacity_hours_per_week": given.capacity_hours_per_week,
        "working_days": list(given.working_days),
        "skills": list(given.skills),
        "is_placeholder": given.is_placeholder,
    }


def _seniority_name(value: int) -> str:
    seniority = proto.PROTO_TO_SENIORITY.get(value)
    return seniority.value if seniority else ""


def _allocation_fields(given: pb.Allocation) -> dict:
    return {
        "resource_id": given.resource_id,
        "project_id": given.project_id,
        "allocated_hours": given.allocated_hours,
        "start_date": given.start_date,
        "end_date": given.end_date,
        "tentative": given.tentative,
    }


class CapacityServicer(TransactionalRpcs, pb_grpc.CapacityServiceServicer):
    def __init__(self, uow: UowFactory, check_project: ProjectCheck) -> None:
        self._uow = uow
        self._check_project = check_project

    # --- rates ------------------------------------------------------------------------------

    async def GetRates(self, request: pb.GetRatesRequest, context) -> pb.GetRatesResponse:
        async def work(uow, principal):
            found = await resources.get_rates(
                uow, principal, user_id=request.user_id, resource_id=request.resource_id,
                on=request.date,
            )
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

        return await self._tenant(context, request, pb.GetRatesResponse, work)

    # --- resources --------------------------------------------------------------------------

    async def CreateResource(self, request, context) -> pb.CreateResourceResponse:
        async def work(uow, principal):
            created = await resources.create_resource(
                uow, principal, _resource_fields(request.resource), request.rates_effective_from
            )
            return pb.CreateResourceResponse(resource=proto.resource(created))

        return await self._tenant(context, request, pb.CreateResourceResponse, work)

    async def GetResource(self, request, context) -> pb.GetResourceResponse:
        async def work(uow, principal):
            found = await resources.get_resource(uow, principal, request.id)
            return pb.GetResourceResponse(resource=proto.resource(found))

        return await self._tenant(context, request, pb.GetResourceResponse, work)

    async def ListResources(self, request, context) -> pb.ListResourcesResponse:
        limit = page_size(request.page_size)
        after = position(request.page_token, str, uuid.UUID)

        async def work(uow, principal):
            found = await resources.list_resources(uow, principal, after, limit)
            page, token = found[:limit], next_page_token(found, limit, lambda r: (r.name, r.id))
            return pb.ListResourcesResponse(
                resources=[proto.resource(r) for r in page], next_page_token=token
            )

        return await self._tenant(context, request, pb.ListResourcesResponse, work)

    async def UpdateResource(self, request, context) -> pb.UpdateResourceResponse:
        async def work(uow, principal):
            updated = await resources.update_resource(
                uow,
                principal,
                request.resource.id,
                _resource_fields(request.resource),
                list(request.update_mask.paths),
                request.rates_effective_from,
                list(request.if_match_etags),
            )
            return pb.UpdateResourceResponse(resource=proto.resource(updated))

        return await self._tenant(context, request, pb.UpdateResourceResponse, work)

    async def ListResourceRates(self, request, context) -> pb.ListResourceRatesResponse:
        async def work(uow, principal):
            periods = await resources.list_rates(uow, principal, request.resource_id)
            return pb.ListResourceRatesResponse(rates=[proto.rate(p) for p in periods])

        return await self._tenant(context, request, pb.ListResourceRatesResponse, work)

    # --- time off and holidays --------------------------------------------------------------

    async def CreateTimeOff(self, request, context) -> pb.CreateTimeOffResponse:
        given = request.time_off

        async def work(uow, principal):
            created = await time_off.create_time_off(
                uow,
                principal,
                given.resource_id,
                start_date=given.start_date,
                end_date=given.end_date,
                hours_per_day=given.hours_per_day,
                reason=given.reason,
            )
            return pb.CreateTimeOffResponse(time_off=proto.time_off(created))

        return await self._tenant(context, request, pb.CreateTimeOffResponse, work)

    async def ListTimeOff(self, request, context) -> pb.ListTimeOffResponse:
        limit = page_size(request.page_size)
        after = position(request.page_token, date, uuid.UUID)

        async def work(uow, principal):
            found = await time_off.list_time_off(uow, principal, request.resource_id, after, limit)
            page = found[:limit]
            token = next_page_token(found, limit, lambda t: (t.start_date, t.id))
            return pb.ListTimeOffResponse(
                time_off=[proto.time_off(t) for t in page], next_page_token=token
            )

        return await self._tenant(context, request, pb.ListTimeOffResponse, work)

    async def CreateHoliday(self, request, context) -> pb.CreateHolidayResponse:
        async def work(uow, principal):
            created = await time_off.create_holiday(
                uow, principal, day=request.holiday.date, name=request.holiday.name
            )
            return pb.CreateHolidayResponse(holiday=proto.holiday(created))

        return await self._tenant(context, request, pb.CreateHolidayResponse, work)

    async def ListHolidays(self, request, context) -> pb.ListHolidaysResponse:
        limit = page_size(request.page_size)
        after = position(request.page_token, date, uuid.UUID)

        async def work(uow, principal):
            found = await time_off.list_holidays(uow, principal, after, limit)
            page, token = found[:limit], next_page_token(found, limit, lambda h: (h.date, h.id))
            return pb.ListHolidaysResponse(
                holidays=[proto.holiday(h) for h in page], next_page_token=token
            )

        return await self._tenant(context, request, pb.ListHolidaysResponse, work)

    # --- allocations ------------------------------------------------------------------------

    async def CreateAllocation(self, request, context) -> pb.CreateAllocationResponse:
        async def work(uow, principal):
            created = await allocations.create_allocation(
                uow, principal, _allocation_fields(request.allocation), self._check_project
            )
            return pb.CreateAllocationResponse(allocation=proto.allocation(created))

        return await self._tenant(context, request, pb.CreateAllocationResponse, work)

    async def UpdateAllocation(self, request, context) -> pb.UpdateAllocationResponse:
        async def work(uow, principal):
            updated = await allocations.update_allocation(
                uow,
                principal,
                request.allocation.id,
                _allocation_fields(request.allocation),
                list(request.update_mask.paths),
                list(request.if_match_etags),
                self._check_project,
            )
            return pb.UpdateAllocationResponse(allocation=proto.allocation(updated))

        return await self._tenant(context, request, pb.UpdateAllocationResponse, work)

    async def DeleteAllocation(self, request, context) -> pb.DeleteAllocationResponse:
        async def work(uow, principal):
            await allocations.delete_allocation(uow, principal, request.id)
            return pb.DeleteAllocationResponse()

        return await self._tenant(context, request, pb.DeleteAllocationResponse, work)

    async def ListResourceAllocations(self, request, context):
        async def work(uow, principal):
            found, utilization = await allocations.list_for_resource(
                uow, principal, request.resource_id, request.start_week, request.weeks
            )
            return pb.ListResourceAllocationsResponse(
                allocations=[proto.allocation(a) for a in found],
                utilization_percent=proto.number(utilization),
            )

        return await self._tenant(context, request, pb.ListResourceAllocationsResponse, work)

    # --- overview ---------------------------------------------------------------------------

    async def GetCapacityOverview(self, request, context) -> pb.GetCapacityOverviewResponse:
        async def work(uow, principal):
            weeks = await overview.capacity_overview(
                uow, principal, request.start_week, request.weeks
            )
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

        return await self._tenant(context, request, pb.GetCapacityOverviewResponse, work)
