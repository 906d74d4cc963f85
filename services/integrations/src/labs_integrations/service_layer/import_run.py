"""The importer of the sync worker: one queued import (a sync log with the trigger "import")
run outside any transaction, as the member who connected the platform (a delegated token, so
the projects service's rules hold).

Each page of issues is brought into Labs as it comes: an issue never imported before becomes a
task of the import's project; one imported before (the `imported_tasks` link, by org, platform
and the platform's id) updates its task with what the platform changed since (its task is never
made twice, whichever project a later import names); a task deleted in Labs meanwhile is made
again once the issue changes. The log's `records_synced` grows page by page. The assignee is the
active staff member whose email is the platform's assignee's (the read model of members); an
email no staff member has leaves the task unassigned and is named once in the log.

A create is sent with an idempotency key of the issue and its fields, so a run cut short and run
again (the lease) replays the task it made; two imports racing on one issue both create, the
first link wins and the other task is deleted again."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import AlreadyExists, Conflict, InvalidArgument, LabsError, NotFound
from labs_integrations.adapters.issue_sources import IssueSource
from labs_integrations.adapters.labs_tasks import LabsTasks
from labs_integrations.domain.connections import Connection, Credentials, Platform, SyncLog
from labs_integrations.domain.imports import (
    ImportedIssue,
    ImportRequest,
    IssueLink,
    changed_fields,
    task_fields,
)
from labs_integrations.service_layer.syncs import SyncOutcome
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

NAMES = {Platform.JIRA: "Jira issue", Platform.ASANA: "Asana task"}


def create_key(org_id: uuid.UUID, platform: Platform, external_id: str, project_id: uuid.UUID,
               fields: dict[str, str]) -> str:
    digest = hashlib.sha256("\x1f".join((str(org_id), platform.value, external_id,
                                         str(project_id), json.dumps(fields, sort_keys=True)))
                            .encode()).hexdigest()
    return f"import-task-{digest}"


class TaskImporter:
    def __init__(self, uow: UowFactory, tasks: LabsTasks,
                 sources: dict[Platform, IssueSource]) -> None:
        self._uow = uow
        self._tasks = tasks
        self._sources = sources

    async def __call__(self, credentials: Credentials, queued: SyncLog) -> SyncOutcome:
        connection = credentials.connection
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            request = await uow.task_imports.get(queued.id)
        source = self._sources.get(connection.platform)
        if request is None or source is None:
            return SyncOutcome(errors=["There is nothing to import for this job."])
        run = _Run(self._uow, self._tasks, connection, request)
        try:
            async for issues in source(credentials.secret, request.source):
                await run.page(issues)
                async with self._uow(Scope(org_id=connection.org_id)) as uow:
                    await uow.sync_logs.progress(queued.id, run.records)
                    await uow.commit()
        except InvalidArgument as error:
            if any(e.field == "access_token" for e in error.field_errors):
                raise  # the sync worker turns the connection to error
            run.errors.append(f"The import stopped: {error.detail}")
        except LabsError as error:  # the project gone, the member's role, an outage
            run.errors.append(f"The import stopped: {error.detail}")
        log.info("integrations.import_finished", connection_id=str(connection.id),
                 created=run.created, updated=run.updated, unchanged=run.unchanged,
                 errors=len(run.errors))
        return run.outcome()


class _Run:
    """One import's work: the members it has looked up, its tally."""

    def __init__(self, uow: UowFactory, tasks: LabsTasks, connection: Connection,
                 request: ImportRequest) -> None:
        self._uow = uow
        self._tasks = tasks
        self._platform = connection.platform
        self._org = connection.org_id
        self._actor = connection.connected_by
        self._project = request.project_id
        self._members: dict[str, uuid.UUID | None] = {}
        self._unknown: Counter[str] = Counter()
        self.created = self.updated = self.unchanged = 0
        self.errors: list[str] = []

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged

    def outcome(self) -> SyncOutcome:
        unknown = [f"No staff member of this organization has the email {email} ({count} "
                   f"{'issue' if count == 1 else 'issues'}): left unassigned."
                   for email, count in sorted(self._unknown.items())]
        return SyncOutcome(records=self.records, errors=self.errors + unknown)

    async def page(self, issues: list[ImportedIssue]) -> None:
        if not issues:
            return
        emails = {i.assignee_email for i in issues if i.assignee_email} - self._members.keys()
        async with self._uow(Scope(org_id=self._org)) as uow:
            links = await uow.imported_tasks.of(self._platform, [i.external_id for i in issues])
            for email in sorted(emails):
                member = await uow.known_members.by_email(email)
                self._members[email] = member.user_id \
                    if member is not None and member.role != "client" else None
        for issue in issues:
            assignee = self._members.get(issue.assignee_email or "")
            if issue.assignee_email and assignee is None:
                self._unknown[issue.assignee_email] += 1
            try:
                await self._bring_in(issue, links.get(issue.external_id),
                                     task_fields(issue, assignee))
            except (InvalidArgument, Conflict, AlreadyExists) as error:
                self.errors.append(f"{NAMES[self._platform]} {issue.reference}: {error.detail}")

    async def _bring_in(self, issue: ImportedIssue, link: IssueLink | None,
                        desired: dict[str, str]) -> None:
        if link is not None:
            changes = changed_fields(link.applied, desired)
            if not changes:
                self.unchanged += 1
                return
            try:
                await self._tasks.update(self._org, self._actor, link.task_id, changes)
            except NotFound:
                pass  # deleted in Labs: the changed issue makes its task again
            else:
                await self._save(link, link.task_id, desired)
                self.updated += 1
                return
        task = await self._tasks.create(
            self._org, self._actor, self._project, None, desired,
            idempotency_key=create_key(self._org, self._platform, issue.external_id,
                                       self._project, desired))
        if link is not None:
            link.project_id = self._project
            await self._save(link, task.id, desired)
            self.created += 1
            return
        async with self._uow(Scope(org_id=self._org)) as uow:
            held = await uow.imported_tasks.claim(IssueLink(
                platform=self._platform, external_id=issue.external_id,
                project_id=self._project, task_id=task.id, applied=desired))
            await uow.commit()
        if held.task_id == task.id:
            self.created += 1
            return
        # Another import linked this issue meanwhile: its task stays, this one goes.
        await self._tasks.delete(self._org, self._actor, task.id)
        await self._bring_in(issue, held, desired)

    async def _save(self, link: IssueLink, task_id: uuid.UUID, applied: dict[str, str]) -> None:
        link.task_id, link.applied = task_id, applied
        async with self._uow(Scope(org_id=self._org)) as uow:
            await uow.imported_tasks.save(link)
            await uow.commit()
