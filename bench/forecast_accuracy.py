"""8 forecast accuracy: how well forecasting's final-margin forecast (domain/forecast.py, the band
fitted by adapters/forecast_models.py) does on a seeded synthetic agency, against the peers'
bookings-only projection; and how long the nightly refresh of 10,000 projects takes.

Pure Python (no platform): `python -m bench.forecast_accuracy`, or `make bench` (run.py).

The agency: `--projects` projects (default 240), half fixed fee, half time and materials, 1-4
people each booked hours/week over the planned weeks, with what hurts agencies: scope creep (the
work grows and runs past the planned end), late starts, under-booked schedules (people work more
than booked), rate changes mid-project, idle weeks, tentative bookings that may not happen, and
daily noise. Rolling origin: each project is forecast at 30%, 50% and 70% of its actual duration
with only what was known then (actuals to date, the bookings, the daily cost series), and
compared with its realized final margin.

Projects are split in two (by index // 2, so each half has both budget types): one half
calibrates (the pooled band per budget type, the factor per method and budget type), the other
is scored, so the coverage is out of sample.

- MAE of the final margin (percentage points): Labs vs bookings-only (Labs must be lower);
- MASE: Labs' MAE over the naive forecast's (the margin to date stays the final one), < 1;
- coverage of the 80% band on the held-out half (75-85%);
- nightly refresh: 10,000 projects with their models warm (stored fits moved forward over the
  day's observations, statsmodels imported once), and the cold fit rate (statsmodels ETS vs
  ARIMA by backtest) measured on a sample, extrapolated.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from labs_forecasting.adapters import forecast_models as fm
from labs_forecasting.domain import forecast as fc
from labs_forecasting.domain.model import BudgetType, Project, Totals

try:
    from bench.harness import BenchResult, Row
except Exception:  # run alone without the platform's bench deps
    BenchResult = Row = None  # type: ignore[assignment,misc]

TITLE = "Forecast accuracy: final margin on a synthetic agency, nightly refresh of 10,000"
BASELINE = "bookings-only projection (Productive, Kantata, Float)"
BASE = date(2026, 1, 5)  # a Monday
ORIGINS = (0.3, 0.5, 0.7)
ORG = uuid.UUID(int=1)


def workday(i: int) -> date:
    return BASE + timedelta(days=(i // 5) * 7 + i % 5)


@dataclass
class Person:
    hours_per_week: float
    cost: float
    bill: float
    tentative: bool
    happens: bool


@dataclass
class Synthetic:
    project: Project
    allocations: list[fc.Allocation]
    # per working day from day 0: hours, cost, billable revenue
    hours: list[float]
    cost: list[float]
    revenue: list[float]
    final_percent: Decimal
    patterns: tuple[str, ...]


def make_project(rng: random.Random, index: int) -> Synthetic:
    fixed = index % 2 == 0
    weeks = rng.randint(6, 26)
    planned_days = weeks * 5
    people = []
    for n in range(rng.randint(1, 4)):
        cost = rng.uniform(40, 110)
        tentative = n > 0 and rng.random() < 0.15
        people.append(Person(rng.choice((8, 16, 20, 24, 32, 40)), cost,
                             cost * rng.uniform(1.5, 2.3), tentative,
                             (not tentative) or rng.random() < 0.5))
    patterns = []
    delay = rng.randint(5, 20) if rng.random() < 0.2 else 0
    creep = rng.uniform(0.1, 0.45) if rng.random() < 0.3 else 0.0
    under = rng.uniform(1.1, 1.4) if rng.random() < 0.3 else 1.0
    rate_day = rng.randint(planned_days // 4, planned_days) if rng.random() < 0.2 else None
    idle = set(rng.sample(range(weeks), k=min(weeks, rng.randint(1, 3)))) if (
        rng.random() < 0.25) else set()
    for name, on in (("late start", delay), ("scope creep", creep), ("under-booked", under > 1),
                     ("rate change", rate_day is not None), ("idle weeks", idle)):
        if on:
            patterns.append(name)
    billable_share = rng.uniform(0.75, 0.98)
    cost_step, bill_step = rng.uniform(1.05, 1.2), rng.uniform(0.95, 1.1)
    extension = round(planned_days * creep)
    active = planned_days + extension
    total = delay + active
    hours, cost, revenue = [0.0] * total, [0.0] * total, [0.0] * total
    for d in range(delay, total):
        progress = (d - delay) / active
        ramp = 1.0 + creep * 1.5 * progress
        if (d - delay) // 5 in idle:
            ramp *= 0.05
        rate_up = rate_day is not None and d >= delay + rate_day
        for p in people:
            if not p.happens:
                continue
            h = p.hours_per_week / 5 * under * ramp * rng.lognormvariate(0, 0.3)
            c = p.cost * (cost_step if rate_up else 1.0)
            b = p.bill * (bill_step if rate_up else 1.0)
            # the extra work of a creep is written off more often than booked work
            share = billable_share * (1.0 - 0.5 * (ramp - 1.0) / max(ramp, 1e-9))
            share = min(1.0, max(0.0, share * rng.lognormvariate(0, 0.15)))
            hours[d] += h
            cost[d] += h * c
            revenue[d] += h * share * b
    planned_cost = sum(p.hours_per_week * weeks * p.cost for p in people if not p.tentative)
    budget = Decimal(str(round(planned_cost * rng.uniform(1.25, 1.7), 2)))
    project = Project(
        id=uuid.UUID(int=index + 100), org_id=ORG, name=f"P{index}",
        budget_type=BudgetType.FIXED_FEE if fixed else BudgetType.TIME_AND_MATERIALS,
        budget_total=budget if fixed else None, start_date=workday(0),
        end_date=workday(planned_days - 1))
    allocations = [fc.Allocation(Decimal(str(p.hours_per_week)), workday(0),
                                 workday(planned_days - 1), p.tentative,
                                 Decimal(str(round(p.bill, 2))), Decimal(str(round(p.cost, 2))))
                   for p in people]
    final_rev = float(budget) if fixed else sum(revenue)
    final_cost = sum(cost)
    final = Decimal(str(round((final_rev - final_cost) / final_rev * 100, 2)))
    return Synthetic(project, allocations, hours, cost, revenue, final, tuple(patterns))


def totals_at(s: Synthetic, t: int) -> Totals:
    def d(values: list[float]) -> Decimal:
        return Decimal(str(round(sum(values[:t + 1]), 4)))
    return Totals(hours_logged=d(s.hours), billable_hours=d(s.hours), labor_cost=d(s.cost),
                  time_revenue=d(s.revenue))


@dataclass
class Case:
    synthetic: Synthetic
    t: int
    totals: Totals
    labs: fc.Estimate
    remaining: fc.Work
    ratio: float
    bookings: fc.Estimate
    naive: Decimal | None
    method: str
    rel_sigma: float
    history_days: int


def first_logged(s: Synthetic, t: int) -> int | None:
    return next((d for d in range(t + 1) if s.hours[d] > 0), None)


def case_at(s: Synthetic, fraction: float) -> Case:
    t = max(1, int(len(s.cost) * fraction))
    today = workday(t)
    totals = totals_at(s, t)
    first = first_logged(s, t)
    history = (t - first + 1) if first is not None else 0
    remaining, ratio = fc.labs_remaining(s.project, totals, s.allocations, today,
                                         workday(first) if first is not None else None, history)
    labs = fc.estimate(s.project, totals, remaining, ratio)
    bookings = fc.bookings_only(s.project, totals, s.allocations, today)
    revenue = (float(s.project.budget_total) if s.project.budget_total is not None
               else float(totals.time_revenue))
    naive = (Decimal(str(round((revenue - float(totals.labor_cost)) / revenue * 100, 2)))
             if revenue else None)
    method, rel = "pooled", 0.0
    if first is not None and history >= fc.MIN_HISTORY_DAYS:
        fitted = fm.fit(s.cost[first:t + 1])
        horizon = max(1, fc.working_days(today + timedelta(days=1), s.project.end_date)
                      if s.project.end_date else 1)
        if fitted is not None:
            method = fitted.method
            rel = fc.relative_sigma(fitted.sum_sd(horizon), fc.expected_sum(
                fitted.mean_daily(horizon), s.cost[first:t + 1], horizon))
    return Case(s, t, totals, labs, remaining, ratio, bookings, naive, method, rel, history)


def key_of(c: Case) -> str:
    """Calibrated per method and budget type (as the service keeps it per org)."""
    return f"{c.method}/{c.synthetic.project.budget_type.value}"


def run_accuracy(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    agency = [make_project(rng, i) for i in range(n)]
    cases = [case_at(s, f) for s in agency for f in ORIGINS]
    calibrate = [c for c in cases if int(c.synthetic.project.name[1:]) // 2 % 2 == 0]
    held_out = [c for c in cases if int(c.synthetic.project.name[1:]) // 2 % 2 == 1]
    # The pooled band of young projects: the median fitted sigma of similar (same budget type).
    pooled = {}
    for kind in BudgetType:
        sigmas = [c.rel_sigma for c in calibrate
                  if c.method != "pooled" and c.synthetic.project.budget_type is kind]
        pooled[kind] = statistics.median(sigmas) if sigmas else fc.DEFAULT_REL_SIGMA
    for c in cases:
        if c.method == "pooled":
            c.rel_sigma = pooled[c.synthetic.project.budget_type]
    factors = {}
    for key in {key_of(c) for c in cases}:
        scores = [fc.band_score(c.synthetic.project, c.totals, c.remaining, c.ratio,
                                c.rel_sigma, c.synthetic.final_percent)
                  for c in calibrate if key_of(c) == key]
        factors[key] = fc.calibration_factor(scores)
    outcomes, raw = [], []
    for c in held_out:
        args = (c.synthetic.project, c.totals, c.remaining, c.ratio, c.rel_sigma)
        outcomes.append((c.synthetic.final_percent, fc.band(*args, factors[key_of(c)])))
        raw.append((c.synthetic.final_percent, fc.band(*args, 1.0)))

    def mae(pick) -> float:
        errors = [abs(float(v) - float(c.synthetic.final_percent))
                  for c in cases if (v := pick(c)) is not None]
        return statistics.fmean(errors)
    labs_mae = mae(lambda c: c.labs.margin_percent)
    bookings_mae = mae(lambda c: c.bookings.margin_percent)
    naive_mae = mae(lambda c: c.naive)
    methods = {m: sum(1 for c in cases if key_of(c) == m) for m in sorted(factors)}
    return {"projects": n, "cases": len(cases), "labs_mae": labs_mae,
            "bookings_mae": bookings_mae, "naive_mae": naive_mae,
            "mase": labs_mae / naive_mae, "coverage": fc.coverage(outcomes),
            "raw_coverage": fc.coverage(raw), "factors": factors, "methods": methods,
            "pooled": {k.value: v for k, v in pooled.items()}}


def run_refresh(count: int, seed: int, cold_sample: int) -> dict:
    """The nightly refresh of `count` projects: each with a stored (warm) model moved forward
    over one new day, its estimate and calibrated band and confidence; plus the cold fit rate."""
    fm.statsmodels()  # imported once, before the clock
    rng = random.Random(seed)
    templates = [make_project(rng, i) for i in range(50)]
    prepared = []
    for i in range(count):
        s = templates[i % len(templates)]
        t = max(fc.MIN_HISTORY_DAYS, int(len(s.cost) * 0.5))
        series = s.cost[:t + 1]
        prepared.append((s, t, fm.fast_ses(series[:-1]).as_json(), series[-1]))
    started = time.perf_counter()
    for s, t, stored, new_day in prepared:
        fitted = fm.warm(fm.Fitted.from_json(stored), [new_day])
        today = workday(t)
        totals = totals_at(s, t)
        remaining, ratio = fc.labs_remaining(s.project, totals, s.allocations, today,
                                             workday(0), t)
        horizon = max(1, fc.working_days(today + timedelta(days=1), s.project.end_date))
        rel = fc.relative_sigma(fitted.sum_sd(horizon),
                                fc.expected_sum(fitted.mean_daily(horizon), series, horizon))
        est = fc.estimate(s.project, totals, remaining, ratio)
        b = fc.band(s.project, totals, remaining, ratio, rel, 2.0)
        fc.confidence(rel, 2.0, t)
        assert est.cost_at_completion >= 0 and b.factor == 2.0
    warm_seconds = time.perf_counter() - started
    sample = [templates[i % len(templates)] for i in range(cold_sample)]
    started = time.perf_counter()
    for s in sample:
        fm.fit(s.cost[:max(fc.MIN_HISTORY_DAYS, len(s.cost) // 2)])
    cold_each = (time.perf_counter() - started) / max(cold_sample, 1)
    started = time.perf_counter()
    for s in sample:
        fm.fast_ses(s.cost[:max(fc.MIN_HISTORY_DAYS, len(s.cost) // 2)])
    fast_each = (time.perf_counter() - started) / max(cold_sample, 1)
    return {"count": count, "warm_seconds": warm_seconds,
            "cold_statsmodels_seconds_each": cold_each,
            "cold_statsmodels_extrapolated": cold_each * count,
            "cold_fast_seconds_each": fast_each, "cold_fast_extrapolated": fast_each * count}


def render(accuracy: dict, refresh: dict) -> str:
    lines = [
        f"forecast accuracy: {accuracy['projects']} synthetic projects, "
        f"{accuracy['cases']} rolling-origin forecasts (30/50/70% of each)",
        f"{'metric':<44}{'Labs':>10}{'baseline':>12}  target",
        f"{'MAE final margin (points) vs bookings-only':<44}{accuracy['labs_mae']:>10.2f}"
        f"{accuracy['bookings_mae']:>12.2f}  Labs lower",
        f"{'MASE vs naive (margin to date)':<44}{accuracy['mase']:>10.2f}"
        f"{accuracy['naive_mae']:>12.2f}  < 1 (baseline: naive MAE)",
        f"{'80% band coverage, held-out half':<44}{accuracy['coverage'] * 100:>9.1f}%"
        f"{accuracy['raw_coverage'] * 100:>11.1f}%  75-85% (baseline: uncalibrated)",
        f"{'nightly refresh, 10,000 warm (s)':<44}{refresh['warm_seconds']:>10.2f}"
        f"{'':>12}  <= 60 s",
        f"{'cold fit statsmodels, extrapolated (s)':<44}"
        f"{refresh['cold_statsmodels_extrapolated']:>10.1f}"
        f"{refresh['cold_fast_extrapolated']:>12.1f}  (baseline: numpy SES grid)",
        "calibration factors: " + ", ".join(f"{m} {k:.2f} ({accuracy['methods'][m]} cases)"
                                            for m, k in sorted(accuracy["factors"].items())),
    ]
    return "\n".join(lines)


async def run(projects: int = 240, refresh_count: int = 10_000, seed: int = 7,
              cold_sample: int = 40):
    accuracy = run_accuracy(projects, seed)
    refresh = run_refresh(refresh_count, seed, cold_sample)
    rows = [Row("MAE final margin (points)", accuracy["labs_mae"], accuracy["bookings_mae"],
                "pts"),
            Row("MASE vs naive", accuracy["mase"], 1.0, "ratio"),
            Row("80% band coverage (held out)", accuracy["coverage"] * 100, 80.0, "%",
                "higher"),
            Row("nightly refresh 10k (warm)", refresh["warm_seconds"], 60.0, "s")]
    notes = [render(accuracy, refresh)]
    return BenchResult("forecast_accuracy", TITLE, BASELINE, rows=rows, notes=notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast_accuracy")
    parser.add_argument("--projects", type=int, default=240)
    parser.add_argument("--refresh", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cold-sample", type=int, default=40)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    accuracy = run_accuracy(args.projects, args.seed)
    refresh = run_refresh(args.refresh, args.seed, args.cold_sample)
    print(render(accuracy, refresh))
    print(f"({time.perf_counter() - t0:.1f} s in all)")


if __name__ == "__main__":
    main()
