"""The pure parts of a platform sync (no I/O): an entry is named for ever by its source and id;
a bad entry names each of its wrong fields; only what the platform says is compared, so a
nightly reread changes nothing Labs worked out itself; the bounds of a call."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from labs_common.errors import InvalidArgument
from labs_time.adapters.import_staging import StagedEntry
from labs_time.domain import commands
from labs_time.domain.model import APPROVED, Rates, TimeEntry
from labs_time.domain.platform_entries import check_request, fingerprint, parsed_row
from labs_time.service_layer.platform_revisions import Incoming, held, revision

PROJECT, USER, RESOURCE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TODAY = date(2026, 3, 10)


def platform_entry(**changes) -> commands.PlatformEntry:
    values = dict(external_id="123", project_id=str(PROJECT), email=" Ana@Acme.test",
                  first_name="Ana", last_name="Lima", date_worked="2026-03-02", hours="2.5",
                  rounded_hours="", notes="Review", billable=True, billable_rate="150",
                  cost_rate="60.5", currency="eur", approved=False)
    return commands.PlatformEntry(**{**values, **changes})


def test_an_entry_is_named_by_its_source_and_id_only():
    assert fingerprint("harvest", "123") == fingerprint("harvest", "123")
    assert fingerprint("harvest", "123") != fingerprint("harvest", "124")
    assert fingerprint("harvest", "123") != fingerprint("toggl", "123")


def test_an_entry_reads_as_a_csv_row_would():
    row = parsed_row(1, platform_entry(), TODAY)
    assert (row.project, row.hours, row.billable_rate, row.cost_rate, row.currency,
            row.email) == (str(PROJECT), Decimal("2.50"), Decimal("150.00"), Decimal("60.50"),
                           "EUR", "ana@acme.test")
    assert row.rounded_hours is None and row.date_worked == date(2026, 3, 2)
    # Without rates of its own, Labs' rate rule applies, and the currency goes with it.
    bare = parsed_row(1, platform_entry(billable_rate="", cost_rate=""), TODAY)
    assert (bare.billable_rate, bare.cost_rate, bare.currency) == (None, None, None)
    # A platform may round down to nothing, as Labs' own `down` rule can.
    assert parsed_row(1, platform_entry(rounded_hours="0"), TODAY).rounded_hours == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"external_id": " "}, "external_id"), ({"project_id": ""}, "project_id"),
    ({"project_id": "Website"}, "project_id"), ({"hours": "0"}, "hours"),
    ({"hours": "25"}, "hours"), ({"date_worked": "2026-13-01"}, "date_worked"),
    ({"date_worked": "2027-06-01"}, "date_worked"), ({"cost_rate": "-1"}, "cost_rate"),
    ({"billable_rate": "1e12"}, "billable_rate"), ({"rounded_hours": "24.5"}, "rounded_hours"),
    ({"currency": "XXY"}, "currency"), ({"email": "", "last_name": ""}, "email"),
])
def test_a_bad_field_is_named(changes, field):
    with pytest.raises(InvalidArgument) as refused:
        parsed_row(1, platform_entry(**changes), TODAY)
    assert [e.field for e in refused.value.field_errors] == [field]


def test_every_bad_field_of_an_entry_is_named_at_once():
    with pytest.raises(InvalidArgument) as refused:
        parsed_row(1, platform_entry(hours="x", date_worked="", project_id="", email="",
                                     first_name=""), TODAY)
    assert [e.field for e in refused.value.field_errors] == [
        "project_id", "email", "date_worked", "hours"]


def test_a_call_is_bounded_and_says_everything_wrong_with_it():
    window = commands.Reconcile(date(2026, 1, 1), date(2027, 2, 5), ())  # 401 days
    with pytest.raises(InvalidArgument) as refused:
        check_request(commands.SyncPlatformEntries("Harvest", (platform_entry(),) * 2001,
                                                   window))
    assert [e.field for e in refused.value.field_errors] == [
        "source", "entries", "reconcile.date_to"]
    for source in ("", "har vest", "harvest2", "h" * 41):
        with pytest.raises(InvalidArgument):
            check_request(commands.SyncPlatformEntries(source, ()))
    backwards = commands.Reconcile(date(2026, 2, 1), date(2026, 1, 31), ())
    with pytest.raises(InvalidArgument):
        check_request(commands.SyncPlatformEntries("harvest", (), backwards))
    check_request(commands.SyncPlatformEntries(
        "harvest", (platform_entry(),) * 2000,
        commands.Reconcile(date(2026, 1, 1), date(2026, 1, 31), ())))


def staged(**changes) -> StagedEntry:
    """The platform's version as the mapper stages it: Labs' rates (rate_source "resource")
    and rounding worked out afresh."""
    values = dict(id=str(uuid.uuid4()), fingerprint="", project_id=str(PROJECT),
                  user_id=str(USER), resource_id=str(RESOURCE), date_worked=date(2026, 3, 2),
                  hours=250, rounded_hours=250, started_at=None, ended_at=None, billable=True,
                  billable_rate=16000, cost_rate=7000, currency="USD", rate_source="resource",
                  notes="Review", approved=False, external_id="123")
    return StagedEntry(**{**values, **changes})


def incoming(*, rounding_given: bool = False, rates_given: bool = False, **changes
             ) -> Incoming:
    return Incoming("123", staged(**changes), rounding_given, rates_given)


def entry(**changes) -> TimeEntry:
    """As recorded: rates snapshotted at 150/60, rounded by the org's rule then."""
    values = dict(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=PROJECT, user_id=USER,
                  resource_id=RESOURCE, date_worked=date(2026, 3, 2), hours=Decimal("2.50"),
                  rounded_hours=Decimal("2.75"), billable=True, notes="Review",
                  rates=Rates(Decimal("150.00"), Decimal("60.00"), "USD", "resource"),
                  source="harvest", external_id="123")
    return TimeEntry(**{**values, **changes})


