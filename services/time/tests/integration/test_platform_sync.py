"""SyncExternalEntries on real PostgreSQL, with identity, projects and capacity: a platform's
entries are created once however often (or however concurrently) they are sent, changes update
them with their events, invoiced and locked entries stay as they are, and a reconcile deletes
only the source's synced entries of its window that the platform no longer has, in the caller's
org."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from sqlalchemy import select
from time_helpers import field_of, finished_job, join, rejected, resource, signup, time_uow, upload

from labs.events.v1 import envelope_pb2
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2
from labs.time.v1 import time_service_pb2 as pb
from labs_common.db.tables import outbox

pytestmark = pytest.mark.integration

ROUNDING = {"time_rounding": {"unit_minutes": 15, "mode": "up"}}


def external(external_id: str, project_id: str, **fields) -> pb.ExternalEntry:
    """A platform's entry; its notes name it, so a listing tells the entries apart."""
    values = {"date_worked": "2026-01-05", "hours": "1.1", "billable": True,
              "notes": f"entry {external_id}", **fields}
    return pb.ExternalEntry(external_id=external_id, project_id=project_id, **values)


async def sync(clients, person, *entries: pb.ExternalEntry, reconcile: dict | None = None,
               source: str = "harvest") -> pb.SyncExternalEntriesResponse:
    request = pb.SyncExternalEntriesRequest(source=source, entries=entries)
    if reconcile is not None:
        request.reconcile.CopyFrom(pb.ReconcileWindow(**reconcile))
    return await clients.time.SyncExternalEntries(request, metadata=person.auth)


async def listed(clients, person) -> dict[str, pb.TimeEntry]:
    """The org's entries by their notes."""
    found = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(page_size=500),
                                               metadata=person.auth)
    return {entry.notes: entry for entry in found.entries}


async def events(clients, person, kind: str) -> list[tuple[envelope_pb2.Envelope, object]]:
    """The org's events of `kind` as committed to time's outbox, oldest first."""
    async with time_uow(clients, person) as uow:
        rows = (await uow.session.execute(
            select(outbox.c.envelope).where(outbox.c.org_id == uuid.UUID(person.org_id),
                                            outbox.c.type == kind)
            .order_by(outbox.c.created_at))).scalars().all()
    found = []
    for data in rows:
        envelope = envelope_pb2.Envelope.FromString(data)
        payload = (events_pb2.EntriesImported() if kind == "entry.imported"
                   else events_pb2.EntryChanged())
        envelope.payload.Unpack(payload)
        found.append((envelope, payload))
    return found


async def named_project(clients, owner, name: str) -> str:
    created = await clients.projects.CreateProject(projects_pb.CreateProjectRequest(
        project=projects_pb.Project(name=name, status=projects_pb.PROJECT_STATUS_ACTIVE,
                                    budget_currency="USD")), metadata=owner.auth)
    return created.project.id


async def a_team(clients):
    """An org that rounds up to 15 minutes, Ada (a member, 150/70 an hour) and a project."""
    owner = await signup(clients, ROUNDING)
    ada = await join(clients, owner, "member", "Ada", "Lovelace")
    ada_resource = await resource(clients, owner, ada, billing="150.00", cost="70.00")
    return owner, ada, ada_resource, await named_project(clients, owner, "Website")


