"""Reports over a date range, as JSON or rendered by forecasting as CSV or PDF."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.forecasting_common import (
    EndDate,
    Forecasting,
    StartDate,
    dates,
    file_responses,
    render,
)
from labs_gateway.schemas.forecasting import (
    MarginSummaryReport,
    ReportFormatName,
    ResourceUtilizationReport,
)
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/reports", route_class=ExactJsonRoute, tags=["reports"],
                   responses=PROBLEM_RESPONSES)

Format = Annotated[ReportFormatName, Query(alias="format", description="json (default), csv or "
                                                                      "pdf.")]


@router.get("/margin-summary", response_model=MarginSummaryReport,
            responses=file_responses("Per project: hours, revenue, cost and margin"))
async def margin_summary(forecasting: Forecasting, start_date: StartDate, end_date: EndDate,
                         client_id: uuid.UUID | None = None, report_format: Format = "json"):
    """Per project, the hours, revenue, cost and margin of the work dated in the range, and the
    totals in the organization's currency. Manager or above (or the organization's financials
    level)."""
    fields = {**dates(start_date, end_date), **({"client_id": str(client_id)} if client_id
                                                else {})}
    if report_format != "json":
        return await render(forecasting, pb.REPORT_KIND_MARGIN_SUMMARY, report_format,
                            f"margin-summary-{start_date}-{end_date}", **fields)
    found = await forecasting.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(**fields))
    return MarginSummaryReport(
        projects=[public(row) for row in found.projects],
        totals=public(found.totals) if found.HasField("totals") else None,
        currency=found.currency)


@router.get("/resource-utilization", response_model=ResourceUtilizationReport,
            responses=file_responses("Per resource: available, allocated, logged and billable "
                                     "hours"))
async def resource_utilization(forecasting: Forecasting, start_date: StartDate,
                               end_date: EndDate, report_format: Format = "json"):
    """Per resource, the hours available, allocated, logged and billable in the range, and the
    utilization they make. Any staff role (no money in it)."""
    fields = dates(start_date, end_date)
    if report_format != "json":
        return await render(forecasting, pb.REPORT_KIND_RESOURCE_UTILIZATION, report_format,
                            f"resource-utilization-{start_date}-{end_date}", **fields)
    found = await forecasting.GetResourceUtilizationReport(
        pb.GetResourceUtilizationReportRequest(**fields))
    return ResourceUtilizationReport(resources=[public(row) for row in found.resources])
