"""Margins, their daily history, forecasts, the profitability, metrics and forecast dashboards,
alerts and alert subscriptions, and the reports, as the API shows them (docs/API.md, "Margins,
forecasts, dashboards, alerts, reports").

Money and percentages are decimal strings (an empty one from the service is null), hours JSON
numbers, trends lowercase (up, down, stable). The forecasting service computes everything and
refuses callers below the organization's financials level; the visibility policy marks the money
figures FINANCIALS, so a reader who may not see them gets them absent, on every channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

from labs_gateway.schemas.common import RequestModel, UuidStr, decimal_type
from labs_gateway.schemas.proto_json import PublicModel

TrendName = Literal["up", "down", "stable"]
ReportFormatName = Literal["json", "csv", "pdf"]
FileFormatName = Literal["csv", "pdf"]
ProfitabilitySortName = Literal["margin_percent", "margin_dollar", "revenue", "risk_score",
                                "name"]
SortOrderName = Literal["asc", "desc"]
AlertTypeName = Literal["margin_threshold", "over_allocation", "risk_score", "budget_burn",
                        "invoice_overdue"]
SeverityName = Literal["critical", "warning", "info"]
DeliveryMethodName = Literal["email", "slack", "in_app"]

# A subscription's threshold: a percent (margin_threshold, default 20, from -1000 to 100;
# budget_burn, above 0 and at most 1000) or a risk score (risk_score, default 7, 1 to 10);
# over_allocation and invoice_overdue take none. Each type's own bounds (THRESHOLD_LIMITS) are
# checked beside the field's, as forecasting checks them.
_THRESHOLD_RULE = decimal_type(minimum=-1000, maximum=1000, places=2, example="30")
Threshold = Annotated[_THRESHOLD_RULE, WithJsonSchema({
    "anyOf": [{"type": "string", "pattern": r"^-?\d{1,4}(\.\d{1,2})?$", "examples": ["30"]},
              {"type": "number", "minimum": -1000, "maximum": 1000, "multipleOf": 0.01}],
    "description": "Percent for margin_threshold (default 20; -1000 to 100) and budget_burn "
                   "(above 0, at most 1000); a score for risk_score (default 7; 1 to 10); none "
                   "for over_allocation and invoice_overdue. At most 2 decimals."})]
# alert type → (lowest, highest, whether the lowest itself is allowed); None: no threshold.
THRESHOLD_LIMITS: dict[str, tuple[Decimal, Decimal, bool] | None] = {
    "margin_threshold": (Decimal(-1000), Decimal(100), True),
    "budget_burn": (Decimal(0), Decimal(1000), False),
    "risk_score": (Decimal(1), Decimal(10), True),
    "over_allocation": None,
    "invoice_overdue": None,
}

FINANCIAL = "Manager and up (or down to the organization's `financials_visible_to`)."


# Requests


class MarginDetailExport(RequestModel):
    """POST /projects/{id}/export-margin-detail."""

    format: FileFormatName = Field(description="csv or pdf.")


class AlertUpdate(RequestModel):
    """PUT/PATCH /alerts/{id}: only the fields given change."""

    is_read: bool = None  # type: ignore[assignment]
    action_taken: str | None = Field(None, max_length=2000,
                                     description="What was done about it; null clears it.")


def _threshold_problem(alert_type: Any, value: Any) -> InitErrorDetails | None:
    if not isinstance(alert_type, str) or alert_type not in THRESHOLD_LIMITS or value is None:
        return None
    limits = THRESHOLD_LIMITS[alert_type]
    if limits is None:
        message = f"{alert_type} takes no threshold"
    else:
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return None
        low, high, low_allowed = limits
        if (low < number or (low_allowed and number == low)) and number <= high:
            return None
        bound = f"at least {low}" if low_allowed else f"above {low}"
        message = f"must be {bound} and at most {high} for {alert_type}"
    return InitErrorDetails(type=PydanticCustomError("value_error", message),
                            loc=("threshold_value",), input=value)


class AlertSubscriptionCreate(RequestModel):
    """POST /alerts/subscribe: one (alert_type, delivery_method, project_id) per user."""

    alert_type: AlertTypeName
    delivery_method: DeliveryMethodName
    threshold_value: Threshold | None = None
    project_id: UuidStr | None = Field(None, description="Only this project; null: every "
                                                         "project the caller may see.")

    @classmethod
    def _relation_problems(cls, data: Any, wrong: set[Any]) -> list[InitErrorDetails]:
        problems = super()._relation_problems(data, wrong)
        if (isinstance(data, Mapping) and "threshold_value" not in wrong
                and "alert_type" not in wrong):
            problem = _threshold_problem(data.get("alert_type"), data.get("threshold_value"))
            if problem is not None:
                problems.append(problem)
        return problems


class AlertSubscriptionUpdate(RequestModel):
    """PATCH /alerts/subscriptions/{id}: only the fields given change."""

    threshold_value: Threshold | None = Field(None, description="Null: the type's default.")
    enabled: bool = None  # type: ignore[assignment]
    delivery_method: DeliveryMethodName = None  # type: ignore[assignment]


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


class RiskFactorPublic(PublicModel):
    factor: str = Field(description="burn_rate, margin_trend, forecast_low, over_allocation, "
                                    "overdue_invoices, days_remaining.")
    contribution: str | None = Field(description="Points it adds to the score (the factors sum "
                                                  "to risk_score - 1).")
    detail: str | None


class RecommendationPublic(PublicModel):
    action: str
    detail: str | None
    impact: str | None = Field(description='Its expected effect, e.g. "+6 points of margin".')


class ForecastPublic(PublicModel):
    """A project's forecast: actuals to date plus the allocated hours still to come at their
    effective rates, with a calibrated band (the 10th and 90th percentiles of the final margin
    percent)."""

    project_id: str
    as_of: datetime | None
    forecast_margin: str | None = Field(None, description="Percent at completion. " + FINANCIAL)
    forecast_margin_dollar: str | None = Field(None, description=FINANCIAL)
    forecast_low: str | None = Field(None, description="10th percentile of the final margin "
                                                       "percent. " + FINANCIAL)
    forecast_high: str | None = Field(None, description="90th percentile of the final margin "
                                                        "percent. " + FINANCIAL)
    forecast_confidence: int = Field(description="0-100.")
    estimate_at_completion: str | None = Field(None, description="Cost at completion. "
                                                                 + FINANCIAL)
    hours_at_completion: float | None
    method: str | None = Field(description='e.g. "ets+allocations", "pooled+allocations".')
    risk_score: int = Field(description="1-10.")
    risk_factors: list[RiskFactorPublic]
    recommendation: str | None
    recommendations: list[RecommendationPublic]


class ForecastUpdatedPublic(PublicModel):
    """`project:forecast-updated`'s data: the project and its forecast as REST shows it."""

    project_id: str
    forecast: ForecastPublic | None = Field(None, description=FINANCIAL)


