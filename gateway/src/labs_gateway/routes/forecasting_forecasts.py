"""A project's forecast: where its margin lands at completion, how sure that is, its risk and
what to do about it. (The forecast dashboard is in routes/forecasting_dashboards.py.)"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.errors import PermissionDenied
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.forecasting_common import Forecasting
from labs_gateway.schemas.forecasting import ForecastPublic
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["forecasts"], responses=PROBLEM_RESPONSES)


@router.get("/projects/{id}/forecast", response_model=ForecastPublic)
async def project_forecast(project_id: Annotated[uuid.UUID, Path(alias="id")],
                           forecasting: Forecasting):
    """The project's latest forecast: the margin at completion with its 10th-90th percentile
    band and confidence, the estimate and hours at completion, the risk score (1-10) with the
    factors behind it, and recommendations. `project:forecast-updated` pushes each new one.
    Manager or above (or the organization's financials level)."""
    found = await forecasting.GetProjectForecast(pb.GetProjectForecastRequest(
        project_id=str(project_id)))
    if not found.HasField("forecast"):
        # The forecast is a financial figure: one the caller may not see is left out of the
        # answer, and a forecast without it is none at all.
        raise PermissionDenied("Forecasts are for manager and up (or the organization's "
                               "financials level).")
    return public(found.forecast)
