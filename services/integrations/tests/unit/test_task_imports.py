"""Imports on an in-memory store in place of PostgreSQL and the projects service (no I/O): asked
for only by admins, of a Jira or Asana connection of the caller's org, the same import twice
being one job; run, an issue becomes one task, a re-import sends only what the platform
changed (a Labs edit stands), a task deleted in Labs is made again once its issue changes, the
assignee is the staff member with the assignee's email (an unknown one named once), and two
imports racing on one issue leave one task."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_integrations.adapters.labs_tasks import TaskView
from labs_integrations.domain import commands
from labs_integrations.domain.connections import (
    Connection,
    ConnectionStatus,
    Credentials,
    Platform,
    SyncLog,
    SyncStatus,
)
from labs_integrations.domain.imports import IMPORT_TRIGGER, ImportedIssue, IssueLink
from labs_integrations.domain.read_model import KnownMember
from labs_integrations.service_layer import task_imports
from labs_integrations.service_layer.import_run import TaskImporter

ORG = uuid.uuid4()
PROJECT = uuid.uuid4()


class Store:
    """What PostgreSQL would hold for one org."""

    def __init__(self) -> None:
        self.connections: dict[uuid.UUID, Connection] = {}
        self.logs: dict[uuid.UUID, SyncLog] = {}
        self.imports: dict = {}
        self.links: dict[tuple[Platform, str], IssueLink] = {}
        self.members: dict[str, KnownMember] = {}
        self.progress: list[int] = []


class Connections:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, connection_id, *, lock=False):
        return self._store.connections.get(connection_id)


class SyncLogs:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, log):
        log.created_at = datetime.now(UTC)
        self._store.logs[log.id] = log
        return log

    async def get(self, log_id):
        return self._store.logs.get(log_id)

    async def progress(self, log_id, records):
        self._store.progress.append(records)


class TaskImports:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, request):
        self._store.imports[request.id] = request

    async def get(self, import_id):
        return self._store.imports.get(import_id)

    async def pending(self, connection_id, project_id, source):
        return next((r.id for r in self._store.imports.values()
                     if (r.connection_id, r.project_id, r.source) ==
                     (connection_id, project_id, source)
                     and self._store.logs[r.id].status is SyncStatus.IN_PROGRESS), None)


class ImportedTasks:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def of(self, platform, external_ids):
        return {e: self._store.links[(platform, e)] for e in external_ids
                if (platform, e) in self._store.links}

    async def claim(self, link):
        return self._store.links.setdefault((link.platform, link.external_id), link)

    async def save(self, link):
        self._store.links[(link.platform, link.external_id)] = link


class KnownMembers:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def by_email(self, email):
        found = self._store.members.get(email.lower())
        return found if found is not None and found.active else None


class Uow(FakeUnitOfWork):
    store: Store

    def _start(self) -> None:
        self.connections = Connections(self.store)
        self.sync_logs = SyncLogs(self.store)
        self.task_imports = TaskImports(self.store)
        self.imported_tasks = ImportedTasks(self.store)
        self.known_members = KnownMembers(self.store)


def factory(store: Store, caller=None):
    """A unit-of-work factory on `store` (as `caller` when the scope names nobody)."""
    bound = type("BoundUow", (Uow,), {"store": store})
    return lambda scope=None: bound(scope, caller=caller)


class Tasks:
    """The projects service's tasks, and every call made of it."""

    def __init__(self) -> None:
        self.tasks: dict[uuid.UUID, dict] = {}
        self.calls: list[tuple] = []
        self.replays: dict[str, uuid.UUID] = {}

    async def create(self, org_id, user_id, project_id, number, fields, *,
                     idempotency_key=None):
        self.calls.append(("create", dict(fields)))
        if idempotency_key in self.replays:
            task_id = self.replays[idempotency_key]
        else:
            task_id = uuid.uuid4()
            self.tasks[task_id] = {"project_id": project_id, **fields}
            self.replays[idempotency_key] = task_id
        return TaskView(id=task_id, project_id=project_id, title=fields["title"],
                        status=fields["status"])

    async def update(self, org_id, user_id, task_id, fields):
        self.calls.append(("update", dict(fields)))
        if task_id not in self.tasks:
            raise NotFound("No such task.")
        self.tasks[task_id].update(fields)
        return TaskView(id=task_id, project_id=PROJECT, title="", status="")

    async def delete(self, org_id, user_id, task_id):
        self.calls.append(("delete", task_id))
        self.tasks.pop(task_id, None)