async def test_a_sync_creates_entries_once_and_the_same_call_again_changes_nothing(clients):
    owner, ada, ada_resource, project_id = await a_team(clients)
    page = [
        external("1", project_id, email=ada.email.upper()),
        # By name, with the platform's own rates and rounding.
        external("2", project_id, first_name="Ada", last_name="Lovelace", hours="1.9",
                 rounded_hours="2.00", billable_rate="110", cost_rate="50.00",
                 currency="eur"),
        external("3", project_id, email="nobody@example.com"),
        external("4", project_id, email=ada.email, approved=True),
        external("5", str(uuid.uuid4()), email=ada.email),
        external("6", project_id, email=ada.email, hours="25"),
    ]
    first = await sync(clients, owner, *page)
    assert (first.created, first.updated, first.unchanged, first.deleted) == (3, 0, 0, 0)
    assert [(e.external_id, e.field) for e in first.errors] == [
        ("3", "email"), ("5", "project_id"), ("6", "hours")]

    entries = await listed(clients, owner)
    assert {notes: (e.user_id, e.resource_id, e.hours, e.rounded_hours, e.billable_rate,
                    e.cost_rate, e.currency, e.rate_source, e.status, e.is_locked, e.source)
            for notes, e in entries.items()} == {
        "entry 1": (ada.user_id, ada_resource, "1.10", "1.25", "150.00", "70.00", "USD",
                    "resource", pb.ENTRY_STATUS_DRAFT, False, "harvest"),
        "entry 2": (ada.user_id, ada_resource, "1.90", "2.00", "110.00", "50.00", "EUR",
                    "import", pb.ENTRY_STATUS_DRAFT, False, "harvest"),
        "entry 4": (ada.user_id, ada_resource, "1.10", "1.25", "150.00", "70.00", "USD",
                    "resource", pb.ENTRY_STATUS_APPROVED, True, "harvest"),
    }
    (_envelope, payload), = await events(clients, owner, "entry.imported")
    assert (payload.job_id, payload.source, sorted(payload.entry_ids)) == (
        "", "harvest", sorted(e.id for e in entries.values()))

    again = await sync(clients, owner, *page)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(again.errors) == 3
    assert (await listed(clients, owner)).keys() == entries.keys()
    assert len(await events(clients, owner, "entry.imported")) == 1
    assert await events(clients, owner, "entry.updated") == []


async def test_two_calls_at_once_make_each_entry_once(clients):
    owner, ada, _, project_id = await a_team(clients)
    page = [external(str(n), project_id, email=ada.email) for n in range(1, 41)]
    answers = await asyncio.gather(sync(clients, owner, *page), sync(clients, owner, *page))
    assert sum(a.created for a in answers) == 40
    assert sum(a.unchanged for a in answers) == 40
    assert len(await listed(clients, owner)) == 40


async def test_a_changed_entry_is_updated_in_place_and_announced(clients):
    owner, ada, _, project_id = await a_team(clients)
    await sync(clients, owner, external("1", project_id, email=ada.email))
    before = (await listed(clients, owner))["entry 1"]

    changed = await sync(clients, owner, external("1", project_id, email=ada.email,
                                                  hours="2.2", notes="entry 1, longer"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    after = (await listed(clients, owner))["entry 1, longer"]
    assert (after.id, after.hours, after.rounded_hours, after.billable_rate) == (
        before.id, "2.20", "2.25", "150.00")
    (envelope, event), = await events(clients, owner, "entry.updated")
    assert (event.entry_id, event.hours, event.rounded_hours, list(event.changed_fields)) == (
        before.id, "2.20", "2.25", ["hours", "rounded_hours", "notes"])
    assert envelope.project_id == project_id

    # Moved to another project at the platform: the same entry, on the new project, and the
    # event says so, so readers move its hours and money from one project's totals to the other.
    other = await named_project(clients, owner, "Shop")
    moved = await sync(clients, owner, external("1", other, email=ada.email, hours="2.2",
                                                notes="entry 1, longer"))
    assert moved.updated == 1
    assert (await listed(clients, owner))["entry 1, longer"].project_id == other
    envelope, event = (await events(clients, owner, "entry.updated"))[-1]
    assert (event.entry_id, event.project_id, envelope.project_id) == (before.id, other, other)
    assert "project_id" in event.changed_fields


async def test_invoiced_and_locked_entries_are_left_as_they_are_and_reported(clients):
    owner, ada, _, project_id = await a_team(clients)
    page = [external(str(n), project_id, email=ada.email, approved=(n == 3))
            for n in (1, 2, 3)]
    await sync(clients, owner, *page)
    entries = await listed(clients, owner)
    reserved = await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=str(uuid.uuid4()), project_id=project_id, period_start="2026-01-01",
        period_end="2026-01-31", entry_ids=[entries["entry 1"].id]), metadata=owner.auth)
    assert [e.id for e in reserved.entries] == [entries["entry 1"].id]

    changed = [external(str(n), project_id, email=ada.email, hours="3") for n in (1, 2, 3)]
    answer = await sync(clients, owner, *changed)
    assert (answer.updated, [(e.external_id, e.field) for e in answer.errors]) == (
        1, [("1", "entry"), ("3", "entry")])
    assert "invoice" in answer.errors[0].message and "locked" in answer.errors[1].message
    now = await listed(clients, owner)
    assert [now[f"entry {n}"].hours for n in (1, 2, 3)] == ["1.10", "3.00", "1.10"]

    # Gone at the platform, but on an invoice or locked in Labs: still there, and reported.
    gone = await sync(clients, owner, reconcile={"date_from": "2026-01-01",
                                                 "date_to": "2026-01-31"})
    assert (gone.deleted, sorted(e.external_id for e in gone.errors)) == (1, ["1", "3"])
    assert sorted(await listed(clients, owner)) == ["entry 1", "entry 3"]


