"""Labs → GitHub: a linked task's title or done-ness changed in Labs, so its issue should follow.

`on_task_updated` (a consumer of projects' task.updated) writes the intent in the same
transaction as its inbox claim, unless the task says what the link last agreed on (the echo of
our own apply). The worker (`run_once`) PATCHes the issue with the org's token outside any
transaction, retries with backoff (a minute, doubling) for three days, and on success records
the issue's new state on the link, so GitHub's webhook about our change is an echo. A newer
change of the task while a PATCH is in flight raises the intent's version: the send then
finishes nothing, and the intent, due at once, sends what the task says now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog

from labs.events.v1 import envelope_pb2
from labs.integrations.v1 import events_pb2
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.db.uow import Scope
from labs_integrations.adapters.github_api import GitHubApi, GitHubFailed
from labs_integrations.adapters.github_repository import FAILED
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain import github as gh
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork, UowFactory

log = structlog.get_logger(__name__)

GITHUB_PUSHES_SWEEPER = "github_pushes"
BATCH = 20
LEASE = timedelta(minutes=2)


async def on_task_updated(envelope: envelope_pb2.Envelope, uow: IntegrationsUnitOfWork) -> bool:
    """True when an intent was written (the worker is to be woken)."""
    event = project_events.TaskUpdated()
    envelope.payload.Unpack(event)
    task = event.task
    try:
        task_id = uuid.UUID(task.id)
    except ValueError:
        return False
    link = await uow.github_issue_links.by_task(task_id, lock=True)
    if link is None:
        return False
    done = task.status == projects_pb.TaskStatus.TASK_STATUS_DONE
    title = gh.task_title(task.title)
    if gh.wanted_of_issue(link, title, done) == (None, None):
        return False  # what the link says already: our own apply, or nothing GitHub shows
    await uow.github_issue_pushes.want(link.id, title, gh.CLOSED if done else gh.OPEN,
                                       datetime.now(UTC) + gh.PUSH_GIVE_UP)
    return True


class GitHubPushWorker:
    def __init__(self, uow: UowFactory, vault: Vault, api: GitHubApi, *,
                 retry_base: timedelta = timedelta(minutes=1)) -> None:
        self._uow = uow
        self._vault = vault
        self._api = api
        self._retry_base = retry_base

    async def run_once(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.github_issue_pushes.claim_due(BATCH, LEASE)
            await uow.commit()
        for push in due:
            await self._send(push)
        return len(due)

    async def _send(self, push: gh.IssuePush) -> None:
        scope = Scope(org_id=push.org_id)
        async with self._uow(scope) as uow:
            link = await uow.github_issue_links.get(push.link_id)
            found = await credentials(uow, self._vault, Platform.GITHUB)
        title = push.title if link is not None and push.title != link.last_title else None
        state = push.state if link is not None and push.state != link.last_state else None
        if link is None or (title is None and state is None):
            async with self._uow(scope) as uow:
                await uow.github_issue_pushes.finished(push.id, version=push.version)
                await uow.commit()
            return
        try:
            if found is None:
                raise GitHubFailed("GitHub is not connected")
            issue = await self._api.edit_issue(found.access_token, link.repository,
                                               link.issue_number, title=title, state=state)
        except GitHubFailed as error:
            await self._failed(push, link, str(error), permanent=error.permanent)
            return
        async with self._uow(scope) as uow:
            await uow.github_issue_links.agreed(
                link.id, title=title, state=state,
                issue_updated_at=gh.github_time(issue.get("updated_at")))
            if not await uow.github_issue_pushes.finished(push.id, version=push.version):
                log.info("github.issue_push_superseded", org_id=str(push.org_id),
                         repository=link.repository, issue_number=link.issue_number)
            await uow.outbox.add("github.issue_synced", events_pb2.GitHubIssueSynced(
                task_id=str(link.task_id), repository=link.repository,
                issue_number=link.issue_number, direction="to_github",
                url=str(issue.get("html_url") or ""), title=title or link.last_title,
                state=state or link.last_state), project_id=link.project_id)
            await uow.commit()

    async def _failed(self, push: gh.IssuePush, link: gh.IssueLink, error: str, *,
                      permanent: bool) -> None:
        now = datetime.now(UTC)
        at = now + gh.push_retry_delay(push.attempts, self._retry_base)
        give_up = permanent or at >= push.give_up_at
        (log.error if give_up else log.warning)(
            "github.issue_push_failed", org_id=str(push.org_id), repository=link.repository,
            issue_number=link.issue_number, attempts=push.attempts, error=error,
            given_up=give_up)
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            if give_up:
                await uow.github_issue_pushes.finished(push.id, version=push.version,
                                                       status=FAILED, error=error)
            else:
                await uow.github_issue_pushes.retry(push.id, error, at, version=push.version)
            await uow.commit()
