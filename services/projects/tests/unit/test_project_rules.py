"""The project status workflow and field rules, without I/O."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_common.errors import Conflict, InvalidArgument
from labs_projects.domain import rules
from labs_projects.domain.model import BudgetType, Project, ProjectStatus


def project(**fields) -> Project:
    return Project(id=uuid.uuid4(), org_id=uuid.uuid4(), name="Site", **fields)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("planning", "active"),
        ("active", "on_hold"),
        ("on_hold", "active"),
        ("active", "completed"),
        ("completed", "active"),
        ("completed", "archived"),
        ("archived", "active"),
        ("active", "active"),
    ],
)
def test_allowed_status_moves(current, new):
    rules.check_transition(ProjectStatus(current), ProjectStatus(new))


@pytest.mark.parametrize(("current", "new"), [("planning", "completed"), ("archived", "on_hold")])
def test_forbidden_status_moves_are_conflicts_naming_both_ends(current, new):
    with pytest.raises(Conflict) as caught:
        rules.check_transition(ProjectStatus(current), ProjectStatus(new))
    assert caught.value.reason == "INVALID_STATUS_TRANSITION"
    assert caught.value.metadata == {"from": current, "to": new}


def test_money_has_at_most_two_decimals_and_is_never_negative():
    assert rules.decimal_or_none("1250.5", "budget_total") == Decimal("1250.50")
    assert rules.decimal_or_none("", "budget_total") is None
    for bad in ("-1", "1.234", "abc", "NaN", "1e20"):
        with pytest.raises(InvalidArgument) as caught:
            rules.decimal_or_none(bad, "budget_total")
        assert caught.value.field_errors[0].field == "budget_total"


def test_applying_fields_reports_what_changed_and_validates_each():
    target = project()
    changed = rules.apply_project_fields(
        target, {"name": " Site ", "priority": "high", "budget_hours": "12.5"}
    )
    assert changed == ["budget_hours", "priority"]
    assert target.budget_hours == Decimal("12.50")
    with pytest.raises(InvalidArgument) as caught:
        rules.apply_project_fields(target, {"priority": "extreme"})
    assert caught.value.field_errors[0].field == "priority"
    with pytest.raises(InvalidArgument) as caught:
        rules.apply_project_fields(target, {"github_repo_url": "ftp://x"})
    assert caught.value.field_errors[0].field == "github_repo_url"


def test_end_before_start_and_fixed_fee_without_budget_are_refused():
    with pytest.raises(InvalidArgument) as caught:
        rules.check_project(
            project(start_date=rules.date_or_none("2026-02-01", "start_date"),
                    end_date=rules.date_or_none("2026-01-01", "end_date"))
        )
    assert caught.value.field_errors[0].field == "end_date"
    with pytest.raises(InvalidArgument) as caught:
        rules.check_project(project(budget_type=BudgetType.FIXED_FEE))
    assert caught.value.field_errors[0].field == "budget_total"


def test_every_wrong_field_of_a_project_is_named_at_once_with_the_rules_across_fields():
    project = Project(id=uuid.uuid4(), org_id=uuid.uuid4(), name="")
    with pytest.raises(InvalidArgument) as problems:
        rules.apply_project_fields(project, {
            "name": "", "budget_total": "lots", "budget_currency": "euro",
            "start_date": "2027-03-01", "end_date": "2027-01-01", "budget_type": "fixed_fee"})
    assert {e.field for e in problems.value.field_errors} == {
        "name", "budget_total", "budget_currency", "end_date"}


def test_the_rules_across_fields_are_all_named():
    project = Project(id=uuid.uuid4(), org_id=uuid.uuid4(), name="Site",
                      budget_type=BudgetType.FIXED_FEE, start_date=date(2027, 3, 1),
                      end_date=date(2027, 1, 1))
    with pytest.raises(InvalidArgument) as problems:
        rules.check_project(project)
    assert [e.field for e in problems.value.field_errors] == ["end_date", "budget_total"]


def test_currencies_are_iso_4217_codes_in_any_case_answered_upper_cased():
    assert rules.check_currency("eur") == "EUR"
    assert rules.check_currency("") == "USD"
    assert rules.check_currency("", "budget_currency", default="GBP") == "GBP"
    project = Project(id=uuid.uuid4(), org_id=uuid.uuid4(), name="Site")
    rules.apply_project_fields(project, {"budget_currency": "sek"})
    assert project.budget_currency == "SEK"
    with pytest.raises(InvalidArgument) as caught:
        rules.apply_project_fields(project, {"budget_currency": "XYZ"})
    assert [(e.field, e.message) for e in caught.value.field_errors] == [
        ("budget_currency", "must be an ISO 4217 currency code, e.g. EUR")]
