"""One project's margin over time, and the entries and expenses behind it as a file. (The margin
now rides on GET /projects and GET /projects/{id}: routes/projects.py.)"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.forecasting_common import Forecasting, dates, file_responses, render
from labs_gateway.schemas.forecasting import MarginDetailExport, MarginHistory
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["margins"], responses=PROBLEM_RESPONSES)

ProjectId = Annotated[uuid.UUID, Path(alias="id")]


@router.get("/projects/{id}/margin-history", response_model=MarginHistory)
async def margin_history(
        project_id: ProjectId, forecasting: Forecasting,
        start_date: Annotated[date | None, Query(
            description="YYYY-MM-DD, inclusive; default 30 days before end_date.")] = None,
        end_date: Annotated[date | None, Query(
            description="YYYY-MM-DD, inclusive; default today (UTC).")] = None):
    """The project's margin day by day: each day's last margin, from its first one on. Manager
    or above (or the organization's financials level)."""
    found = await forecasting.GetMarginHistory(pb.GetMarginHistoryRequest(
        project_id=str(project_id), **dates(start_date, end_date)))
    return MarginHistory(margins=[public(day) for day in found.margins])


@router.post("/projects/{id}/export-margin-detail", response_class=Response,
             responses=file_responses("Every entry and expense behind the margin, with its "
                                      "rates", json=False),
             dependencies=[IdempotentWrite])
async def export_margin_detail(project_id: ProjectId, body: MarginDetailExport,
                               forecasting: Forecasting) -> Response:
    """Every time entry and expense behind the project's margin, with their rates, as CSV or
    PDF. Manager or above, whatever the organization's financials level."""
    return await render(forecasting, pb.REPORT_KIND_MARGIN_DETAIL, body.format,
                        f"margin-detail-{project_id}", project_id=str(project_id))