def connection(platform: Platform = Platform.JIRA) -> Connection:
    return Connection(id=uuid.uuid4(), org_id=ORG, platform=platform,
                      status=ConnectionStatus.CONNECTED, account_name="Ana",
                      external_account_id="5b10", settings={}, connected_by=uuid.uuid4(),
                      connected_at=datetime.now(UTC))


def member(email: str, role: str = "member") -> KnownMember:
    return KnownMember(org_id=ORG, user_id=uuid.uuid4(), email=email, name=email, role=role,
                       active=True, as_of=datetime.now(UTC))


def pages(*batches: list[ImportedIssue]):
    async def source(secret, query) -> AsyncIterator[list[ImportedIssue]]:
        for batch in batches:
            yield batch

    return source


async def queued(store: Store, made: Connection, source: str = "project = WEB") -> SyncLog:
    store.connections[made.id] = made
    return await task_imports.start_import(
        commands.StartImport(made.id, PROJECT, source),
        factory(store, a_caller(Role.ADMIN, org_id=ORG))())


async def run(store: Store, tasks: Tasks, made: Connection, log: SyncLog, *batches):
    importer = TaskImporter(factory(store), tasks, {made.platform: pages(*batches)})
    return await importer(Credentials(made, {"access_token": "t"}), log)


def issue(n: int, **fields) -> ImportedIssue:
    return ImportedIssue(**{"external_id": str(10_000 + n), "reference": f"WEB-{n}",
                            "title": f"Issue {n}", **fields})


