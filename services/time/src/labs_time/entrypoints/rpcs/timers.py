"""Timer RPCs: start, stop, and the running one. The project, the org and the rates are asked
before the transaction opens."""

from __future__ import annotations

from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.parsing import optional_uuid, uuid_of
from labs_time.adapters import proto
from labs_time.domain import commands
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import timers


def _started(answer) -> pb.StartTimerResponse:
    entry, stopped = answer
    return pb.StartTimerResponse(entry=proto.entry(entry),
                                 stopped=[proto.entry(e) for e in stopped])


def _stopped(finished) -> pb.StopTimerResponse:
    return pb.StopTimerResponse(entry=proto.entry(finished[-1]),
                                entries=[proto.entry(e) for e in finished])


class TimerRpcs(ServicerBase):
    async def StartTimer(self, request, context) -> pb.StartTimerResponse:
        """Starts the caller's timer (stopping a running one into entries)."""
        command = commands.StartTimer(uuid_of(request.project_id, "project_id"),
                                      optional_uuid(request.task_id, "task_id"), request.notes)
        asked = await timers.ask_for_start(self._directory, current_principal(),
                                           command.project_id, command.task_id)
        return await self._handle(context, request, partial(timers.start_timer, asked=asked),
                                  command, _started)

    async def StopTimer(self, request, context) -> pb.StopTimerResponse:
        """Stops the caller's timer into entries (one per day it ran)."""
        org = await timers.ask_for_stop(self._directory, current_principal())
        return await self._handle(context, request, partial(timers.stop_timer, asked=org),
                                  commands.StopTimer(), _stopped)

    async def GetCurrentTimer(self, request, context) -> pb.GetCurrentTimerResponse:
        """The caller's running timer."""
        return await self._handle(context, request, timers.current_timer,
                                  commands.GetCurrentTimer(), entry=proto.entry)
