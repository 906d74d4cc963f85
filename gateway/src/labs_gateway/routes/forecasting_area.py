"""The forecasting area's routes (margins, forecasts, dashboards, alerts, reports) as one
router, so the app registers it with one line."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import (
    forecasting_alerts,
    forecasting_dashboards,
    forecasting_forecasts,
    forecasting_margins,
    forecasting_reports,
)

router = APIRouter(route_class=ExactJsonRoute)
router.include_router(forecasting_margins.router)
router.include_router(forecasting_forecasts.router)
router.include_router(forecasting_dashboards.router)
router.include_router(forecasting_reports.router)
router.include_router(forecasting_alerts.router)
