"""The pure parts of a platform sync (no I/O): an entry is named for ever by its source and id; a
bad field of one entry is reported on that field; what changed is told by the names events
carry, and a move to another project or person is told apart from an edit; the request's bounds."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_common.errors import InvalidArgument
from labs_time.adapters.import_staging import StagedEntry
from labs_time.domain import commands
from labs_time.domain.model import Rates, TimeEntry
from labs_time.service_layer.platform_entries import (
    MOVES,
    check_request,
    differences,
    fingerprint,
    parsed_row,
)

PROJECT, USER = uuid.uuid4(), uuid.uuid4()


def platform_entry(**changes) -> commands.PlatformEntry:
    values = dict(external_id="123", project_id=str(PROJECT), email="Ana@Acme.test",
                  first_name="Ana", last_name="Lima", date_worked="2026-03-02", hours="2.5",
                  rounded_hours="", notes="Review", billable=True, billable_rate="150",
                  cost_rate="60.5", currency="eur", approved=False)
    return commands.PlatformEntry(**{**values, **changes})


def test_an_entry_is_named_by_its_source_and_id_only():
    assert fingerprint("harvest", "123") == fingerprint("harvest", "123")
    assert fingerprint("harvest", "123") != fingerprint("harvest", "124")
    assert fingerprint("harvest", "123") != fingerprint("toggl", "123")


def test_an_entry_parses_as_a_csv_row_would():
    row = parsed_row(1, platform_entry())
    assert (row.hours, row.billable_rate, row.cost_rate, row.currency, row.email) == (
        Decimal("2.50"), Decimal("150.00"), Decimal("60.50"), "EUR", "ana@acme.test")
    assert row.rounded_hours is None and row.date_worked == date(2026, 3, 2)
    # Without rates of its own, Labs' rate rule applies and no currency is taken.
    bare = parsed_row(1, platform_entry(billable_rate="", cost_rate=""))
    assert (bare.billable_rate, bare.cost_rate, bare.currency) == (None, None, None)


@pytest.mark.parametrize(("changes", "field"), [
    ({"external_id": " "}, "external_id"), ({"hours": "0"}, "hours"),
    ({"hours": "25"}, "hours"), ({"date_worked": "2026-13-01"}, "date_worked"),
    ({"cost_rate": "-1"}, "cost_rate"), ({"rounded_hours": "x"}, "rounded_hours"),
    ({"currency": "XXY"}, "currency"),
])
def test_a_bad_field_is_named(changes, field):
    with pytest.raises(InvalidArgument) as refused:
        parsed_row(1, platform_entry(**changes))
    assert [e.field for e in refused.value.field_errors] == [field]


def staged(**changes) -> StagedEntry:
    values = dict(id=str(uuid.uuid4()), fingerprint="", project_id=str(PROJECT),
                  user_id=str(USER), resource_id=None, date_worked=date(2026, 3, 2), hours=250,
                  rounded_hours=250, started_at=None, ended_at=None, billable=True,
                  billable_rate=15000, cost_rate=6000, currency="USD", rate_source="import",
                  notes="Review", approved=False)
    return StagedEntry(**{**values, **changes})


def entry() -> TimeEntry:
    return TimeEntry(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=PROJECT, user_id=USER,
                     date_worked=date(2026, 3, 2), hours=Decimal("2.50"),
                     rounded_hours=Decimal("2.50"), billable=True,
                     rates=Rates(Decimal("150.00"), Decimal("60.00"), "USD", "import"),
                     notes="Review", source="harvest")


def test_what_changed_is_named_as_events_name_it_and_a_move_is_told_apart():
    assert differences(entry(), staged()) == []
    assert differences(entry(), staged(hours=400, notes="Longer")) == ["hours", "notes"]
    assert differences(entry(), staged(approved=True)) == ["status"]
    moved = differences(entry(), staged(project_id=str(uuid.uuid4())))
    assert moved == ["project_id"] and MOVES & set(moved)


def test_a_call_is_bounded():
    window = commands.Reconcile(date(2026, 1, 1), date(2027, 6, 1), ())
    for command, field in (
            (commands.SyncPlatformEntries("Harvest", ()), "source"),
            (commands.SyncPlatformEntries("harvest", (platform_entry(),) * 2001), "entries"),
            (commands.SyncPlatformEntries("harvest", (), window), "reconcile.date_to")):
        with pytest.raises(InvalidArgument) as refused:
            check_request(command)
        assert [e.field for e in refused.value.field_errors] == [field]
    check_request(commands.SyncPlatformEntries(
        "harvest", (), commands.Reconcile(date(2026, 1, 1), date(2026, 1, 31), ())))
