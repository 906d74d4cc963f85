"""The alert rules as state transitions: a state is raised once, the same state again raises
nothing (one more hour logged), a better state is recorded silently, clearing resets so that
re-crossing raises again; and the preferences that switch a channel off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labs_forecasting.domain import alert_rules as rules

D = Decimal


def run(alert_type, judgements):
    """Feeds judgements in turn; answers the states raised."""
    state, raised = None, []
    for judgement in judgements:
        step = rules.transition(state, judgement, alert_type=alert_type)
        if step.store is not None:
            state = step.store
        if step.raise_alert:
            raised.append(judgement.state)
    return raised, state


def margins(*percents, threshold=None):
    return [rules.judge_margin(None if p is None else D(p), threshold) for p in percents]


def test_margin_states_and_severity():
    assert rules.judge_margin(D("30"), None).ok
    warning = rules.judge_margin(D("24.99"), None)
    assert (warning.state, warning.severity) == ("warning", "warning")
    critical = rules.judge_margin(D("19.99"), None)
    assert (critical.state, critical.severity) == ("critical", "critical")
    assert rules.judge_margin(D("25"), None).ok  # 5 points above: no longer approaching
    assert rules.judge_margin(D("12"), D("10")).state == "warning"
    assert rules.judge_margin(None, None).ok  # no revenue yet: nothing to judge


def test_one_more_hour_in_the_same_state_raises_nothing_new():
    raised, state = run(rules.MARGIN_THRESHOLD, margins("18", "17.5", "17", "16.2", "15"))
    assert raised == ["critical"]
    assert state == "critical"


def test_crossing_raises_once_per_state():
    raised, _ = run(rules.MARGIN_THRESHOLD, margins("40", "30", "24", "23", "19", "18"))
    assert raised == ["warning", "critical"]


def test_clearing_and_recrossing_raises_again():
    raised, state = run(rules.MARGIN_THRESHOLD, margins("15", "16", "35", "15"))
    assert raised == ["critical", "critical"]
    assert state == "critical"


def test_getting_better_is_recorded_without_an_alert_and_worse_again_raises():
    raised, _ = run(rules.MARGIN_THRESHOLD, margins("15", "22", "22.5", "15"))
    assert raised == ["critical", "critical"]


def test_first_judgement_ok_stores_nothing():
    step = rules.transition(None, rules.CLEAR)
    assert step == rules.Transition(None, False)


def budget(*used, threshold=None):
    return [rules.judge_budget(None if u is None else D(u), threshold) for u in used]


def test_budget_steps_each_raise_once():
    raised, state = run(rules.BUDGET_BURN, budget("10", "49.9", "50", "51", "60", "75", "80",
                                                   "90", "99", "100", "104"))
    assert raised == ["step:50", "step:75", "step:90", "step:100"]
    assert state == "step:100"


def test_budget_severity_critical_at_or_past_100():
    assert rules.judge_budget(D("90"), None).severity == "warning"
    assert rules.judge_budget(D("100"), None).severity == "critical"
    assert rules.judge_budget(D("120"), None).severity == "critical"


def test_budget_jump_over_several_steps_raises_the_highest_once():
    raised, _ = run(rules.BUDGET_BURN, budget("40", "95", "96"))
    assert raised == ["step:90"]


def test_budget_falling_back_then_crossing_again_raises_again():
    # The budget was raised (used falls to 60 %), then the work crossed 75 % again.
    raised, _ = run(rules.BUDGET_BURN, budget("80", "60", "76"))
    assert raised == ["step:75", "step:75"]


def test_budget_with_a_threshold_has_its_own_step_and_100():
    assert rules.budget_steps(D("85")) == (D("85"), D("100"))
    raised, _ = run(rules.BUDGET_BURN, budget("50", "80", "85", "90", "101", threshold=D("85")))
    assert raised == ["step:85", "step:100"]


def test_risk_score():
    assert rules.judge_risk(5, None).ok
    assert rules.judge_risk(6, None).state == "warning"
    assert rules.judge_risk(7, None).severity == "critical"
    raised, _ = run(rules.RISK_SCORE, [rules.judge_risk(s, None) for s in (3, 7, 8, 9, 4, 7)])
    assert raised == ["critical", "critical"]


def test_over_allocation_and_invoice_overdue():
    over = rules.judge_over_allocation(True, name="Ada", week_start="2026-03-02",
                                       allocated_hours="52", available_hours="40")
    assert (over.state, over.severity) == ("over", "critical")
    assert "Ada" in over.message and "52" in over.message
    raised, state = run(rules.OVER_ALLOCATION, [over, over, rules.judge_over_allocation(False),
                                                over])
    assert raised == ["over", "over"]
    overdue = rules.judge_invoice(True, number="INV-7", amount_due="900.00", currency="EUR",
                                  due_date="2026-02-01")
    assert overdue.severity == "critical" and "INV-7" in overdue.message
    raised, state = run(rules.INVOICE_OVERDUE, [overdue, overdue, rules.judge_invoice(False)])
    assert raised == ["overdue"] and state == "ok"


@pytest.mark.parametrize(("preferences", "on"), [
    ({}, True),
    (None, True),
    ({"email": False}, False),
    ({"email": True}, True),
    ({"in_app": False}, True),
    ({"margin_threshold": {"email": False}}, False),
    ({"budget_burn": {"email": False}}, True),
    ({"email": {"margin_threshold": False}}, False),
    ({"margin_threshold": False}, False),
])
def test_preferences_switch_a_channel_off(preferences, on):
    assert rules.channel_on(preferences, rules.MARGIN_THRESHOLD, rules.EMAIL) is on


def test_default_thresholds():
    assert rules.threshold_of(rules.MARGIN_THRESHOLD, None) == D("20")
    assert rules.threshold_of(rules.RISK_SCORE, None) == D("7")
    assert rules.threshold_of(rules.BUDGET_BURN, None) is None
    assert rules.threshold_of(rules.MARGIN_THRESHOLD, D("15")) == D("15")
