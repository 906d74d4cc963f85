"""CSV import as a background job: bad rows explained, good rows imported with rates and
rounding, the same file twice adds nothing, and progress moves while it runs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from zoneinfo import ZoneInfo

import grpc
import nats
import pytest
from sqlalchemy import update
from time_helpers import finished_job, join, rejected, resource, signup, upload

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.events.v1 import envelope_pb2
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2
from labs.time.v1 import time_service_pb2 as pb
from labs_common.db.engine import sessionmaker
from labs_common.db.uow import Scope
from labs_time.adapters.directory import PersonRates, Project
from labs_time.adapters.import_references import NO_RATES, Person
from labs_time.adapters.orm import import_jobs
from labs_time.domain.csv_formats import ParsedRow
from labs_time.service_layer import import_claims
from labs_time.service_layer.import_claims import Claim, lease_until
from labs_time.service_layer.import_run import ImportRun
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

pytestmark = pytest.mark.integration


async def named_project(clients, owner, name):
    created = await clients.projects.CreateProject(projects_pb.CreateProjectRequest(
        project=projects_pb.Project(name=name, status=projects_pb.PROJECT_STATUS_ACTIVE,
                                    budget_currency="USD")), metadata=owner.auth)
    return created.project.id


async def test_a_harvest_file_imports_good_rows_and_explains_bad_ones(clients):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 15, "mode": "up"}})
    ada = await join(clients, owner, "member", "Ada", "Lovelace")
    await resource(clients, owner, ada, billing="150.00", cost="70.00")
    project_id = await named_project(clients, owner, "Website")
    data = (
        b"Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
        b"2026-01-05,Globex,Website,Design,Wireframes,1.1,Ada,Lovelace\n"
        b"2026-01-05,Globex,Website,Design,Wireframes,1.1,Ada,Lovelace\n"
        b"2026-01-06,Globex,website,Dev,\"Login, and signup\",2:30,Olive,Owner\n"
        b"2026-01-07,Globex,Nowhere,Dev,,1,Ada,Lovelace\n"
        b"2026-01-07,Globex,Website,Dev,,0,Ada,Lovelace\n"
        b"2026-01-08,Globex,Website,Dev,,1,Grace,Hopper\n"
        b"not a date,Globex,Website,Dev,,1,Ada,Lovelace\n"
    )
    job = await finished_job(clients, owner, await upload(clients, owner, data))

    assert (job.status, job.format, job.total, job.processed, job.imported) == \
        ("succeeded", "harvest_import", 7, 7, 3)
    assert [(e.row, e.field) for e in job.errors] == \
        [(4, "project"), (5, "hours"), (6, "first_name"), (7, "date")]
    assert "create_missing" in job.errors[0].message

    entries = (await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        project_id=project_id), metadata=owner.auth)).entries
    by_user = sorted((e.user_id, e.hours, e.rounded_hours, e.billable_rate, e.rate_source,
                      e.notes) for e in entries)
    assert by_user == sorted([
        (ada.user_id, "1.10", "1.25", "150.00", "resource", "Wireframes"),
        (ada.user_id, "1.10", "1.25", "150.00", "resource", "Wireframes"),
        (owner.user_id, "2.50", "2.50", "", "none", "Login, and signup"),
    ])
    assert all(e.source == "import" for e in entries)

    again = await finished_job(clients, owner, await upload(clients, owner, data, chunk_size=9))
    assert (again.status, again.imported, len(again.errors)) == ("succeeded", 0, 4)
    total = (await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(),
                                                metadata=owner.auth)).entries
    assert len(total) == 3


async def test_missing_projects_are_created_when_asked(clients):
    owner = await signup(clients)
    data = (b"Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
            b"2026-02-02,Initech,TPS Reports,Dev,,3,Olive,Owner\n")
    job = await finished_job(clients, owner, await upload(clients, owner, data,
                                                          create_missing=True))
    assert (job.status, job.imported) == ("succeeded", 1)


async def test_harvest_export_keeps_its_rates_and_kimai_matches_by_email(clients):
    owner = await signup(clients)
    grace = await join(clients, owner, "member", "Grace", "Hopper")
    await named_project(clients, owner, "Apollo")
    harvest = (
        b"Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
        b"Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,"
        b"Cost Rate,Cost Amount,Currency,External Reference URL\n"
        b"2025-11-03,NASA,Apollo,AP,Design,Moon,2.00,2.00,No,No,Yes,Grace,Hopper,,Yes,"
        b"110.00,220.00,50.00,100.00,Euro - EUR,\n")
    job = await finished_job(clients, owner, await upload(clients, owner, harvest))
    assert (job.format, job.imported) == ("harvest_export", 1)
    kimai = (
        "Date,From,To,Duration,Rate,User,Name,E-mail,Customer,Project,Activity,Description,"
        "Exported,Billable,Tags,Hourly rate\n"
        f"2025-11-04,09:00,10:30,1:30,0,grace,G H,{grace.email.upper()},NASA,Apollo,Dev,"
        "Rocket,,0,,\n").encode()
    job = await finished_job(clients, owner, await upload(clients, owner, kimai))
    assert (job.format, job.imported, list(job.errors)) == ("kimai_export", 1, [])
    entries = sorted((await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        user_id=grace.user_id), metadata=owner.auth)).entries, key=lambda e: e.date_worked)
    assert [(e.source, e.billable, e.billable_rate, e.currency, e.rate_source, e.hours)
            for e in entries] == [
        ("harvest", False, "110.00", "EUR", "import", "2.00"),
        ("kimai", False, "", "", "none", "1.50"),
    ]


async def contractor(clients, owner, name: str, email: str, billing: str, cost: str) -> str:
    """A resource without a login: in capacity, not a member."""
    created = await clients.capacity.CreateResource(capacity_pb.CreateResourceRequest(
        resource=capacity_pb.Resource(
            name=name, email=email,
            seniority_level=capacity_pb.SeniorityLevel.Value("SENIORITY_LEVEL_CONTRACTOR"),
            billing_rate=billing, cost_rate=cost, currency="USD")), metadata=owner.auth)
    return created.resource.id


async def test_a_contractor_without_a_login_is_matched_as_their_resource(clients):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 30, "mode": "up"}})
    ada = await join(clients, owner, "member", "Ada", "Lovelace")
    ada_resource = await resource(clients, owner, ada, billing="150.00", cost="70.00")
    carl = await contractor(clients, owner, "Carl Contractor", "carl@contractors.test",
                            billing="120.00", cost="90.00")
    project_id = await named_project(clients, owner, "Apollo")
    header = (b"Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,"
              b"Invoiced?,Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,"
              b"Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL\n")
    data = header + (
        # The contractor by name (this export has no Email column), twice, in any case.
        b"2026-01-05,NASA,Apollo,AP,Dev,Rig,1.10,1.25,Yes,No,Yes,Carl,Contractor,,No,,,,,,\n"
        b"2026-01-06,NASA,Apollo,AP,Dev,Rig,2.00,,Yes,No,No,carl,CONTRACTOR,,No,,,,,,\n"
        b"2026-01-06,NASA,Apollo,AP,Dev,Docs,1.10,,Yes,No,Yes,Ada,Lovelace,,Yes,,,,,,\n"
        # Everything wrong at once: the date, the hours, the approval, the person, the project.
        b"someday,NASA,Gemini,GE,Dev,,0,,Yes,No,Maybe,Nobody,Here,,No,,,,,,\n")
    job = await finished_job(clients, owner, await upload(clients, owner, data))

    assert (job.status, job.format, job.processed, job.imported) == \
        ("succeeded", "harvest_export", 4, 3)
    assert [(e.row, e.field) for e in job.errors] == [
        (4, "date"), (4, "hours"), (4, "approved"), (4, "first_name"), (4, "project")]

    entries = (await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        project_id=project_id), metadata=owner.auth)).entries
    assert sorted((e.date_worked, e.user_id, e.resource_id, e.hours, e.rounded_hours,
                   e.billable_rate, e.cost_rate, e.rate_source, e.status, e.is_locked,
                   e.locked_reason) for e in entries) == sorted([
        ("2026-01-05", "", carl, "1.10", "1.25", "120.00", "90.00", "resource",
         pb.ENTRY_STATUS_APPROVED, True, "approved"),
        ("2026-01-06", "", carl, "2.00", "2.00", "120.00", "90.00", "resource",
         pb.ENTRY_STATUS_DRAFT, False, ""),
        ("2026-01-06", ada.user_id, ada_resource, "1.10", "1.50",
         "150.00", "70.00", "resource", pb.ENTRY_STATUS_APPROVED, True, "approved"),
    ])
    by_resource = (await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        resource_id=carl), metadata=owner.auth)).entries
    assert len(by_resource) == 2
    # An approved import is locked like an approved entry: an edit is refused.
    approved = next(e for e in by_resource if e.is_locked)
    refused = await rejected(clients.time.DeleteTimeEntry(pb.DeleteTimeEntryRequest(
        id=approved.id), metadata=owner.auth))
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION

    again = await finished_job(clients, owner, await upload(clients, owner, data))
    assert (again.imported, len(again.errors)) == (0, 5)


async def test_an_unknown_header_fails_the_job_with_a_reason(clients):
    owner = await signup(clients)
    job = await finished_job(clients, owner, await upload(clients, owner, b"a,b\n1,2\n"))
    assert job.status == "failed"
    assert (job.errors[0].row, job.errors[0].field) == (0, "file")


async def test_progress_moves_while_a_large_file_imports(clients):
    owner = await signup(clients)
    await named_project(clients, owner, "Bulk")
    rows = [f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},C,Bulk,Dev,row {i},0.5,Olive,Owner"
            for i in range(6000)]
    data = ("Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
            + "\n".join(rows) + "\n").encode()
    seen: list = []
    job = await finished_job(clients, owner, await upload(clients, owner, data), seen=seen)
    assert (job.status, job.total, job.imported) == ("succeeded", 6000, 6000)
    partial = {processed for status, processed in seen if status == "running"
               and 0 < processed < 6000}
    assert partial, seen[:20]


async def test_imports_are_for_managers_and_jobs_stay_in_their_org(clients):
    owner = await signup(clients)
    member = await join(clients, owner, "member")
    denied = await rejected(clients.time.CreateImport(pb.CreateImportRequest(),
                                                      metadata=member.auth))
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    empty = (await clients.time.CreateImport(pb.CreateImportRequest(),
                                             metadata=owner.auth)).job_id
    nothing = await rejected(clients.time.StartImport(pb.StartImportRequest(job_id=empty),
                                                      metadata=owner.auth))
    assert nothing.code() == grpc.StatusCode.INVALID_ARGUMENT

    job_id = await upload(clients, owner, b"Date,Project,Hours,First name,Last name\n")
    stranger = await signup(clients)
    for call in (
        clients.time.GetImportJob(pb.GetImportJobRequest(id=job_id), metadata=stranger.auth),
        clients.time.AppendImportChunk(pb.AppendImportChunkRequest(
            job_id=empty, seq=1, chunk=b"x"), metadata=stranger.auth),
        clients.time.StartImport(pb.StartImportRequest(job_id=empty), metadata=stranger.auth),
    ):
        assert (await rejected(call)).code() == grpc.StatusCode.NOT_FOUND


async def _import_events(subscription, job_id: str) -> list[events_pb2.EntriesImported]:
    """The entry.imported events of one job, up to its import.completed."""
    found = []
    async with asyncio.timeout(30):
        while True:
            envelope = envelope_pb2.Envelope.FromString((await subscription.next_msg(30)).data)
            if envelope.type == "import.completed":
                completed = events_pb2.ImportCompleted()
                envelope.payload.Unpack(completed)
                if completed.job_id == job_id:
                    return found
            elif envelope.type == "entry.imported":
                payload = events_pb2.EntriesImported()
                envelope.payload.Unpack(payload)
                if payload.job_id == job_id:
                    found.append(payload)


async def test_imported_entries_are_announced_once_with_what_billing_and_forecasting_need(
        clients, time_nats_url):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 30, "mode": "up"}})
    ada = await join(clients, owner, "member", "Ada", "Lovelace")
    await resource(clients, owner, ada, billing="150.00", cost="70.00")
    await named_project(clients, owner, "Website")
    rows = "".join(f"2026-02-{1 + i % 28:02d},Globex,Website,Dev,task {i},1.1,Ada,Lovelace\n"
                   for i in range(1200))
    data = ("Date,Client,Project,Task,Notes,Hours,First name,Last name\n" + rows).encode()
    connection = await nats.connect(time_nats_url)
    try:
        subscription = await connection.subscribe("labs.time.v1.*.*.*")
        job = await finished_job(clients, owner, await upload(clients, owner, data))
        events = await _import_events(subscription, job.id)
        second = await finished_job(clients, owner, await upload(clients, owner, data))
        again = await _import_events(subscription, second.id)
    finally:
        await connection.drain()

    assert (job.status, job.imported) == ("succeeded", 1200)
    announced = {}
    for event in events:
        assert (event.job_id, event.source) == (job.id, "import")
        for i, entry_id in enumerate(event.entry_ids):
            announced[entry_id] = (
                event.project_ids[i], event.user_ids[i], event.dates_worked[i], event.hours[i],
                event.rounded_hours[i], event.billable[i], event.billable_rates[i],
                event.cost_rates[i], event.currencies[i], event.rate_sources[i])
    entries = (await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(page_size=500),
                                                  metadata=owner.auth))
    listed = list(entries.entries)
    while entries.next_page_token:
        entries = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
            page_size=500, page_token=entries.next_page_token), metadata=owner.auth)
        listed += entries.entries
    assert len(listed) == len(announced) == 1200
    assert announced == {
        e.id: (e.project_id, e.user_id, e.date_worked, e.hours, e.rounded_hours, e.billable,
               e.billable_rate, e.cost_rate, e.currency, e.rate_source) for e in listed}
    assert {a[3:] for a in announced.values()} == {
        ("1.10", "1.50", True, "150.00", "70.00", "USD", "resource")}
    assert again == []  # the same file again imports, and so announces, nothing


class _Directory:
    """The org as the worker sees it; `crash_after` rows in, it fails like a dying worker."""

    settings: dict = {}
    source_zone = ZoneInfo("UTC")
    create_missing = False

    def __init__(self, user_id: str, project_id: str, crash_after: int | None = None) -> None:
        self._person = Person(uuid.UUID(user_id), None)
        self._project = Project(uuid.UUID(project_id), "Website", False, None, "USD")
        self._crash_after = crash_after
        self._rows = 0

    def person(self, row: ParsedRow) -> Person | None:
        return self._person

    async def project(self, name: str) -> Project | str:
        return self._project

    def rates(self, person: Person, on: date) -> PersonRates:
        self._rows += 1  # asked once a row
        if self._crash_after is not None and self._rows > self._crash_after:
            raise ConnectionResetError("the worker died")
        return NO_RATES


async def test_a_job_whose_worker_died_is_taken_again_and_counts_every_row_once(clients):
    owner = await signup(clients)
    ada = await join(clients, owner, "member", "Ada", "Lovelace")
    project_id = await named_project(clients, owner, "Website")
    rows = "".join(f"2026-03-{1 + i % 28:02d},Globex,Website,Dev,task {i},1,Ada,Lovelace\n"
                   for i in range(1000))
    data = ("Date,Client,Project,Task,Notes,Hours,First name,Last name\n" + rows).encode()
    job_id = (await clients.time.CreateImport(pb.CreateImportRequest(),
                                              metadata=owner.auth)).job_id
    await clients.time.AppendImportChunk(pb.AppendImportChunkRequest(
        job_id=job_id, seq=1, chunk=data), metadata=owner.auth)
    sessions = sessionmaker(clients.time_engine)

    def uow(scope: Scope) -> TimeUnitOfWork:
        return TimeUnitOfWork(sessions, "time", scope)

    # The first worker holds the job under a lease and dies 350 rows in, batches of 100 done.
    async with uow(Scope.of_system()) as work:
        org_id = (await work.session.execute(update(import_jobs).where(
            import_jobs.c.id == uuid.UUID(job_id)).values(
            status="running", lease_until=lease_until(600)).returning(
            import_jobs.c.org_id))).scalar_one()
        await work.commit()
    first = Claim(uuid.UUID(job_id), org_id, uuid.UUID(owner.user_id), owner.token, False)
    with pytest.raises(ConnectionResetError):
        await ImportRun(uow, first, _Directory(ada.user_id, project_id, crash_after=350),
                        batch_rows=100, lease_seconds=600).run()
    interrupted = (await clients.time.GetImportJob(pb.GetImportJobRequest(id=job_id),
                                                   metadata=owner.auth)).job
    assert interrupted.status == "running" and 0 < interrupted.imported < 1000

    # Its lease runs out; the next worker takes the job again from its first row.
    async with uow(Scope.of_system()) as work:
        await work.session.execute(update(import_jobs).where(
            import_jobs.c.id == uuid.UUID(job_id)).values(lease_until=lease_until(-1)))
        await work.commit()
    second = await import_claims.claim(uow, uuid.UUID(job_id), lease_seconds=600)
    if second is not None:  # else the service's own sweep took it first, which is as good
        await ImportRun(uow, second, _Directory(ada.user_id, project_id), batch_rows=100,
                        lease_seconds=600).run()
    job = await finished_job(clients, owner, job_id)

    assert (job.status, job.total, job.processed, job.imported) == ("succeeded", 1000, 1000, 1000)
    listed = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(page_size=500),
                                                metadata=owner.auth)
    count = len(listed.entries)
    while listed.next_page_token:
        listed = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
            page_size=500, page_token=listed.next_page_token), metadata=owner.auth)
        count += len(listed.entries)
    assert count == 1000
