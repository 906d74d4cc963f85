"""The profitability, metrics and forecast dashboards."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.forecasting_common import Forecasting
from labs_gateway.schemas.forecasting import (
    ForecastDashboard,
    MetricsPublic,
    ProfitabilityDashboard,
    ProfitabilitySortName,
    SortOrderName,
)
from labs_gateway.schemas.projects import ProjectStatusName
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/dashboards", route_class=ExactJsonRoute, tags=["dashboards"],
                   responses=PROBLEM_RESPONSES)


@router.get("/profitability", response_model=ProfitabilityDashboard)
async def profitability(
        forecasting: Forecasting,
        project_status: Annotated[ProjectStatusName | None, Query(
            alias="status", description="Default: every status but archived.")] = None,
        client_id: uuid.UUID | None = None,
        sort_by: Annotated[ProfitabilitySortName, Query(
            description="Default margin_percent.")] = "margin_percent",
        order: Annotated[SortOrderName, Query(description="Default desc.")] = "desc"):
    """Every project's budget, actuals, margin and trend, with the organization's totals in one
    currency (other currencies converted at its exchange_rates, and said so). Manager or above
    (or the organization's financials level)."""
    found = await forecasting.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(
        status=project_status or "", client_id=str(client_id or ""), sort_by=sort_by,
        order=order))
    return ProfitabilityDashboard(
        projects=[public(row) for row in found.projects],
        summary=public(found.summary) if found.HasField("summary") else None)


@router.get("/metrics", response_model=MetricsPublic)
async def metrics(forecasting: Forecasting):
    """This week's hours and utilization, revenue this month, what is outstanding and overdue."""
    return public(await forecasting.GetMetrics(pb.GetMetricsRequest()))


@router.get("/forecast", response_model=ForecastDashboard)
async def forecast_dashboard(forecasting: Forecasting):
    """The projects at risk (highest risk first: current and forecast margin with its band, risk
    score 1-10, days remaining, a recommendation) and the resource gaps by seniority (and skill)
    over the next 12 weeks, from allocations, tentative ones included. Manager or above (or the
    organization's financials level)."""
    found = await forecasting.GetForecastDashboard(pb.GetForecastDashboardRequest())
    return ForecastDashboard(projects_at_risk=[public(row) for row in found.projects_at_risk],
                             resource_gaps=[public(gap) for gap in found.resource_gaps])
