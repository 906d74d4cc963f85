"""Linear issues ⇄ Labs tasks, the Linear → Labs half: an issue brought into its task (made if
new) and an issue deleted in Linear marked on its task. Used by the webhook inbox and the
reconciler alike.

Every change in Labs is made through the projects service as the member who connected Linear
(a delegated token), outside any transaction of ours, as GitHub's are. Before a task is changed
its link records what Linear says (`applying` set), so the task event our change causes asks
nothing of Linear, and an apply cut short is redone in full on the retry. A task is made with
an idempotency key of the issue and its fields (a retried create replays the first task); two
creates racing (the reconciler and a webhook on two replicas) both make one, the first link wins
and the other task is deleted at once.

A deleted issue does not delete its task: the work, its time and comments are the agency's. The
task is cancelled (unless it is done already), a comment says why, and the link is marked removed
so nothing goes back to Linear; an issue restored from Linear's trash is linked again."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

from labs.integrations.v1 import events_pb2
from labs_common.db.uow import Scope
from labs_integrations.adapters.labs_tasks import LabsTasks, TaskView
from labs_integrations.adapters.linear_api import LinearApi
from labs_integrations.domain import linear as ln
from labs_integrations.domain.connections import Credentials
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)
MAX_ISSUE_LOCKS = 10_000


@dataclass(frozen=True)
class Acting:
    """An org's Linear connection: its credentials, its settings, who Labs acts as."""

    org_id: uuid.UUID
    user_id: uuid.UUID
    secret: dict[str, Any]
    settings: dict[str, Any]

    @classmethod
    def of(cls, found: Credentials) -> Acting:
        return cls(org_id=found.connection.org_id, user_id=found.connection.connected_by,
                   secret=found.secret, settings=found.connection.settings or {})


def idempotency_key(kind: str, *parts: object) -> str:
    """The same parts, the same key (a retried write replays the first answer), short."""
    return f"linear-{kind}-" + hashlib.sha256(
        "\x1f".join(str(p) for p in parts).encode()).hexdigest()


