"""A project's risk: a score from 1 to 10 made of named factors, and recommendations computed from
the data (pure; no I/O; template text, no external model).

The forecast engine calls `assess(RiskInputs(...))` and stores the `Risk` it returns on the
forecast (risk_score, risk_factors, recommendation, recommendations); the forecast dashboard calls
it for a project without a stored forecast.

Choices, and why:

- **Every factor is always listed**, in the order of `FACTORS`, with 0.0 when it adds nothing and
  a sentence saying why (so a reader sees what was weighed, not only what went wrong). A factor
  whose input is unknown (no budget, no dates, no band yet) adds 0 and says so.
- **Score** = 1 + Σ contributions, rounded half up, clipped to 1..10. Contributions are capped
  per factor (burn 3, trend 2, band 2.5, over-allocation 1.5, invoices 1.5, days 1) so no one
  input alone reaches 10; they may sum past 9 (then the score is 10).
- **burn_rate**: budget used ahead of the schedule elapsed, 0.1 point per percentage point
  ahead (10 points ahead = 1.0); at or past 100 % used, at least 2.0.
- **margin_trend**: a fall of more than 1 point (model.TREND_BAND) in 7 days, 0.2 per point.
- **forecast_low**: the band's low end under the org's threshold, 0.125 per point under (8 points
  = 1.0). Without a band yet the current margin stands in for it (and the sentence says so).
- **over_allocation**: 0.5 per over-allocated person of the project's team.
- **overdue_invoices**: 0.5 per overdue invoice of the project.
- **days_remaining**: past the end date 1.0; 14 days or fewer left while the burn or the band
  factor contributes (little time to recover) 0.5; else 0.
- **Recommendations** (rebalance seniority, raise the rate, a fixed fee's change order, invoice
  unbilled hours, chase the largest overdue invoice, rebalance over-allocated people) each name
  an action, a sentence, and an expected effect computed from the inputs, best first (by
  `weight`: margin points for margin moves; fixed weights for cash and staffing moves).
  `Risk.recommendation` is the first one's action.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
NOTHING = Decimal("0.0")  # a factor that adds nothing, to one place
ONE_PLACE = Decimal("0.1")
CENT = Decimal("0.01")
DEFAULT_MARGIN_THRESHOLD = Decimal("20")
MIN_SCORE, MAX_SCORE = 1, 10
FACTORS = ("burn_rate", "margin_trend", "forecast_low", "over_allocation", "overdue_invoices",
           "days_remaining")
# Cheapest last; contractor is not a rung of this ladder.
SENIORITY_LADDER = ("principal", "lead", "senior", "mid", "junior")
LEVEL_NAMES = {"mid": "mid-level", "junior": "junior", "senior": "senior", "lead": "lead",
               "principal": "principal", "contractor": "contractor"}
MOVE_HOURS_PER_WEEK = Decimal("20")
TREND_BAND = Decimal("1")


def one_place(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _amount(currency: str, value: Decimal) -> str:
    return f"{currency} {value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def _pct(value: Decimal) -> str:
    """82 for 82.00, 82.5 for 82.50."""
    rounded = one_place(value)
    return f"{rounded:.0f}" if rounded == rounded.to_integral_value() else f"{rounded}"


def _hours(value: Decimal) -> str:
    return _pct(value)


def _cap(value: Decimal, cap: str) -> Decimal:
    return one_place(min(max(value, ZERO), Decimal(cap)))


@dataclass(frozen=True)
class OverdueInvoice:
    """An invoice of the project past its due date and not paid in full."""

    amount: Decimal  # still owed
    number: str = ""  # "INV-0007" when known
    due_date: date | None = None
    days_overdue: int = 0
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class RateLevel:
    """The org's resources of one seniority level: their average cost and bill rate per hour."""

    seniority_level: str
    cost_rate: Decimal
    bill_rate: Decimal | None = None


