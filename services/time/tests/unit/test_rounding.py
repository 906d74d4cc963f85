"""Rounding rules turn hours into the billed rounded_hours."""

from decimal import Decimal

import pytest

from labs_time.domain.rounding import NO_ROUNDING, RoundingRule, rule_for


@pytest.mark.parametrize(
    ("hours", "mode", "expected"),
    [
        ("1.10", "up", "1.25"),
        ("1.10", "down", "1.00"),
        ("1.10", "nearest", "1.00"),
        ("1.13", "nearest", "1.25"),  # 67.8 min is nearer 75 than 60
        ("1.00", "up", "1.00"),
        ("0.01", "up", "0.25"),
        ("0.01", "down", "0.00"),
    ],
)
def test_quarter_hour_rules(hours, mode, expected):
    assert RoundingRule(15, mode).apply(Decimal(hours)) == Decimal(expected)


def test_six_minute_units_round_to_tenths():
    assert RoundingRule(6, "up").apply(Decimal("0.51")) == Decimal("0.60")


def test_no_rule_keeps_the_hours():
    assert NO_ROUNDING.apply(Decimal("1.37")) == Decimal("1.37")
    assert rule_for({}, "p") == NO_ROUNDING


def test_the_org_rule_applies_unless_the_project_has_its_own():
    settings = {"time_rounding": {"unit_minutes": 15, "mode": "up",
                                  "projects": {"p1": {"unit_minutes": 6, "mode": "down"}}}}
    assert rule_for(settings, "p1") == RoundingRule(6, "down")
    assert rule_for(settings, "p2") == RoundingRule(15, "up")


def test_numbers_from_json_are_accepted_and_nonsense_is_ignored():
    assert rule_for({"time_rounding": {"unit_minutes": 15.0, "mode": "up"}}, "p") == \
        RoundingRule(15, "up")
    assert rule_for({"time_rounding": {"unit_minutes": 15, "mode": "sideways"}}, "p") == \
        NO_ROUNDING
    assert rule_for({"time_rounding": {"unit_minutes": -5}}, "p") == NO_ROUNDING
    assert rule_for({"time_rounding": "15"}, "p") == NO_ROUNDING
