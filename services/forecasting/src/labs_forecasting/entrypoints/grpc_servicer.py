"""labs.forecasting.v1.ForecastingService on the one pattern: each RPC maps its request to a
command (ids and dates parsed here), runs one handler `(command, uow)` in one transaction as the
caller, and maps the result out. Everything it answers comes from its own read model."""

from __future__ import annotations

from datetime import date
from functools import partial

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs_common.auth.principal import current_principal
from labs_common.errors import FieldErrors, InvalidArgument, Unavailable
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.parsing import date_of, optional_date, optional_uuid, uuid_of
from labs_common.pdf import in_render_thread
from labs_forecasting.adapters import proto, report_files, report_proto
from labs_forecasting.adapters.capacity_client import Availability, Capacity
from labs_forecasting.domain import commands
from labs_forecasting.service_layer import (
    dashboards,
    forecast_dashboard,
    forecasts,
    margins,
    reports,
)
from labs_forecasting.service_layer.unit_of_work import UowFactory

REPORT_FORMATS = {pb.REPORT_FORMAT_UNSPECIFIED: "csv", pb.REPORT_FORMAT_CSV: "csv",
                  pb.REPORT_FORMAT_PDF: "pdf"}


def required_date(value: str, field: str) -> date:
    if not value:
        raise InvalidArgument.on(field, "is required")
    return date_of(value, field)


def date_range(request, problems: FieldErrors) -> tuple[date | None, date | None]:
    return (problems.check(lambda: required_date(request.start_date, "start_date")),
            problems.check(lambda: required_date(request.end_date, "end_date")))


class ForecastingServicer(TransactionalRpcs, pb_grpc.ForecastingServiceServicer):
    def __init__(self, uow: UowFactory, capacity: Capacity | None = None) -> None:
        """`capacity`: asked for available hours (the utilization report) before the
        transaction opens."""
        self._uow = uow
        self._capacity = capacity

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

    async def GetProfitabilityDashboard(self, request, context
                                        ) -> pb.GetProfitabilityDashboardResponse:
        client_id = optional_uuid(request.client_id, "client_id")
        command = commands.GetProfitabilityDashboard(
            status=request.status or None, client_id=client_id,
            sort_by=request.sort_by or "margin_percent", order=request.order or "desc")
        return await self._handle(context, request, dashboards.get_profitability_dashboard,
                                  command, report_proto.profitability)

    async def GetMetrics(self, request, context) -> pb.GetMetricsResponse:
        return await self._handle(context, request, dashboards.get_metrics,
                                  commands.GetMetrics(), report_proto.metrics)

    async def GetProjectForecast(self, request, context) -> pb.GetProjectForecastResponse:
        project_id = uuid_of(request.project_id, "project_id")
        return await self._handle(context, request, forecasts.get_project_forecast, project_id,
                                  forecast=lambda found: found)

    async def GetForecastDashboard(self, request, context) -> pb.GetForecastDashboardResponse:
        return await self._handle(context, request, forecast_dashboard.get_forecast_dashboard,
                                  commands.GetForecastDashboard(), _forecast_dashboard)

    async def GetMarginSummaryReport(self, request, context
                                     ) -> pb.GetMarginSummaryReportResponse:
        command = self._margin_summary(request)
        return await self._handle(context, request, reports.margin_summary, command,
                                  report_proto.margin_summary)

    async def GetResourceUtilizationReport(self, request, context
                                           ) -> pb.GetResourceUtilizationReportResponse:
        command = self._utilization(request)
        available = await self._available(command)
        return await self._handle(
            context, request, partial(reports.resource_utilization, available=available),
            command, report_proto.utilization)

    async def RenderReport(self, request, context) -> pb.RenderReportResponse:
        """The report as a file; the PDF laid out after the transaction, off the event loop."""
        problems = FieldErrors()
        fmt = REPORT_FORMATS.get(request.format)
        if fmt is None:
            problems.check(lambda: _fail("format", "must be csv or pdf"))
        if request.kind == pb.REPORT_KIND_MARGIN_SUMMARY:
            command = self._margin_summary(request)
            table = await self._handle(context, request, reports.margin_summary, command,
                                       reports.margin_summary_table)
        elif request.kind == pb.REPORT_KIND_RESOURCE_UTILIZATION:
            command = self._utilization(request)
            available = await self._available(command)
            table = await self._handle(
                context, request, partial(reports.resource_utilization, available=available),
                command, reports.utilization_table)
        elif request.kind == pb.REPORT_KIND_MARGIN_DETAIL:
            detail = commands.GetMarginDetail(uuid_of(request.project_id, "project_id"))
            table = await self._handle(context, request, reports.margin_detail, detail,
                                       reports.margin_detail_table)
        else:
            raise InvalidArgument.on("kind", "must be margin_summary, resource_utilization or "
                                             "margin_detail")
        problems.raise_any()
        if fmt == "pdf":
            content, content_type, filename = await in_render_thread(
                report_files.render, table, "pdf")
        else:
            content, content_type, filename = report_files.render(table, "csv")
        return pb.RenderReportResponse(content=content, content_type=content_type,
                                       filename=filename)

    def _margin_summary(self, request) -> commands.GetMarginSummaryReport:
        problems = FieldErrors()
        start, end = date_range(request, problems)
        client_id = problems.check(lambda: optional_uuid(request.client_id, "client_id"))
        problems.raise_any()
        return commands.GetMarginSummaryReport(start, end, client_id)  # type: ignore[arg-type]

    def _utilization(self, request) -> commands.GetResourceUtilizationReport:
        problems = FieldErrors()
        start, end = date_range(request, problems)
        problems.raise_any()
        reports.check_range(start, end)  # type: ignore[arg-type]
        return commands.GetResourceUtilizationReport(start, end)  # type: ignore[arg-type]

    async def _available(self, command: commands.GetResourceUtilizationReport) -> Availability:
        """Capacity's available hours in the range, asked as the caller (staff only: a client
        is refused before capacity is asked)."""
        dashboards.require_staff(current_principal())
        if self._capacity is None:
            raise Unavailable("Capacity is not reachable from here.")
        return await self._capacity.available(command.start_date, command.end_date)


def _fail(field: str, message: str):
    raise InvalidArgument.on(field, message)


def _forecast_dashboard(found: forecast_dashboard.ForecastDashboard
                        ) -> pb.GetForecastDashboardResponse:
    return pb.GetForecastDashboardResponse(
        projects_at_risk=[pb.ProjectAtRisk(
            id=str(p.id), name=p.name, current_margin=proto.number(p.current_margin),
            forecast_margin=proto.number(p.forecast_margin),
            forecast_low=proto.number(p.forecast_low),
            forecast_high=proto.number(p.forecast_high), risk_score=p.risk_score,
            days_remaining=p.days_remaining, recommendation=p.recommendation)
            for p in found.projects_at_risk],
        resource_gaps=[pb.ResourceGap(
            skill_level=g.skill_level, hours_needed=str(g.hours_needed),
            hours_available=str(g.hours_available), gap_hours=str(g.gap_hours),
            hiring_recommendation=g.hiring_recommendation) for g in found.resource_gaps])
