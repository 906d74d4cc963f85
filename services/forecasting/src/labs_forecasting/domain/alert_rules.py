"""Alert rules, pure: what state a subject is in for one subscription's rule, and whether moving
from the state last judged to this one raises an alert.

Each rule maps its input (a margin percent, the budget used, a risk score, an over-allocation,
an overdue invoice) to a state: `ok`, or a named state with a rank and a severity (critical at
or past the limit, warning approaching it). An alert is raised when the state gets worse than
the one last judged for that (subscription, subject); the same state again raises nothing (one
more hour logged), a better state is recorded without an alert (so getting worse again raises
again), and `ok` clears it (re-crossing raises again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MARGIN_THRESHOLD = "margin_threshold"
OVER_ALLOCATION = "over_allocation"
RISK_SCORE = "risk_score"
BUDGET_BURN = "budget_burn"
INVOICE_OVERDUE = "invoice_overdue"
ALERT_TYPES = (MARGIN_THRESHOLD, OVER_ALLOCATION, RISK_SCORE, BUDGET_BURN, INVOICE_OVERDUE)
# Types whose figures are money: the subscriber must read financials.
FINANCIAL_TYPES = (MARGIN_THRESHOLD, RISK_SCORE, BUDGET_BURN, INVOICE_OVERDUE)

EMAIL, SLACK, IN_APP = "email", "slack", "in_app"
DELIVERY_METHODS = (EMAIL, SLACK, IN_APP)

CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITIES = (CRITICAL, WARNING, INFO)

OK = "ok"
DEFAULT_THRESHOLDS: dict[str, Decimal | None] = {
    MARGIN_THRESHOLD: Decimal("20"),
    RISK_SCORE: Decimal("7"),
    BUDGET_BURN: None,  # the steps below
    OVER_ALLOCATION: None,
    INVOICE_OVERDUE: None,
}
BUDGET_STEPS = (Decimal("50"), Decimal("75"), Decimal("90"), Decimal("100"))
# A margin within this many points above the threshold is a warning.
MARGIN_WARNING_POINTS = Decimal("5")
# A risk score this close below the threshold is a warning.
RISK_WARNING_POINTS = Decimal("1")


@dataclass(frozen=True)
class Judgement:
    """A subject's state for one rule; `rank` orders states (0 is ok)."""

    state: str
    rank: int = 0
    severity: str = INFO
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.rank == 0


CLEAR = Judgement(OK)


def threshold_of(alert_type: str, given: Decimal | None) -> Decimal | None:
    return given if given is not None else DEFAULT_THRESHOLDS.get(alert_type)


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


def judge_margin(margin_percent: Decimal | None, threshold: Decimal | None, *,
                 project_name: str = "The project", forecast: bool = False) -> Judgement:
    """critical below the threshold; warning within MARGIN_WARNING_POINTS above it."""
    limit = threshold if threshold is not None else DEFAULT_THRESHOLDS[MARGIN_THRESHOLD]
    assert limit is not None
    if margin_percent is None:
        return CLEAR
    what = "forecast margin" if forecast else "margin"
    data = {"margin_percent": str(margin_percent), "threshold": str(limit),
            "forecast": forecast}
    if margin_percent < limit:
        return Judgement("critical", 2, CRITICAL,
                         f"{project_name}: {what} {_n(margin_percent)}% is below "
                         f"{_n(limit)}%.", data)
    if margin_percent < limit + MARGIN_WARNING_POINTS:
        return Judgement("warning", 1, WARNING,
                         f"{project_name}: {what} {_n(margin_percent)}% is approaching "
                         f"{_n(limit)}%.", data)
    return CLEAR


def budget_steps(threshold: Decimal | None) -> tuple[Decimal, ...]:
    """The steps a budget crosses: 50, 75, 90, 100 %; with a threshold, it and 100 %."""
    if threshold is None:
        return BUDGET_STEPS
    return tuple(sorted({threshold, Decimal("100")}))


def judge_budget(used_percent: Decimal | None, threshold: Decimal | None, *,
                 project_name: str = "The project") -> Judgement:
    """The highest step crossed (`step:75`); critical at 100 % or more, else warning."""
    if used_percent is None:
        return CLEAR
    steps = budget_steps(threshold)
    crossed = [s for s in steps if used_percent >= s]
    if not crossed:
        return CLEAR
    step = crossed[-1]
    severity = CRITICAL if used_percent >= Decimal("100") else WARNING
    return Judgement(f"step:{_n(step)}", len(crossed), severity,
                     f"{project_name}: {_n(used_percent)}% of the budget used "
                     f"(crossed {_n(step)}%).",
                     {"budget_used_percent": str(used_percent), "step": str(step)})