@dataclass(frozen=True)
class RiskInputs:
    """What `assess` reads; every figure is optional (an unknown one scores 0 and says so).

    Percents are percentage points (82 for 82 %). `margin_percent_7d_ago` is the margin percent
    at the end of the day 7 days before `today` (the trend is `margin_percent` minus it).
    `over_allocated` holds the resource ids of the project's team that are over-allocated in the
    coming weeks, `team_size` how many people the project has allocated. `weekly_hours_by_level`
    is the project's allocated hours per week still to come by seniority level, `rate_levels`
    the org's average cost (and bill) rate per level, for the rebalancing recommendation.
    `revenue`, `cost` and `hours_logged` are the project's to date (for the rate
    recommendation, time and materials only); `estimate_at_completion` the forecast's cost at
    completion (for a fixed fee's change order).
    """

    project_id: uuid.UUID | None = None
    today: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget_type: str = "time_and_materials"
    budget_used_percent: Decimal | None = None
    margin_percent: Decimal | None = None
    margin_percent_7d_ago: Decimal | None = None
    forecast_low: Decimal | None = None
    margin_threshold: Decimal = DEFAULT_MARGIN_THRESHOLD
    over_allocated: tuple[uuid.UUID, ...] = ()
    team_size: int = 0
    overdue_invoices: tuple[OverdueInvoice, ...] = ()
    days_remaining: int | None = None  # None: from end_date - today
    unbilled_hours: Decimal = ZERO
    unbilled_amount: Decimal = ZERO
    revenue: Decimal | None = None
    cost: Decimal | None = None
    hours_logged: Decimal | None = None
    # The cost at completion the forecast expects (fixed fee: the change order recommendation).
    estimate_at_completion: Decimal | None = None
    weekly_hours_by_level: dict[str, Decimal] = field(default_factory=dict)
    rate_levels: tuple[RateLevel, ...] = ()
    currency: str = "USD"


@dataclass(frozen=True)
class RiskFactor:
    factor: str
    contribution: Decimal  # one decimal place
    detail: str


@dataclass(frozen=True)
class Recommendation:
    action: str
    detail: str
    impact: str
    # For ordering only: margin points gained, or a fixed weight for cash and staffing moves.
    weight: Decimal = ZERO


@dataclass(frozen=True)
class Risk:
    score: int
    factors: tuple[RiskFactor, ...]
    recommendations: tuple[Recommendation, ...]

    @property
    def recommendation(self) -> str:
        return self.recommendations[0].action if self.recommendations else ""

    def factor(self, name: str) -> RiskFactor:
        return next(f for f in self.factors if f.factor == name)


