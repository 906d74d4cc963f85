"""Timer RPCs: start, stop, and the running one."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.parsing import optional_uuid, uuid_of
from labs_time.adapters import proto
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import timers


class TimerRpcs(ServicerBase):
    async def StartTimer(self, request, context) -> pb.StartTimerResponse:
        project_id = uuid_of(request.project_id, "project_id")
        task_id = optional_uuid(request.task_id, "task_id")

        # The project, the org and the rates are asked before the transaction opens.
        asked = await timers.ask_for_start(self._directory, current_principal(), project_id)

        async def work(uow, principal):
            entry, stopped = await timers.start_timer(uow, principal, asked, task_id,
                                                      request.notes)
            return pb.StartTimerResponse(entry=proto.entry(entry),
                                         stopped=[proto.entry(e) for e in stopped])

        return await self._tenant(context, request, pb.StartTimerResponse, work)

    async def StopTimer(self, request, context) -> pb.StopTimerResponse:
        org = await timers.ask_for_stop(self._directory, current_principal())

        async def work(uow, principal):
            finished = await timers.stop_timer(uow, principal, org)
            return pb.StopTimerResponse(entry=proto.entry(finished[-1]),
                                        entries=[proto.entry(e) for e in finished])

        return await self._tenant(context, request, pb.StopTimerResponse, work)

    async def GetCurrentTimer(self, request, context) -> pb.GetCurrentTimerResponse:
        async def work(uow, principal):
            return pb.GetCurrentTimerResponse(
                entry=proto.entry(await timers.current_timer(uow, principal)))

        return await self._tenant(context, request, pb.GetCurrentTimerResponse, work)