def judge_risk(risk_score: Decimal | int | None, threshold: Decimal | None, *,
               project_name: str = "The project") -> Judgement:
    limit = threshold if threshold is not None else DEFAULT_THRESHOLDS[RISK_SCORE]
    assert limit is not None
    if risk_score is None:
        return CLEAR
    score = Decimal(risk_score)
    data = {"risk_score": str(score), "threshold": str(limit)}
    if score >= limit:
        return Judgement("critical", 2, CRITICAL,
                         f"{project_name}: risk score {_n(score)} reached {_n(limit)}.", data)
    if score >= limit - RISK_WARNING_POINTS:
        return Judgement("warning", 1, WARNING,
                         f"{project_name}: risk score {_n(score)} is approaching {_n(limit)}.",
                         data)
    return CLEAR


def judge_over_allocation(over: bool, *, name: str = "A person", week_start: str = "",
                          allocated_hours: str = "", available_hours: str = "") -> Judgement:
    if not over:
        return CLEAR
    return Judgement("over", 1, CRITICAL,
                     f"{name} is over-allocated the week of {week_start}: "
                     f"{allocated_hours} h allocated of {available_hours} h available.",
                     {"week_start": week_start, "allocated_hours": allocated_hours,
                      "available_hours": available_hours})


def judge_invoice(overdue: bool, *, number: str = "", amount_due: str = "",
                  currency: str = "", due_date: str = "") -> Judgement:
    if not overdue:
        return CLEAR
    label = f"Invoice {number}" if number else "An invoice"
    return Judgement("overdue", 1, CRITICAL,
                     f"{label} is overdue: {amount_due} {currency} was due {due_date}.".replace(
                         "  ", " "),
                     {"amount_due": amount_due, "currency": currency, "due_date": due_date})


def rank_of(alert_type: str, state: str | None) -> int:
    """The rank of a stored state (0 for none or ok)."""
    if not state or state == OK:
        return 0
    if alert_type == BUDGET_BURN and state.startswith("step:"):
        return 0 if state == OK else _budget_rank(state)
    return {"warning": 1, "critical": 2, "over": 1, "overdue": 1}.get(state, 1)


def _budget_rank(state: str) -> int:
    # Stored as the step; its rank is its place among the default steps or above the rest.
    try:
        step = Decimal(state.removeprefix("step:"))
    except ArithmeticError:
        return 1
    return sum(1 for s in sorted({*BUDGET_STEPS, step}) if s <= step)


@dataclass(frozen=True)
class Transition:
    """What to store for the subject (None: nothing changes) and whether to raise an alert."""

    store: str | None
    raise_alert: bool


def transition(previous: str | None, now: Judgement, *, alert_type: str = "") -> Transition:
    """From the state last judged to `now`: worse raises (and is stored), the same changes
    nothing, better is stored silently, ok clears."""
    if previous == now.state or (previous is None and now.ok):
        return Transition(None, False)
    if now.ok:
        return Transition(OK, False)
    before = _rank(alert_type, previous, now)
    if now.rank > before:
        return Transition(now.state, True)
    return Transition(now.state, False)


def _rank(alert_type: str, previous: str | None, now: Judgement) -> int:
    if not previous or previous == OK:
        return 0
    if previous.startswith("step:") and now.state.startswith("step:"):
        # Compare the steps themselves: a threshold's steps are not the default ones.
        try:
            return 0 if Decimal(previous[5:]) < Decimal(now.state[5:]) else now.rank
        except ArithmeticError:
            return 0
    return rank_of(alert_type, previous)


def channel_on(preferences: dict[str, Any] | None, alert_type: str, channel: str) -> bool:
    """A user's notification_preferences, per channel (`{"email": false}`) or per alert type and
    channel (`{"budget_burn": {"email": false}}`); anything unsaid is on."""
    if not preferences:
        return True
    per_type = preferences.get(alert_type)
    if isinstance(per_type, dict) and per_type.get(channel) is False:
        return False
    if per_type is False:
        return False
    per_channel = preferences.get(channel)
    if per_channel is False:
        return False
    if isinstance(per_channel, dict) and per_channel.get(alert_type) is False:
        return False
    return True


@dataclass
class AlertSubscription:
    id: Any
    org_id: Any
    user_id: Any
    alert_type: str
    delivery_method: str
    threshold_value: Decimal | None
    project_id: Any
    enabled: bool
    created_at: Any = None


@dataclass
class Alert:
    id: Any
    org_id: Any
    user_id: Any
    type: str
    severity: str
    message: str
    project_id: Any = None
    resource_id: Any = None
    invoice_id: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    is_read: bool = False
    action_taken: str = ""
    created_at: Any = None


@dataclass
class Member:
    user_id: Any
    email: str
    name: str
    role: str
    active: bool
    preferences: dict[str, Any] = field(default_factory=dict)
