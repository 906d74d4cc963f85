"""Margins, their daily history, the profitability and metrics dashboards and the reports, as the
API shows them (docs/API.md, "Margins, forecasts, dashboards, alerts, reports").

Money and percentages are decimal strings (an empty one from the service is null), hours JSON
numbers, trends lowercase (up, down, stable). The forecasting service computes everything and
refuses callers below the organization's financials level; the visibility policy marks the money
figures FINANCIALS, so a reader who may not see them gets them absent, on every channel.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import RequestModel
from labs_gateway.schemas.proto_json import PublicModel

TrendName = Literal["up", "down", "stable"]
ReportFormatName = Literal["json", "csv", "pdf"]
FileFormatName = Literal["csv", "pdf"]
ProfitabilitySortName = Literal["margin_percent", "margin_dollar", "revenue", "risk_score",
                                "name"]
SortOrderName = Literal["asc", "desc"]

FINANCIAL = "Manager and up (or down to the organization's `financials_visible_to`)."


# Requests


class MarginDetailExport(RequestModel):
    """POST /projects/{id}/export-margin-detail."""

    format: FileFormatName = Field(description="csv or pdf.")


# Responses


class MarginPublic(PublicModel):
    """A project's margin now: cost is the hours times the cost rate of its time entries plus
    its expenses, revenue follows its budget type, margin_percent is margin_dollar / revenue *
    100 (null when revenue is 0), budget_used_percent is null without a budget."""

    currency: str
    budget: str | None = Field(description="The project's money budget; null without one.")
    revenue: str | None = Field(None, description=FINANCIAL)
    labor_cost: str | None = Field(None, description=FINANCIAL)
    expense_cost: str | None = Field(None, description=FINANCIAL)
    cost: str | None = Field(None, description=FINANCIAL)
    margin_dollar: str | None = Field(None, description=FINANCIAL)
    margin_percent: str | None = Field(None, description="Null when revenue is 0. " + FINANCIAL)
    hours_logged: float
    billable_hours: float
    uncosted_hours: float = Field(0.0, description="Hours of people without a cost rate, not in "
                                                   "labor_cost until one is set. " + FINANCIAL)
    budget_used_percent: str | None = Field(None, description="Null without a budget. "
                                                              + FINANCIAL)
    hours_remaining: float | None = Field(description="Budget hours minus hours logged; null "
                                                      "without budget hours.")
    days_remaining: int | None = Field(description="Days to the end date (negative once past); "
                                                   "null without one.")
    trend: TrendName | None = Field(None, description=FINANCIAL)
    updated_at: datetime | None


class MarginUpdatedPublic(PublicModel):
    """`project:margin-updated`'s data: the project and its margin as REST shows it."""

    project_id: str
    margin: MarginPublic | None = Field(None, description=FINANCIAL)


class DailyMarginPublic(PublicModel):
    date: date
    revenue: str | None = None
    cost: str | None = None
    margin_dollar: str | None = None
    margin_percent: str | None = Field(None, description="Null when revenue is 0.")


class MarginHistory(BaseModel):
    margins: list[DailyMarginPublic] = Field(description="One row per day (its last margin), "
                                                         "oldest first.")


class ProfitabilityRowPublic(PublicModel):
    id: str
    name: str
    client_name: str | None
    budget: str | None = Field(description="In the summary's currency.")
    actuals: str | None = None
    margin_dollar: str | None = None
    margin_percent: str | None = None
    margin_trend: TrendName | None = None
    forecast_margin: str | None = Field(None, description="Null until there is a forecast.")
    forecast_confidence: str | None = Field(None, description="Null until there is a forecast.")
    currency: str = Field(description="The project's own currency.")
    converted: bool = Field(description="Whether its figures were converted into the summary's "
                                        "currency at the organization's exchange_rates.")
    status: str | None


class ProfitabilitySummaryPublic(PublicModel):
    currency: str
    total_budget: str | None
    total_actuals: str | None = None
    total_margin: str | None = None
    avg_margin_percent: str | None = None
    top_project: str | None = None
    bottom_project: str | None = None
    converted_from: dict[str, str] = Field(
        default_factory=dict, description='Currencies converted into `currency`, with the rate '
                                          'used ("GBP": "1.17").')
    unconverted: list[str] = Field(
        default_factory=list, description="Currencies without an exchange rate: those projects "
                                          "are left out of the totals.")


class ProfitabilityDashboard(BaseModel):
    projects: list[ProfitabilityRowPublic]
    summary: ProfitabilitySummaryPublic | None


class MetricsPublic(PublicModel):
    active_projects: int
    hours_this_week: float
    billable_hours_this_week: float
    utilization_percent: str | None = Field(description="Logged hours this week against the "
                                                        "team's weekly capacity; null without "
                                                        "capacity.")
    revenue_mtd: str | None = Field(None, description=FINANCIAL)
    outstanding_amount: str | None = Field(None, description=FINANCIAL)
    overdue_invoices: int
    currency: str


class MarginSummaryRowPublic(PublicModel):
    id: str | None = Field(description="Null in the totals.")
    name: str | None = Field(description="Null in the totals.")
    client_name: str | None
    hours: float
    revenue: str | None = None
    cost: str | None = None
    margin_dollar: str | None = None
    margin_percent: str | None = None
    currency: str | None


class MarginSummaryReport(BaseModel):
    projects: list[MarginSummaryRowPublic] = Field(description="Work dated in the range, per "
                                                               "project.")
    totals: MarginSummaryRowPublic | None = Field(description="In `currency` (other currencies "
                                                              "converted).")
    currency: str


class UtilizationRowPublic(PublicModel):
    resource_id: str
    name: str
    available_hours: float
    allocated_hours: float
    logged_hours: float
    billable_hours: float
    utilization_percent: str | None
    billable_utilization_percent: str | None


class ResourceUtilizationReport(BaseModel):
    resources: list[UtilizationRowPublic]