class ProjectAtRiskPublic(PublicModel):
    id: str
    name: str
    current_margin: str | None = None
    forecast_margin: str | None = None
    forecast_low: str | None = None
    forecast_high: str | None = None
    risk_score: int = Field(description="1-10.")
    days_remaining: int | None
    recommendation: str | None


class ResourceGapPublic(PublicModel):
    skill_level: str = Field(description="senior, mid, junior, contractor (and a skill when the "
                                          "allocations name one).")
    hours_needed: float
    hours_available: float
    gap_hours: float
    hiring_recommendation: str | None


class ForecastDashboard(BaseModel):
    projects_at_risk: list[ProjectAtRiskPublic] = Field(description="Highest risk first.")
    resource_gaps: list[ResourceGapPublic] = Field(description="By seniority (and skill) over "
                                                               "the next 12 weeks.")


class AlertPublic(PublicModel):
    id: str
    type: AlertTypeName | None
    severity: SeverityName | None
    message: str
    project_id: str | None
    resource_id: str | None
    invoice_id: str | None
    data: dict[str, Any] | None = Field(None, description="The figures behind it (margin, "
                                                          "threshold...). " + FINANCIAL)
    is_read: bool
    action_taken: str | None
    created_at: datetime | None


class AlertList(BaseModel):
    alerts: list[AlertPublic] = Field(description="Newest first.")
    unread_count: int = Field(description="How many of the caller's alerts are unread.")
    next_cursor: str | None


class AlertSubscriptionPublic(PublicModel):
    id: str
    alert_type: AlertTypeName | None
    delivery_method: DeliveryMethodName | None
    threshold_value: str | None = Field(description="Null: the type's default.")
    project_id: str | None = Field(description="Null: every project.")
    enabled: bool


class AlertSubscriptionList(BaseModel):
    subscriptions: list[AlertSubscriptionPublic]