async def test_only_admins_import_from_jira_or_asana_and_the_same_import_is_one_job():
    store = Store()
    jira = connection()
    log = await queued(store, jira)
    assert (log.trigger, log.status) == (IMPORT_TRIGGER, SyncStatus.IN_PROGRESS)
    assert store.imports[log.id].source == "project = WEB"
    assert (await queued(store, jira, " project = WEB ")).id == log.id  # still queued
    assert (await queued(store, jira, "project = APP")).id != log.id

    harvest = connection(Platform.HARVEST)
    with pytest.raises(Conflict, match="Jira and Asana"):
        await queued(store, harvest)
    with pytest.raises(InvalidArgument) as refused:
        await queued(store, connection(Platform.ASANA), "project = WEB")
    assert [e.field for e in refused.value.field_errors] == ["source"]
    for role in (Role.MANAGER, Role.MEMBER, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            await task_imports.start_import(commands.StartImport(jira.id, PROJECT, "x"),
                                            factory(store, a_caller(role, org_id=ORG))())
    with pytest.raises(NotFound):
        await task_imports.start_import(commands.StartImport(uuid.uuid4(), PROJECT, "x"),
                                        factory(store, a_caller(Role.ADMIN, org_id=ORG))())


async def test_issues_become_tasks_once_and_a_reimport_sends_only_what_changed():
    store, tasks = Store(), Tasks()
    ana = store.members["ana@acme.test"] = member("ana@acme.test")
    store.members["cli@acme.test"] = member("cli@acme.test", role="client")
    made = connection()
    first = [issue(n, status="todo", assignee_email="ana@acme.test",
                   estimated_hours=Decimal("2.00")) for n in range(3)]
    second = [issue(3, assignee_email="sam@elsewhere.test"),
              issue(4, assignee_email="sam@elsewhere.test"),
              issue(5, assignee_email="cli@acme.test")]
    outcome = await run(store, tasks, made, await queued(store, made), first, second)
    assert outcome.records == 6 and len(tasks.tasks) == 6 and store.progress == [3, 6]
    assert [t["assignee_id"] for t in tasks.tasks.values()] == [str(ana.user_id)] * 3 + [""] * 3
    assert outcome.errors == [
        "No staff member of this organization has the email cli@acme.test (1 issue): "
        "left unassigned.",
        "No staff member of this organization has the email sam@elsewhere.test (2 issues): "
        "left unassigned."]

    # Edited in Labs meanwhile: the title stands, since the platform did not change it.
    task_0 = store.links[(Platform.JIRA, "10000")].task_id
    tasks.tasks[task_0]["title"] = "Renamed in Labs"
    tasks.calls.clear()
    again = [issue(0, status="done", assignee_email="ana@acme.test",
                   estimated_hours=Decimal("2.00")),
             issue(1, status="todo", assignee_email=None, estimated_hours=Decimal("3.50")),
             issue(2, status="todo", assignee_email="ana@acme.test",
                   estimated_hours=Decimal("2.00"))]
    outcome = await run(store, tasks, made, await queued(store, made, "project = WEB2"), again)
    assert outcome.records == 3 and len(tasks.tasks) == 6
    assert tasks.calls == [("update", {"status": "done"}),
                           ("update", {"assignee_id": "", "estimated_hours": "3.50"})]
    assert tasks.tasks[task_0]["title"] == "Renamed in Labs"


async def test_a_task_deleted_in_labs_is_made_again_once_its_issue_changes():
    store, tasks = Store(), Tasks()
    made = connection()
    await run(store, tasks, made, await queued(store, made), [issue(1)])
    old = store.links[(Platform.JIRA, "10001")].task_id
    del tasks.tasks[old]
    await run(store, tasks, made, await queued(store, made, "a"), [issue(1)])
    assert not tasks.tasks  # unchanged: the deletion stands
    await run(store, tasks, made, await queued(store, made, "b"), [issue(1, title="New")])
    (new,) = tasks.tasks
    assert new != old and store.links[(Platform.JIRA, "10001")].task_id == new


async def test_two_imports_racing_on_an_issue_leave_one_task():
    store, tasks = Store(), Tasks()
    made = connection()
    log = await queued(store, made)
    theirs = uuid.uuid4()
    tasks.tasks[theirs] = {"title": "Issue 1"}

    class Raced(ImportedTasks):
        async def of(self, platform, external_ids):
            return {}  # read before the other import linked it

        async def claim(self, link):
            return IssueLink(platform=link.platform, external_id=link.external_id,
                             project_id=PROJECT, task_id=theirs,
                             applied={"title": "Issue 1"})

    def raced(scope=None):
        uow = factory(store)(scope)
        uow.imported_tasks = Raced(store)
        return uow

    importer = TaskImporter(raced, tasks, {Platform.JIRA: pages([issue(1)])})
    outcome = await importer(Credentials(made, {}), log)
    assert list(tasks.tasks) == [theirs] and outcome.records == 1
    assert [c[0] for c in tasks.calls] == ["create", "delete", "update"]


async def test_a_refused_source_fails_the_import_and_a_refused_token_the_connection():
    store, tasks = Store(), Tasks()
    made = connection()

    def failing(error):
        async def source(secret, query):
            raise error
            yield []

        return source

    log = await queued(store, made)
    bad_query = TaskImporter(factory(store), tasks, {Platform.JIRA: failing(
        InvalidArgument.on("source", "Jira refused the query: nope"))})
    outcome = await bad_query(Credentials(made, {}), log)
    assert outcome.records == 0
    assert outcome.errors == ["The import stopped: source: Jira refused the query: nope"]
    bad_token = TaskImporter(factory(store), tasks, {Platform.JIRA: failing(
        InvalidArgument.on("access_token", "Jira does not accept this API token"))})
    with pytest.raises(InvalidArgument):  # the sync worker turns the connection to error
        await bad_token(Credentials(made, {}), log)
