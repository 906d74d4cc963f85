"""What capacity refuses, and the field it names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from labs_capacity.domain import rules
from labs_common.errors import InvalidArgument


def field_of(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidArgument) as caught:
        call(*args, **kwargs)
    return caught.value.field_errors[0].field


def test_decimals_have_at_most_two_places_and_stay_in_bounds():
    assert rules.parse_decimal("37.5", "hours", maximum=Decimal(168)) == Decimal("37.5")
    assert field_of(rules.parse_decimal, "1.005", "hours", maximum=Decimal(168)) == "hours"
    assert field_of(rules.parse_decimal, "NaN", "hours", maximum=Decimal(168)) == "hours"
    assert field_of(rules.parse_decimal, "169", "hours", maximum=Decimal(168)) == "hours"
    assert field_of(
        rules.parse_decimal, "0", "hours", maximum=Decimal(168), exclusive_minimum=True
    ) == "hours"


def test_dates_are_iso_and_sane():
    assert rules.parse_date("2026-03-02", "start_date") == date(2026, 3, 2)
    assert rules.parse_date("", "start_date", required=False) is None
    assert field_of(rules.parse_date, "1999-12-31", "start_date") == "start_date"
    assert field_of(rules.parse_date, "2026-13-01", "end_date") == "end_date"


def test_a_range_ends_after_it_starts_and_within_five_years():
    rules.check_range(date(2026, 1, 1), date(2026, 1, 1))
    assert field_of(rules.check_range, date(2026, 1, 2), date(2026, 1, 1)) == "end_date"
    assert field_of(rules.check_range, date(2026, 1, 1), date(2032, 1, 1)) == "end_date"


def test_working_days_are_iso_weekdays_without_repeats():
    assert rules.check_working_days([5, 1]) == (1, 5)
    for days in ([], [0], [8], [2, 2]):
        assert field_of(rules.check_working_days, days) == "working_days"


def test_currency_and_names():
    assert rules.check_currency("EUR") == "EUR"
    assert rules.check_currency("eur") == "EUR"
    assert field_of(rules.check_currency, "XYZ") == "currency"
    assert rules.check_name("  Ada ") == "Ada"
    assert field_of(rules.check_name, "") == "name"
    assert rules.check_skills([" ux", "ux", ""]) == ("ux",)
