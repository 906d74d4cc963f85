"""A project's final margin, forecast: pure math, no I/O and no statsmodels (the fitting is
adapters/forecast_models.py; it hands this module the fitted parameters).

1. The estimate at completion (deterministic): the actuals to date (project_totals) plus the
   allocated hours still to come — hours/week x the working weeks from tomorrow to each
   allocation's end, **tentative allocations weighted 0.5** — at each allocation's cost and
   billing rates, the remaining work scaled by the project's own burn against its plan (actual
   cost to date over the cost its allocations planned to date, shrunk towards 1 while the history
   is short). Bookings alone (`bookings_only`) are the peers' projection, ratio 1.
   Revenue: time and materials grows with the billable allocated hours x billing rate; fixed fee
   is the budget; a retainer its budget per month from the start month to the end month;
   non-billable 0.
2. The band: the remaining work's cost is uncertain by a multiplier m, lognormal with sigma = the
   relative standard deviation of the model's forecast of the sum of the remaining daily costs
   (psi weights of the fitted ETS or ARIMA, `sum_sd`), widened by a calibration factor fitted on
   backtest residuals (`calibration_factor`) so that ~80% of realized outcomes fall inside
   [low, high]; low and high are the final margin percent at m = exp(-/+ z80 x k x sigma).
3. Confidence 0-100 from the band's width and the history's length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from labs_forecasting.domain.model import (
    ZERO,
    BudgetType,
    Project,
    Totals,
    money,
    months_billed,
    percent,
)

TENTATIVE_WEIGHT = Decimal("0.5")
WORKDAYS_PER_WEEK = 5
# z of the 90th percentile: [q10, q90] is the 80% band.
Z80 = 1.2815515655446004
TARGET_COVERAGE = 0.8
# Days of history below which a project's own series is not trusted with a band (pooled instead).
MIN_HISTORY_DAYS = 14
# Days of history at which the burn ratio counts fully (shrunk towards 1 before).
BURN_FULL_DAYS = 28
BURN_BOUNDS = (0.5, 2.0)
# Relative sigma of the remaining work when nothing better is known (no history, no pool).
DEFAULT_REL_SIGMA = 0.25
# Calibration factor when no backtest has been scored yet (the bench's fit on its synthetic
# agency, bench/forecast_accuracy.py).
DEFAULT_FACTOR = 1.0
# How many scores the calibration needs before it trusts them over the default; below it the
# empirical quantile is blended with the default, weighted by count.
CALIBRATION_PRIOR = 30
# The widest log-multiplier a band spans (x/÷ ~150): beyond it the band says nothing anyway.
MAX_SPREAD = 5.0


@dataclass(frozen=True)
class Allocation:
    hours_per_week: Decimal
    start_date: date
    end_date: date
    tentative: bool = False
    billing_rate: Decimal | None = None
    cost_rate: Decimal | None = None


@dataclass(frozen=True)
class Work:
    """Hours, cost and billable revenue of a piece of work."""

    hours: Decimal = ZERO
    cost: Decimal = ZERO
    revenue: Decimal = ZERO

    def scaled(self, factor: float | Decimal) -> Work:
        f = Decimal(str(factor))
        return Work(self.hours * f, self.cost * f, self.revenue * f)


@dataclass(frozen=True)
class Estimate:
    hours_at_completion: Decimal
    cost_at_completion: Decimal
    revenue_at_completion: Decimal
    margin_dollar: Decimal
    margin_percent: Decimal | None
    remaining: Work
    burn_ratio: float


@dataclass(frozen=True)
class Band:
    low: Decimal | None
    high: Decimal | None
    rel_sigma: float
    factor: float


def working_days(start: date, end: date) -> int:
    """Mon-Fri days in [start, end] (0 when end < start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for i in range(rest):
        if (weekday + i) % 7 < 5:
            count += 1
    return count


def _weight(allocation: Allocation) -> Decimal:
    return TENTATIVE_WEIGHT if allocation.tentative else Decimal("1")


def _work(allocation: Allocation, start: date, end: date, billable: bool) -> Work:
    days = working_days(max(start, allocation.start_date), min(end, allocation.end_date))
    hours = allocation.hours_per_week * days / WORKDAYS_PER_WEEK * _weight(allocation)
    cost = hours * (allocation.cost_rate or ZERO)
    revenue = hours * (allocation.billing_rate or ZERO) if billable else ZERO
    return Work(hours, cost, revenue)


def _sum(works: Iterable[Work]) -> Work:
    total = Work()
    for w in works:
        total = Work(total.hours + w.hours, total.cost + w.cost, total.revenue + w.revenue)
    return total


def remaining_work(allocations: Sequence[Allocation], today: date, billable: bool) -> Work:
    """The allocated work from tomorrow to each allocation's end (today's is being logged)."""
    tomorrow = today + timedelta(days=1)
    return _sum(_work(a, tomorrow, a.end_date, billable) for a in allocations)


def planned_work(allocations: Sequence[Allocation], today: date, since: date | None = None,
                 billable: bool = False) -> Work:
    """The work the allocations planned up to today, included (from `since` on, if given)."""
    return _sum(_work(a, max(a.start_date, since) if since else a.start_date, today, billable)
                for a in allocations)


def deferred_work(allocations: Sequence[Allocation], first_logged: date | None, today: date,
                  billable: bool) -> Work:
    """A late start defers the booked work, it does not cancel it: the work planned before the
    first hour was logged (or all that was planned to date, when nothing was logged yet)."""
    until = (first_logged - timedelta(days=1)) if first_logged else today
    return _sum(_work(a, a.start_date, min(until, today), billable) for a in allocations)


def burn_ratio(actual_cost: Decimal, planned_cost: Decimal, history_days: int) -> float:
    """Actual over planned cost to date, bounded, shrunk towards 1 while the history is short
    (weight history_days / BURN_FULL_DAYS); 1 without a plan."""
    if planned_cost <= 0 or history_days <= 0:
        return 1.0
    raw = min(max(float(actual_cost / planned_cost), BURN_BOUNDS[0]), BURN_BOUNDS[1])
    weight = min(1.0, history_days / BURN_FULL_DAYS)
    return 1.0 + weight * (raw - 1.0)


def _final_revenue(project: Project, totals: Totals, remaining: Work) -> Decimal:
    budget = project.budget_total or ZERO
    if project.budget_type is BudgetType.TIME_AND_MATERIALS:
        return totals.time_revenue + totals.billable_expenses + remaining.revenue
    if project.budget_type is BudgetType.FIXED_FEE:
        return budget
    if project.budget_type is BudgetType.RETAINER:
        end = project.end_date or project.start_date
        return budget * (months_billed(project.start_date, end) if end else 0)
    return ZERO


def estimate(project: Project, totals: Totals, remaining: Work, ratio: float = 1.0,
             multiplier: float = 1.0) -> Estimate:
    """The estimate at completion with the remaining work scaled by `ratio`, and its cost by
    `multiplier` too (the band: more or less cost for the same billable work)."""
    ahead = remaining.scaled(ratio)
    if multiplier != 1.0:
        ahead = Work(ahead.hours, ahead.cost * Decimal(str(multiplier)), ahead.revenue)
    revenue = money(_final_revenue(project, totals, ahead))
    cost = money(totals.labor_cost + totals.expense_cost + ahead.cost)
    margin = revenue - cost
    return Estimate(
        hours_at_completion=(totals.hours_logged + ahead.hours).quantize(Decimal("0.01")),
        cost_at_completion=cost, revenue_at_completion=revenue, margin_dollar=margin,
        margin_percent=percent(margin, revenue), remaining=ahead, burn_ratio=ratio)


def bookings_only(project: Project, totals: Totals, allocations: Sequence[Allocation],
                  today: date) -> Estimate:
    """The peers' projection: actuals plus the bookings still to come, as booked."""
    billable = project.budget_type is BudgetType.TIME_AND_MATERIALS
    return estimate(project, totals, remaining_work(allocations, today, billable))


def labs_remaining(project: Project, totals: Totals, allocations: Sequence[Allocation],
                   today: date, first_logged: date | None, history_days: int
                   ) -> tuple[Work, float]:
    """The remaining work Labs forecasts (bookings to come plus the work a late start deferred)
    and the burn ratio to scale it by (actual cost over the cost planned since the first hour
    logged)."""
    billable = project.budget_type is BudgetType.TIME_AND_MATERIALS
    ahead = _sum([remaining_work(allocations, today, billable),
                  deferred_work(allocations, first_logged, today, billable)])
    planned = (planned_work(allocations, today, since=first_logged, billable=billable)
               if first_logged else Work())
    ratio = burn_ratio(totals.labor_cost, planned.cost, history_days)
    if billable:
        ahead = Work(ahead.hours, ahead.cost, ahead.revenue * Decimal(str(realization(
            totals, planned, history_days))))
    return ahead, ratio


def realization(totals: Totals, planned: Work, history_days: int) -> float:
    """Time and materials: revenue billed per unit of cost to date over what the bookings'
    rates promised per unit of cost (non-billable hours, discounts, rate changes), bounded and
    shrunk towards 1 as the burn ratio is."""
    if planned.cost <= 0 or planned.revenue <= 0 or totals.labor_cost <= 0:
        return 1.0
    actual = float(totals.time_revenue / totals.labor_cost)
    booked = float(planned.revenue / planned.cost)
    raw = min(max(actual / booked, 0.5), 1.5)
    weight = min(1.0, history_days / BURN_FULL_DAYS)
    return 1.0 + weight * (raw - 1.0)


def estimate_at_completion(project: Project, totals: Totals, allocations: Sequence[Allocation],
                           today: date, first_logged: date | None, history_days: int
                           ) -> Estimate:
    remaining, ratio = labs_remaining(project, totals, allocations, today, first_logged,
                                      history_days)
    return estimate(project, totals, remaining, ratio)


# The band.

def sum_sd(psi: Sequence[float], sigma: float, horizon: int) -> float:
    """Standard deviation of the error of the forecast of the sum of the next `horizon` values
    of a linear model with innovations sd `sigma` and psi weights psi[1], psi[2]... (psi[0] = 1
    implied; missing weights repeat the last, as SES's constant alpha): sum over each innovation
    of (its cumulative weight on the remaining steps) squared."""
    if horizon <= 0 or sigma <= 0:
        return 0.0
    cumulative = [1.0]
    last = psi[-1] if psi else 0.0
    for j in range(1, horizon):
        weight = psi[j - 1] if j - 1 < len(psi) else last
        cumulative.append(cumulative[-1] + weight)
    return sigma * math.sqrt(sum(c * c for c in cumulative))


def ses_psi(alpha: float) -> list[float]:
    """ETS(A,N,N): every later step carries alpha of a shock."""
    return [alpha]


def ar1_psi(phi: float, horizon: int) -> list[float]:
    """ARIMA(1,0,0): a shock decays by phi each step."""
    return [phi ** j for j in range(1, max(horizon, 2))]


def ses_level(level: float, alpha: float, observations: Iterable[float]) -> float:
    """The ETS(A,N,N) level moved forward over new observations (a warm refresh: no refit)."""
    for y in observations:
        level += alpha * (y - level)
    return level


def relative_sigma(sd_of_sum: float, expected_sum: float) -> float:
    """sd over mean of the remaining sum, as a lognormal sigma; DEFAULT when the mean is 0 (or
    either is not a number)."""
    if not (math.isfinite(sd_of_sum) and math.isfinite(expected_sum)) or expected_sum <= 0:
        return DEFAULT_REL_SIGMA
    cv = sd_of_sum / expected_sum
    return math.sqrt(math.log1p(cv * cv))


def band(project: Project, totals: Totals, remaining: Work, ratio: float, rel_sigma: float,
         factor: float) -> Band:
    """Final margin percent at the low and high multiplier of the remaining work."""
    spread = min(Z80 * factor * rel_sigma, MAX_SPREAD)
    values = [estimate(project, totals, remaining, ratio, math.exp(s)).margin_percent
              for s in (-spread, spread)]
    known = [v for v in values if v is not None]
    if not known:
        return Band(None, None, rel_sigma, factor)
    return Band(min(known), max(known), rel_sigma, factor)


# Calibration.

def score(realized_multiplier: float, rel_sigma: float) -> float:
    """How many z80 x sigma the realized outcome was from the point: it falls inside a band of
    factor k iff its score <= k."""
    if realized_multiplier <= 0 or rel_sigma <= 0:
        return math.inf
    return abs(math.log(realized_multiplier)) / (Z80 * rel_sigma)


def band_score(project: Project, totals: Totals, remaining: Work, ratio: float,
               rel_sigma: float, realized_percent: Decimal, limit: float = 50.0) -> float:
    """The smallest factor k whose band holds the realized final margin (bisection; inf when
    even `limit` does not): calibrating on these scores calibrates the band itself."""
    def inside(k: float) -> bool:
        b = band(project, totals, remaining, ratio, rel_sigma, k)
        return b.low is not None and b.high is not None and b.low <= realized_percent <= b.high
    if inside(0.0):
        return 0.0
    if rel_sigma <= 0 or not inside(limit):
        return math.inf
    low, high = 0.0, limit
    for _ in range(25):
        middle = (low + high) / 2
        if inside(middle):
            high = middle
        else:
            low = middle
    return high


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def calibration_factor(scores: Sequence[float], target: float = TARGET_COVERAGE,
                       prior: float = DEFAULT_FACTOR, prior_weight: int = CALIBRATION_PRIOR
                       ) -> float:
    """The factor k such that `target` of the backtest scores are <= k (their empirical
    quantile), blended with `prior` while there are fewer than `prior_weight` scores."""
    finite = [s for s in scores if math.isfinite(s)]
    if not finite:
        return prior
    fitted = quantile(finite, target)
    weight = min(1.0, len(finite) / prior_weight)
    return weight * fitted + (1 - weight) * prior


def coverage(outcomes: Sequence[tuple[Decimal | float | None, Band]]) -> float:
    """Share of realized final margins inside their band."""
    inside = [low <= Decimal(str(real)) <= high for real, b in outcomes
              if real is not None and (low := b.low) is not None and (high := b.high) is not None]
    return sum(inside) / len(inside) if inside else 0.0


def confidence(rel_sigma: float, factor: float, history_days: int) -> int:
    """0-100: 100 for a band of no width on a long history; halves as the band's relative
    half-width reaches ~35%, and counts history up to 60 days."""
    width = Z80 * factor * rel_sigma
    narrow = 1.0 / (1.0 + (width / 0.35) ** 2)
    history = min(1.0, history_days / 60) if history_days > 0 else 0.0
    return max(0, min(100, round(100 * narrow * (0.4 + 0.6 * history))))


def method_name(model: str) -> str:
    return f"{model}+allocations"


# Calibration factors per method/budget type, as fitted by bench/forecast_accuracy.py (240
# synthetic projects, seed 7, margin-space scores of the realized final margin); a forecast
# stores the one it used in its model JSON. "ses-fast" is calibrated as "ets".
CALIBRATION_FACTORS = {
    "ets/fixed_fee": 7.19, "arima/fixed_fee": 4.63, "pooled/fixed_fee": 2.79,
    "ets/time_and_materials": 2.12, "arima/time_and_materials": 2.00,
    "pooled/time_and_materials": 1.92,
}
FALLBACK_FACTOR = 2.0


def calibration_key(method: str, budget_type: str) -> str:
    return f"{'ets' if method == 'ses-fast' else method}/{budget_type}"


def default_factor(method: str, budget_type: str) -> float:
    return CALIBRATION_FACTORS.get(calibration_key(method, budget_type), FALLBACK_FACTOR)


def working_day_series(days: Sequence[tuple[date, Decimal]], today: date) -> list[float]:
    """Cost per working day from the first day with cost to today, 0 on days without; a
    weekend's cost counts on the Friday before it (or the Monday after, before the first)."""
    if not days:
        return []
    first = days[0][0]
    while first.weekday() >= 5:
        first += timedelta(days=1)
    if today < first:
        return []
    series = [0.0] * working_days(first, today)
    for day, amount in days:
        if day > today:
            continue
        index = working_days(first, day) - 1 if day >= first else 0
        series[max(0, min(index, len(series) - 1))] += float(amount)
    return series


def expected_sum(model_mean_daily: float, series: Sequence[float], horizon: int,
                 recent: int = 20) -> float:
    """The remaining sum the band is relative to: the model's mean, but never below half the
    recent daily mean (a model whose level collapsed must not make the band explode)."""
    tail = [v for v in series[-recent:] if math.isfinite(v)]
    floor = 0.5 * (sum(tail) / len(tail)) if tail else 0.0
    mean = model_mean_daily if math.isfinite(model_mean_daily) else 0.0
    return max(mean, floor) * horizon


def finite_json(value):
    """`value` with every float that is not finite as None (JSONB refuses NaN and Infinity)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def horizon_days(project: Project, allocations: Sequence[Allocation], today: date) -> int:
    """Working days from tomorrow to the later of the project's end and its allocations'."""
    ends = [a.end_date for a in allocations] + ([project.end_date] if project.end_date else [])
    if not ends:
        return 0
    return working_days(today + timedelta(days=1), max(ends))
