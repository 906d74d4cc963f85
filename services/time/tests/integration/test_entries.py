"""Time entries through the real time service, with projects, identity and capacity answering."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from time_helpers import (
    eventually,
    field_of,
    join,
    known_project,
    project,
    rejected,
    resource,
    signup,
)

from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import time_service_pb2 as pb

pytestmark = pytest.mark.integration

TODAY = date.today().isoformat()


def ts(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


async def test_an_entry_snapshots_the_persons_rates_and_rounds_by_the_org_rule(clients):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 15, "mode": "up"}})
    member = await join(clients, owner, "member")
    await resource(clients, owner, member, billing="150.00", cost="60.00")
    project_id = await project(clients, owner)

    created = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1.1", date_worked=TODAY, notes="design review"),
        metadata=member.auth)).entry

    assert (created.hours, created.rounded_hours) == ("1.10", "1.25")
    assert (created.billable_rate, created.cost_rate, created.currency) == \
        ("150.00", "60.00", "USD")
    assert created.rate_source == "resource"
    assert created.billable and created.status == pb.ENTRY_STATUS_DRAFT
    assert created.user_id == member.user_id and created.resource_id


async def test_a_project_override_bills_and_a_person_without_rates_says_so(clients):
    owner = await signup(clients)
    with_override = await project(clients, owner, override="200.00")
    plain = await project(clients, owner)

    billed = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=with_override, hours="2", date_worked=TODAY), metadata=owner.auth)).entry
    unknown = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=plain, hours="2", date_worked=TODAY), metadata=owner.auth)).entry

    assert (billed.billable_rate, billed.rate_source, billed.currency) == \
        ("200.00", "project", "USD")
    assert (unknown.billable_rate, unknown.cost_rate, unknown.rate_source) == ("", "", "none")


async def test_an_entry_by_start_and_end_takes_its_hours_from_the_span(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    created = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, started_at=ts(start), ended_at=ts(start + timedelta(minutes=45)),
        billable=False), metadata=owner.auth)).entry
    assert created.hours == "0.75" and not created.billable
    assert created.started_at.ToDatetime(UTC) == start


@pytest.mark.parametrize(("fields", "field"), [
    ({"hours": "0"}, "hours"),
    ({"hours": "24.5"}, "hours"),
    ({"hours": "two"}, "hours"),
    ({"hours": "1", "date_worked": "1900-01-01"}, "date_worked"),
    ({"hours": "1", "date_worked": "2026-02-30"}, "date_worked"),
    ({"hours": "1", "user_id": "nope"}, "user_id"),
    ({}, "hours"),
])
async def test_bad_input_is_refused_naming_the_field_and_writes_nothing(clients, fields, field):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    error = await rejected(clients.time.CreateTimeEntry(
        pb.CreateTimeEntryRequest(project_id=project_id, **fields), metadata=owner.auth))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(error) == field
    listed = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(), metadata=owner.auth)
    assert list(listed.entries) == []


async def test_ended_at_before_started_at_is_refused(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    start = datetime.now(UTC) - timedelta(hours=1)
    error = await rejected(clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, started_at=ts(start), ended_at=ts(start - timedelta(minutes=1))),
        metadata=owner.auth))
    assert field_of(error) == "ended_at"


async def test_an_archived_project_takes_no_time(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    await clients.projects.DeleteProject(projects_pb.DeleteProjectRequest(id=project_id),
                                         metadata=owner.auth)

    # Time checks the project in its read model, which hears of the archive from projects'
    # event: once it has, the project takes no time.
    async def archived():
        known = await known_project(clients, owner, project_id)
        return known is not None and known.archived

    await eventually(archived, "time hears that the project is archived")
    error = await rejected(clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1"), metadata=owner.auth))
    assert field_of(error) == "project_id"


async def test_managers_log_for_others_and_members_may_not(clients):
    owner = await signup(clients)
    manager = await join(clients, owner, "manager")
    member = await join(clients, owner, "member")
    project_id = await project(clients, owner)

    logged = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1", user_id=member.user_id), metadata=manager.auth)).entry
    assert logged.user_id == member.user_id

    error = await rejected(clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1", user_id=manager.user_id), metadata=member.auth))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED

    error = await rejected(clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1", user_id=str(uuid.uuid4())), metadata=manager.auth))
    assert field_of(error) == "user_id"


async def test_lists_filter_and_page_with_a_cursor(clients):
    owner = await signup(clients)
    member = await join(clients, owner, "member")
    first, second = await project(clients, owner), await project(clients, owner)
    for day in range(1, 6):
        await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
            project_id=first, hours="1", date_worked=f"2026-01-0{day}",
            billable=day % 2 == 0), metadata=member.auth)
    await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=second, hours="3", date_worked="2026-01-03"), metadata=owner.auth)

    seen, token = [], ""
    while True:
        page = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
            project_id=first, page_size=2, page_token=token), metadata=owner.auth)
        seen += [e.date_worked for e in page.entries]
        if not (token := page.next_page_token):
            break
    assert seen == [f"2026-01-0{d}" for d in (5, 4, 3, 2, 1)]

    billable = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        billable=True, user_id=member.user_id, date_from="2026-01-02", date_to="2026-01-04"),
        metadata=owner.auth)
    assert [e.date_worked for e in billable.entries] == ["2026-01-04", "2026-01-02"]

    # A member sees only their own time.
    mine = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(), metadata=member.auth)
    assert {e.user_id for e in mine.entries} == {member.user_id}


async def test_patch_changes_only_given_fields_and_reapplies_rounding(clients):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 30, "mode": "nearest"}})
    project_id = await project(clients, owner)
    entry = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1", notes="first"), metadata=owner.auth)).entry
    changed = (await clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(
        id=entry.id, hours="2.2"), metadata=owner.auth)).entry
    assert (changed.hours, changed.rounded_hours, changed.notes) == ("2.20", "2.00", "first")
    assert changed.etag != entry.etag
    stale = await rejected(clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(
        id=entry.id, notes="x", if_match_etags=[entry.etag]), metadata=owner.auth))
    assert stale.code() == grpc.StatusCode.ABORTED
    await clients.time.DeleteTimeEntry(pb.DeleteTimeEntryRequest(id=entry.id),
                                       metadata=owner.auth)
    gone = await rejected(clients.time.GetTimeEntry(pb.GetTimeEntryRequest(id=entry.id),
                                                    metadata=owner.auth))
    assert gone.code() == grpc.StatusCode.NOT_FOUND
