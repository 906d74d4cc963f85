"""Forecasting's use cases, one command each, built by the entrypoint from parsed input."""

from __future__ import annotations

import uuid
from datetime import date

from labs_common.commands import Command


class GetProjectMargin(Command):
    project_id: uuid.UUID


class ListProjectMargins(Command):
    project_ids: tuple[uuid.UUID, ...]


class GetMarginHistory(Command):
    project_id: uuid.UUID
    start_date: date | None = None
    end_date: date | None = None


class GetProfitabilityDashboard(Command):
    # None: every status but archived.
    status: str | None = None
    client_id: uuid.UUID | None = None
    sort_by: str = "margin_percent"
    order: str = "desc"


class GetMetrics(Command):
    pass


class GetMarginSummaryReport(Command):
    start_date: date
    end_date: date
    client_id: uuid.UUID | None = None


class GetResourceUtilizationReport(Command):
    start_date: date
    end_date: date


class GetMarginDetail(Command):
    project_id: uuid.UUID


class GetForecastDashboard(Command):
    pass