class LinearIssues:
    def __init__(self, uow: UowFactory, api: LinearApi, tasks: LabsTasks) -> None:
        self._uow = uow
        self._api = api
        self._tasks = tasks
        # One apply at a time per issue in this replica: the inbox worker and the reconciler
        # may meet on the same issue, and each compares with the link first.
        self._locks: dict[tuple[uuid.UUID, str], asyncio.Lock] = {}

    def _lock(self, org_id: uuid.UUID, issue_id: str) -> asyncio.Lock:
        key = (org_id, issue_id)
        if key not in self._locks:
            if len(self._locks) > MAX_ISSUE_LOCKS:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            self._locks[key] = asyncio.Lock()
        return self._locks[key]

    async def link_of(self, org_id: uuid.UUID, issue_id: str) -> ln.IssueLink | None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            return await uow.linear_issue_links.by_issue(issue_id)

    # --- an issue created or changed -----------------------------------------------------------

    async def apply(self, acting: Acting, issue: ln.IssueFacts) -> bool:
        """Brings the task of `issue` in line with it (making it if new); False when there was
        nothing to do (our own echo, an older snapshot, an issue of no mapped team or project)."""
        async with self._lock(acting.org_id, issue.id):
            return await self._apply(acting, issue)

    async def _apply(self, acting: Acting, issue: ln.IssueFacts) -> bool:
        link = await self.link_of(acting.org_id, issue.id)
        if ln.is_stale(link, issue) or ln.is_echo(link, issue):
            return False
        task: TaskView | None = None
        gone: ln.IssueLink | None = None
        if link is not None:
            task = await self._tasks.get(acting.org_id, acting.user_id, link.task_id)
            if task is None:  # deleted in Labs: the changed issue makes a new one
                gone, link = link, None
        project = link.project_id if link is not None else ln.project_for(acting.settings, issue)
        if project is None:
            log.info("linear.issue_not_mapped", org_id=str(acting.org_id),
                     issue=issue.reference, team=issue.team_key)
            return False
        assignee = await self._assignee(acting, link, issue)
        fields = ln.task_changes(link, issue, task.status if task else None, assignee)
        if task is not None:
            assert link is not None
            status = fields.get("status", task.status)
            applying = ln.agreed_link(link, issue, status)
            applying.applying = True
            await self._put(acting.org_id, applying)
            if fields:
                task = await self._tasks.update(acting.org_id, acting.user_id, task.id, fields)
            async with self._uow(Scope(org_id=acting.org_id)) as uow:
                await uow.linear_issue_links.agreed(applying.id)
                await self._synced(uow, task, issue, "to_labs")
                await uow.commit()
            return True
        key = idempotency_key("task", acting.org_id, issue.id, project,
                              json.dumps(fields, sort_keys=True))
        task = await self._tasks.create(acting.org_id, acting.user_id, project, None, fields,
                                        idempotency_key=key)
        new = ln.agreed_link(_link(acting, project, task.id, issue), issue, task.status)
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            if gone is not None:  # the link of the deleted task now names the new one
                new.id = gone.id
                held = await uow.linear_issue_links.put(new)
            else:
                held = await uow.linear_issue_links.claim(new)
            if held.task_id == task.id:
                await self._synced(uow, task, issue, "to_labs")
            await uow.commit()
        if held.task_id != task.id:
            # Another apply linked the issue meanwhile: its task stays, this one goes.
            await self._tasks.delete(acting.org_id, acting.user_id, task.id)
            return await self._apply(acting, issue)
        return True

    async def _assignee(self, acting: Acting, link: ln.IssueLink | None,
                        issue: ln.IssueFacts) -> ln.Assignee:
        """The Labs member Linear's assignee is (by email, a staff member of the org), asked
        only when Linear's assignee changed: "" for nobody, None for no such member."""
        if link is not None and not link.applying and not link.removed and \
                link.last_assignee_id == (issue.assignee_id or ""):
            return None
        if not issue.assignee_id:
            return ""
        email = issue.assignee_email or await self._api.user_email(acting.secret,
                                                                   issue.assignee_id)
        if not email:
            return None
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            member = await uow.known_members.by_email(email)
        return str(member.user_id) if member is not None and member.is_staff else None

    # --- an issue deleted ----------------------------------------------------------------------

    async def remove(self, acting: Acting, issue: ln.IssueFacts) -> bool:
        """Marks the task of a deleted issue (cancelled unless done, with a comment saying
        why) and stops keeping them in line; False when the issue had no live link."""
        async with self._lock(acting.org_id, issue.id):
            link = await self.link_of(acting.org_id, issue.id)
            if link is None or link.removed:
                return False
            task = await self._tasks.get(acting.org_id, acting.user_id, link.task_id)
            cancel = task is not None and task.status not in (ln.DONE, ln.CANCELLED)
            link.removed, link.applying = True, False
            if cancel:
                link.last_status = ln.CANCELLED
            await self._put(acting.org_id, link)
            if task is not None:
                if cancel:
                    task = await self._tasks.update(acting.org_id, acting.user_id, task.id,
                                                    {"status": ln.CANCELLED})
                await self._tasks.comment(
                    acting.org_id, acting.user_id, task.id, ln.removal_note(link, cancel),
                    idempotency_key=idempotency_key("removed", acting.org_id, issue.id))
                async with self._uow(Scope(org_id=acting.org_id)) as uow:
                    await self._synced(uow, task, issue, "to_labs", removed=True)
                    await uow.commit()
            return True

    # --- helpers -------------------------------------------------------------------------------

    async def _put(self, org_id: uuid.UUID, link: ln.IssueLink) -> None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            await uow.linear_issue_links.put(link)
            await uow.commit()

    @staticmethod
    async def _synced(uow, task: TaskView, issue: ln.IssueFacts, direction: str, *,
                      removed: bool = False) -> None:
        await uow.outbox.add("linear.issue_synced", events_pb2.LinearIssueSynced(
            task_id=str(task.id), issue_id=issue.id, identifier=issue.identifier,
            direction=direction, url=issue.url, title=issue.title, status=task.status,
            removed=removed), project_id=task.project_id)


def _link(acting: Acting, project_id: uuid.UUID, task_id: uuid.UUID,
          issue: ln.IssueFacts) -> ln.IssueLink:
    return ln.IssueLink(id=uuid.uuid4(), org_id=acting.org_id, project_id=project_id,
                        task_id=task_id, issue_id=issue.id, identifier=issue.identifier,
                        team_id=issue.team_id, last_title="", last_description_hash="",
                        last_state_id="", last_status="")