HARVEST_EXPORT = (
    b"Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
    b"Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,"
    b"Cost Amount,Currency,External Reference URL\n"
    b"2026-01-06,Globex,Website,WS,Dev,from a file,2.00,2.00,Yes,No,No,Ada,Lovelace,,Yes,"
    b"110.00,220.00,50.00,100.00,Euro - EUR,\n")


async def test_a_reconcile_deletes_only_the_windows_synced_entries_the_platform_lost(clients):
    owner, ada, _, project_id = await a_team(clients)
    job = await finished_job(clients, owner, await upload(clients, owner, HARVEST_EXPORT))
    assert (job.imported, job.format) == (1, "harvest_export")  # source "harvest", no id
    await sync(clients, owner, *(
        external(str(n), project_id, email=ada.email, date_worked=day)
        for n, day in ((1, "2026-01-05"), (2, "2026-01-20"), (3, "2026-01-31"),
                       (4, "2026-02-01"))))

    answer = await sync(clients, owner, external("3", project_id, email=ada.email,
                                                 date_worked="2026-01-31"),
                        reconcile={"date_from": "2026-01-01", "date_to": "2026-01-31",
                                   "external_ids": ["1"]})
    assert (answer.deleted, answer.unchanged, list(answer.errors)) == (1, 1, [])
    assert sorted(await listed(clients, owner)) == [
        "entry 1", "entry 3", "entry 4", "from a file"]
    (envelope, event), = await events(clients, owner, "entry.deleted")
    assert (event.entry.notes, envelope.project_id) == ("entry 2", project_id)

    again = await sync(clients, owner, reconcile={"date_from": "2026-01-01",
                                                  "date_to": "2026-01-31",
                                                  "external_ids": ["1", "3"]})
    assert again.deleted == 0


async def test_another_orgs_entries_are_neither_matched_nor_deleted(clients):
    owner, ada, _, project_id = await a_team(clients)
    other, bea, _, other_project = await a_team(clients)
    await sync(clients, owner, external("1", project_id, email=ada.email))
    theirs = await sync(clients, other, external("1", other_project, email=bea.email))
    assert theirs.created == 1  # the same platform id names another entry in another org
    # Another org's project is no project of this org.
    foreign = await sync(clients, other, external("2", project_id, email=bea.email))
    assert [(e.external_id, e.field) for e in foreign.errors] == [("2", "project_id")]

    emptied = await sync(clients, other, reconcile={"date_from": "2026-01-01",
                                                    "date_to": "2026-01-31"})
    assert emptied.deleted == 1
    assert list(await listed(clients, owner)) == ["entry 1"]
    assert await listed(clients, other) == {}


async def test_a_member_is_refused_and_a_bad_call_names_its_field(clients):
    owner, ada, _, project_id = await a_team(clients)
    denied = await rejected(sync(clients, ada, external("1", project_id, email=ada.email)))
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    for call, field in (
            (sync(clients, owner, source="Harvest"), "source"),
            (sync(clients, owner, source=""), "source"),
            (sync(clients, owner, *[external(str(n), project_id, email=ada.email)
                                    for n in range(2001)]), "entries"),
            (sync(clients, owner, reconcile={"date_from": "2026-1-1", "date_to": "2026-01-31"}),
             "reconcile.date_from"),
            (sync(clients, owner, reconcile={"date_from": "2025-01-01",
                                             "date_to": "2026-06-30"}), "reconcile.date_to")):
        refused = await rejected(call)
        assert (refused.code(), field_of(refused)) == (grpc.StatusCode.INVALID_ARGUMENT, field)
    assert await listed(clients, owner) == {}