def assess(inputs: RiskInputs) -> Risk:
    """Assess a project's risk.

    `assess(inputs: RiskInputs) -> Risk`:

    - `Risk.score`: int, 1 + Σ factor contributions rounded half up, clipped to 1..10;
    - `Risk.factors`: the six factors of `FACTORS` in that order (burn_rate, margin_trend,
      forecast_low, over_allocation, overdue_invoices, days_remaining), each a
      `RiskFactor(factor, contribution: Decimal with 1 place, detail: sentence)`;
    - `Risk.recommendations`: `Recommendation(action, detail, impact, weight)` best first;
      `Risk.recommendation` is the first one's action ("" when there is none).
    """
    days_left = days_remaining(inputs)
    burn = burn_rate(inputs)
    low = forecast_low(inputs)
    factors = (burn, margin_trend(inputs), low, over_allocation(inputs),
               overdue_invoices(inputs),
               days_remaining_factor(days_left, burn.contribution + low.contribution > 0))
    total = 1 + sum((f.contribution for f in factors), ZERO)
    score = int(total.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return Risk(score=min(max(score, MIN_SCORE), MAX_SCORE), factors=factors,
                recommendations=recommend(inputs, days_left))


# --- factors --------------------------------------------------------------------------------

def elapsed_percent(inputs: RiskInputs) -> Decimal | None:
    """Share of the schedule elapsed on `today`, 0..100; None without start, end and today."""
    if inputs.start_date is None or inputs.end_date is None or inputs.today is None:
        return None
    span = (inputs.end_date - inputs.start_date).days
    if span <= 0:
        return Decimal(100) if inputs.today >= inputs.end_date else ZERO
    done = Decimal((inputs.today - inputs.start_date).days) / span * 100
    return min(max(done, ZERO), Decimal(100))


def days_remaining(inputs: RiskInputs) -> int | None:
    if inputs.days_remaining is not None:
        return inputs.days_remaining
    if inputs.end_date is None or inputs.today is None:
        return None
    return (inputs.end_date - inputs.today).days


def burn_rate(inputs: RiskInputs) -> RiskFactor:
    used, elapsed = inputs.budget_used_percent, elapsed_percent(inputs)
    if used is None:
        return RiskFactor("burn_rate", NOTHING, "No budget to burn against")
    if elapsed is None:
        points = Decimal(2) if used >= 100 else ZERO
        return RiskFactor("burn_rate", one_place(points),
                          f"Budget {_pct(used)}% used; the schedule has no dates")
    ahead = used - elapsed
    points = ahead / 10
    if used >= 100:
        points = max(points, Decimal(2))
    return RiskFactor("burn_rate", _cap(points, "3"),
                      f"Budget {_pct(used)}% used with {_pct(elapsed)}% of the schedule elapsed")


def margin_trend(inputs: RiskInputs) -> RiskFactor:
    now, before = inputs.margin_percent, inputs.margin_percent_7d_ago
    if now is None or before is None:
        return RiskFactor("margin_trend", NOTHING, "No margin trend yet")
    moved = now - before
    if moved < -TREND_BAND:
        return RiskFactor("margin_trend", _cap(-moved / 5, "2"),
                          f"Margin fell {_pct(-moved)} points in 7 days, to {_pct(now)}%")
    if moved > TREND_BAND:
        return RiskFactor("margin_trend", NOTHING,
                          f"Margin rose {_pct(moved)} points in 7 days, to {_pct(now)}%")
    return RiskFactor("margin_trend", NOTHING, f"Margin stable at {_pct(now)}% over 7 days")


def forecast_low(inputs: RiskInputs) -> RiskFactor:
    threshold = inputs.margin_threshold
    low, what = inputs.forecast_low, "The forecast's low end"
    if low is None:
        low, what = inputs.margin_percent, "No forecast band yet; the current margin"
    if low is None:
        return RiskFactor("forecast_low", NOTHING, "No forecast band and no margin yet")
    under = threshold - low
    if under <= 0:
        return RiskFactor("forecast_low", NOTHING,
                          f"{what}, {_pct(low)}%, is at or above the {_pct(threshold)}% target")
    return RiskFactor("forecast_low", _cap(under / 8, "2.5"),
                      f"{what}, {_pct(low)}%, is {_pct(under)} points below the "
                      f"{_pct(threshold)}% target")


def over_allocation(inputs: RiskInputs) -> RiskFactor:
    count = len(set(inputs.over_allocated))
    if count == 0:
        return RiskFactor("over_allocation", NOTHING, "Nobody on the team is over-allocated")
    team = max(inputs.team_size, count)
    people = "person" if team == 1 else "people"
    verb = "is" if count == 1 else "are"
    return RiskFactor("over_allocation", _cap(Decimal(count) / 2, "1.5"),
                      f"{count} of the {team} {people} on the team {verb} over-allocated")


def overdue_invoices(inputs: RiskInputs) -> RiskFactor:
    overdue = inputs.overdue_invoices
    if not overdue:
        return RiskFactor("overdue_invoices", NOTHING, "No overdue invoices")
    owed = sum((i.amount for i in overdue), ZERO)
    noun = "invoice" if len(overdue) == 1 else "invoices"
    return RiskFactor("overdue_invoices", _cap(Decimal(len(overdue)) / 2, "1.5"),
                      f"{len(overdue)} overdue {noun}, {_amount(inputs.currency, owed)} owed")


def days_remaining_factor(days: int | None, at_risk: bool) -> RiskFactor:
    if days is None:
        return RiskFactor("days_remaining", NOTHING, "No end date")
    if days < 0:
        return RiskFactor("days_remaining", Decimal("1.0"),
                          f"{-days} days past its end date")
    if days <= 14 and at_risk:
        return RiskFactor("days_remaining", Decimal("0.5"),
                          f"{days} days left to recover budget or margin")
    return RiskFactor("days_remaining", NOTHING, f"{days} days remaining")


# --- recommendations ------------------------------------------------------------------------

def recommend(inputs: RiskInputs, days_left: int | None = None) -> tuple[Recommendation, ...]:
    found = [r for r in (rebalance_seniority(inputs), raise_rate(inputs), change_order(inputs),
                         invoice_unbilled(inputs), chase_overdue(inputs),
                         relieve_over_allocation(inputs)) if r is not None]
    return tuple(sorted(found, key=lambda r: -r.weight))


def _cheaper_level(level: str, rates: dict[str, RateLevel]) -> str | None:
    if level not in SENIORITY_LADDER:
        return None
    for lower in SENIORITY_LADDER[SENIORITY_LADDER.index(level) + 1:]:
        if lower in rates:
            return lower
    return None


def rebalance_seniority(inputs: RiskInputs) -> Recommendation | None:
    """Move up to 20 h/week of the costliest level's booked work to the next cheaper level the
    org has: the margin gained is the cost saved over the project's weekly revenue (its booked
    hours at the bill rates of their levels, else at its average rate to date)."""
    rates = {r.seniority_level: r for r in inputs.rate_levels}
    booked = {lvl: h for lvl, h in inputs.weekly_hours_by_level.items() if h > 0}
    weekly_revenue = ZERO
    average_rate = (inputs.revenue / inputs.hours_logged
                    if inputs.revenue and inputs.hours_logged else None)
    for lvl, h in booked.items():
        bill = rates[lvl].bill_rate if lvl in rates and rates[lvl].bill_rate else average_rate
        weekly_revenue += h * (bill or ZERO)
    if weekly_revenue <= 0:
        return None
    best: Recommendation | None = None
    for level in SENIORITY_LADDER:
        if level not in booked or level not in rates:
            continue
        cheaper = _cheaper_level(level, rates)
        if cheaper is None:
            continue
        saving = rates[level].cost_rate - rates[cheaper].cost_rate
        if saving <= 0:
            continue
        hours = min(booked[level], MOVE_HOURS_PER_WEEK)
        points = one_place(hours * saving / weekly_revenue * 100)
        if points < Decimal("0.5"):
            continue
        candidate = Recommendation(
            action=(f"Move {_hours(hours)} h/week of {LEVEL_NAMES.get(level, level)} work to a "
                    f"{LEVEL_NAMES.get(cheaper, cheaper)} person"),
            detail=(f"{LEVEL_NAMES.get(cheaper, cheaper).capitalize()} people cost "
                    f"{_amount(inputs.currency, saving)}/h less; saves "
                    f"{_amount(inputs.currency, hours * saving)} a week"),
            impact=f"+{_pct(points)} points of margin", weight=points)
        if best is None or candidate.weight > best.weight:
            best = candidate
    return best


def raise_rate(inputs: RiskInputs) -> Recommendation | None:
    """Time and materials under the threshold: the rate at which the cost per hour to date
    leaves the threshold's margin, cost / hours / (1 - threshold)."""
    margin, threshold = inputs.margin_percent, inputs.margin_threshold
    if (inputs.budget_type != "time_and_materials" or margin is None or margin >= threshold
            or not inputs.cost or not inputs.hours_logged or not inputs.revenue
            or threshold >= 100):
        return None
    current = inputs.revenue / inputs.hours_logged
    needed = inputs.cost / inputs.hours_logged / (1 - threshold / 100)
    if needed <= current:
        return None
    points = one_place(threshold - margin)
    return Recommendation(
        action=(f"Raise the rate to {_amount(inputs.currency, needed)}/h to reach the "
                f"{_pct(threshold)}% target"),
        detail=(f"The project earns {_amount(inputs.currency, current)}/h and costs "
                f"{_amount(inputs.currency, inputs.cost / inputs.hours_logged)}/h"),
        impact=f"+{_pct(points)} points of margin", weight=points)


def change_order(inputs: RiskInputs) -> Recommendation | None:
    """A fixed fee whose expected cost at completion leaves less than the threshold's margin:
    the extra fee that restores it, estimate / (1 - threshold) - fee."""
    fee, estimate = inputs.revenue, inputs.estimate_at_completion
    threshold = inputs.margin_threshold
    if inputs.budget_type != "fixed_fee" or not fee or estimate is None or threshold >= 100:
        return None
    expected = (fee - estimate) / fee * 100
    if expected >= threshold:
        return None
    extra = estimate / (1 - threshold / 100) - fee
    points = one_place(threshold - expected)
    return Recommendation(
        action=(f"Agree a change order of {_amount(inputs.currency, extra)} to reach the "
                f"{_pct(threshold)}% target"),
        detail=(f"The fee is {_amount(inputs.currency, fee)} and the work is expected to cost "
                f"{_amount(inputs.currency, estimate)}"),
        impact=f"+{_pct(points)} points of margin", weight=points)


def invoice_unbilled(inputs: RiskInputs) -> Recommendation | None:
    if inputs.unbilled_hours <= 0:
        return None
    amount = inputs.unbilled_amount
    return Recommendation(
        action=f"Invoice the {_hours(inputs.unbilled_hours)} unbilled hours",
        detail=f"{_hours(inputs.unbilled_hours)} billable hours are not on an invoice yet",
        impact=(f"{_amount(inputs.currency, amount)} billed" if amount > 0
                else "Revenue billed sooner"),
        weight=Decimal("2.5"))


def chase_overdue(inputs: RiskInputs) -> Recommendation | None:
    if not inputs.overdue_invoices:
        return None
    worst = max(inputs.overdue_invoices, key=lambda i: (i.amount, i.days_overdue))
    name = worst.number or (f"due {worst.due_date.isoformat()}" if worst.due_date else "")
    action = f"Chase overdue invoice {name}".rstrip()
    late = f", {worst.days_overdue} days overdue" if worst.days_overdue else ""
    others = len(inputs.overdue_invoices) - 1
    more = f" ({others} more overdue)" if others else ""
    return Recommendation(
        action=action,
        detail=f"{_amount(inputs.currency, worst.amount)} owed{late}{more}",
        impact=f"{_amount(inputs.currency, worst.amount)} collected",
        weight=Decimal(2) + min(Decimal(worst.days_overdue) / 30, Decimal(2)))


def relieve_over_allocation(inputs: RiskInputs) -> Recommendation | None:
    count = len(set(inputs.over_allocated))
    if count == 0:
        return None
    people = "person" if count == 1 else "people"
    return Recommendation(
        action=f"Rebalance the work of the {count} over-allocated {people}",
        detail="Move hours to someone with spare capacity, or move the dates",
        impact="Less overtime and schedule slip", weight=Decimal("1.5"))