def test_what_labs_worked_out_itself_is_not_reworked_on_a_reread():
    # New rates in capacity, a new rounding rule, a new resource linked to the member: the
    # platform said none of that, and the entry stays as recorded.
    assert revision(entry(), incoming(rounded_hours=300, resource_id=str(uuid.uuid4())))[1] == []


def test_changed_hours_are_rounded_again_and_named_as_events_name_them():
    revised, changed = revision(entry(), incoming(hours=400, rounded_hours=400, notes="More"))
    assert changed == ["hours", "rounded_hours", "notes"]
    assert (revised.hours, revised.rounded_hours, revised.rates) == (
        Decimal("4.00"), Decimal("4.00"), entry().rates)


def test_the_platforms_own_rates_and_rounding_are_compared():
    revised, changed = revision(entry(), incoming(rounding_given=True, rates_given=True,
                                                  rate_source="import", billable_rate=15000))
    assert changed == ["rounded_hours", "cost_rate", "rate_source"]
    assert revised.rates == Rates(Decimal("150.00"), Decimal("70.00"), "USD", "import")


def test_a_move_to_another_project_or_person_takes_that_ones_rates_and_rounding():
    recorded, other = entry(), uuid.uuid4()
    revised, changed = revision(recorded, incoming(project_id=str(other)))
    assert changed == ["project_id", "rounded_hours", "billable_rate", "cost_rate"]
    # The same entry, moved: its id stays.
    assert (revised.id, revised.project_id, revised.rounded_hours, revised.rates.billable_rate
            ) == (recorded.id, other, Decimal("2.50"), Decimal("160.00"))
    contractor = incoming(user_id=None, resource_id=str(other))
    assert revision(recorded, contractor)[1][:2] == ["user_id", "resource_id"]


def test_approval_at_the_platform_approves_and_locks_but_never_unapproves():
    revised, changed = revision(entry(), incoming(approved=True))
    assert changed == ["status"] and (revised.is_locked, revised.locked_reason) == (
        True, "approved")
    approved_in_labs = entry(status=APPROVED, is_locked=True, locked_reason="approved")
    assert revision(approved_in_labs, incoming(approved=False))[1] == []


def test_invoiced_reserved_and_locked_entries_are_held():
    assert held(entry()) is None
    assert held(entry(invoice_id=uuid.uuid4(), invoiced=True)).startswith("invoiced in Labs")
    assert "invoice being drafted" in held(entry(invoice_id=uuid.uuid4()))
    assert "locked" in held(replace(entry(), is_locked=True))
