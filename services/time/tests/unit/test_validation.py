"""What a person records is validated field by field, naming the field."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from labs_common.errors import InvalidArgument
from labs_time.domain import rules
from labs_time.domain.model import Rates, TimeEntry
from labs_time.service_layer.entries import measured

TODAY = date(2026, 6, 1)


def field_of(error: pytest.ExceptionInfo) -> str:
    return error.value.field_errors[0].field


@pytest.mark.parametrize("value", ["0", "-1", "24.01", "abc", "1.234", "NaN", "Infinity", ""])
def test_hours_outside_the_rule_name_the_hours_field(value):
    with pytest.raises(InvalidArgument) as error:
        rules.hours(value)
    assert field_of(error) == "hours"


def test_good_hours_are_kept_to_two_decimals():
    assert rules.hours("1.5") == Decimal("1.50")
    assert rules.hours("24") == Decimal("24.00")


def test_ended_at_must_follow_started_at_within_a_day():
    start = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with pytest.raises(InvalidArgument) as error:
        rules.span_hours(start, start)
    assert field_of(error) == "ended_at"
    with pytest.raises(InvalidArgument) as error:
        rules.span_hours(start, start + timedelta(hours=25))
    assert field_of(error) == "ended_at"
    assert rules.span_hours(start, start + timedelta(minutes=90)) == Decimal("1.50")


def test_hours_and_a_span_are_not_given_together():
    start = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with pytest.raises(InvalidArgument) as error:
        measured("1", start, start + timedelta(hours=1))
    assert field_of(error) == "hours"
    with pytest.raises(InvalidArgument) as error:
        measured("", start, None)
    assert field_of(error) == "ended_at"
    with pytest.raises(InvalidArgument) as error:
        measured("", None, None)
    assert field_of(error) == "hours"


@pytest.mark.parametrize("value", ["1989-12-31", "2027-06-03", "2026-13-01", "yesterday"])
def test_dates_outside_sane_bounds_are_refused(value):
    with pytest.raises(InvalidArgument) as error:
        rules.work_date(value, TODAY)
    assert field_of(error) == "date_worked"


def test_a_range_must_not_run_backwards():
    with pytest.raises(InvalidArgument) as error:
        rules.date_range("2026-05-10", "2026-05-01", TODAY)
    assert field_of(error) == "date_to"


@pytest.mark.parametrize(("check", "value", "field"), [
    (rules.amount, "0", "amount"), (rules.amount, "1.001", "amount"),
    (rules.currency, "DOLLARS", "currency"), (rules.currency, "XYZ", "currency"),
    (rules.category, "food", "category"),
    (rules.description, "  ", "description"), (rules.reason, "", "reason"),
])
def test_expense_and_reason_fields(check, value, field):
    with pytest.raises(InvalidArgument) as error:
        check(value)
    assert field_of(error) == field


def test_locked_and_invoiced_entries_refuse_changes():
    entry = TimeEntry(id=__import__("uuid").uuid4(), org_id=None, project_id=None, user_id=None,
                      date_worked=TODAY, hours=Decimal(1), rounded_hours=Decimal(1),
                      billable=True, rates=Rates.none())
    entry.ensure_editable()
    entry.is_locked = True
    with pytest.raises(Exception, match="locked"):
        entry.ensure_editable()
    entry.is_locked, entry.invoice_id = False, entry.id
    with pytest.raises(Exception, match="invoice"):
        entry.ensure_editable()
