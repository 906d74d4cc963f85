"""labs.forecasting.v1.ForecastingService on the one pattern: each RPC maps its request to a
command (ids and dates parsed here), runs one handler `(command, uow)` in one transaction as the
caller, and maps the result out. Everything it answers comes from its own read model."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs_common.errors import FieldErrors
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.parsing import optional_date, uuid_of
from labs_forecasting.adapters import proto
from labs_forecasting.domain import commands
from labs_forecasting.service_layer import margins
from labs_forecasting.service_layer.unit_of_work import UowFactory


class ForecastingServicer(TransactionalRpcs, pb_grpc.ForecastingServiceServicer):
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def GetProjectMargin(self, request, context) -> pb.GetProjectMarginResponse:
        command = commands.GetProjectMargin(uuid_of(request.project_id, "project_id"))
        return await self._handle(context, request, margins.get_project_margin, command,
                                  margin=proto.margin)

    async def ListProjectMargins(self, request, context) -> pb.ListProjectMarginsResponse:
        problems = FieldErrors()
        ids = [problems.check(lambda v=v: uuid_of(v, "project_ids")) for v in request.project_ids]
        problems.raise_any()
        command = commands.ListProjectMargins(tuple(i for i in ids if i is not None))
        return await self._handle(
            context, request, margins.list_project_margins, command,
            margins=lambda found: [proto.margin(m) for m in found])

    async def GetMarginHistory(self, request, context) -> pb.GetMarginHistoryResponse:
        problems = FieldErrors()
        project_id = problems.check(lambda: uuid_of(request.project_id, "project_id"))
        start = problems.check(lambda: optional_date(request.start_date, "start_date"))
        end = problems.check(lambda: optional_date(request.end_date, "end_date"))
        problems.raise_any()
        command = commands.GetMarginHistory(project_id, start, end)
        return await self._handle(context, request, margins.get_margin_history, command,
                                  margins=lambda found: [proto.daily(d) for d in found])
