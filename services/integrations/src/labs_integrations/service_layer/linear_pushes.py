"""Labs → Linear: a linked task's title or status changed in Labs, so its issue should follow.

`on_task_updated` (a consumer of projects' task.updated) writes the intent in the same
transaction as its inbox claim, unless the task says what the link last agreed on (the echo of
our own apply) or its issue was deleted in Linear. The worker (`run_once`) sends `issueUpdate`
with the org's credentials outside any transaction (the title, and the team's workflow state the
status asks for: domain/linear.py `state_for`), retries with backoff (a minute, doubling) for
three days, and on success records the issue's new title, state and time on the link, so
Linear's webhook about our change is an echo. A newer change of the task while a send is in
flight raises the intent's version: the send then finishes nothing, and the intent, due at
once, sends what the task says now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog

from labs.events.v1 import envelope_pb2
from labs.integrations.v1 import events_pb2
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.db.uow import Scope
from labs_common.errors import LabsError
from labs_common.protobuf import enum_api_name
from labs_integrations.adapters.inbox_repository import FAILED
from labs_integrations.adapters.linear_api import LinearApi, LinearRefused
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain import linear as ln
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork, UowFactory

log = structlog.get_logger(__name__)

LINEAR_PUSHES_SWEEPER = "linear_pushes"
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
    link = await uow.linear_issue_links.by_task(task_id, lock=True)
    if link is None or link.removed:
        return False
    status = enum_api_name(projects_pb.TaskStatus.DESCRIPTOR,
                           projects_pb.TaskStatus.Name(task.status))
    title = ln.task_title(task.title)
    if ln.wanted_of_issue(link, title, status) == (None, None):
        return False  # what the link says already: our own apply, or nothing Linear shows
    await uow.linear_issue_pushes.want(link.id, title, status,
                                       datetime.now(UTC) + ln.PUSH_GIVE_UP)
    return True


class LinearPushWorker:
    def __init__(self, uow: UowFactory, vault: Vault, api: LinearApi, *,
                 retry_base: timedelta = timedelta(minutes=1)) -> None:
        self._uow = uow
        self._vault = vault
        self._api = api
        self._retry_base = retry_base

    async def run_once(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.linear_issue_pushes.claim_due(BATCH, LEASE)
            await uow.commit()
        for push in due:
            await self._send(push)
        return len(due)

    async def _send(self, push: ln.IssuePush) -> None:
        scope = Scope(org_id=push.org_id)
        async with self._uow(scope) as uow:
            link = await uow.linear_issue_links.get(push.link_id)
            found = await credentials(uow, self._vault, Platform.LINEAR)
        live = link is not None and not link.removed
        title = push.title if live and push.title != link.last_title else None
        status = push.task_status if live and push.task_status != link.last_status else None
        if not live or (title is None and status is None):
            await self._finish(push)
            return
        assert link is not None
        try:
            if found is None:
                raise LinearRefused("Linear is not connected")
            state_id = await self._state_id(found.secret, link, status)
            if title is None and state_id is None:
                # The team has no other state for it (in review on a team without a review
                # state): Linear already shows it; the link now knows the status.
                await self._finish(push, link, status=status)
                return
            issue = ln.IssueFacts.of(await self._api.update_issue(
                found.secret, link.issue_id, title=title, state_id=state_id))
        except (LinearRefused, LabsError) as error:
            await self._failed(push, link, str(error), permanent=isinstance(error, LinearRefused))
            return
        async with self._uow(scope) as uow:
            await uow.linear_issue_links.agreed(
                link.id, title=issue.title if title is not None else None, status=status,
                state_id=issue.state.id if state_id is not None and issue.state else None,
                issue_updated_at=issue.updated_at)
            if not await uow.linear_issue_pushes.finished(push.id, version=push.version):
                log.info("linear.issue_push_superseded", org_id=str(push.org_id),
                         issue=link.identifier)
            await uow.outbox.add("linear.issue_synced", events_pb2.LinearIssueSynced(
                task_id=str(link.task_id), issue_id=link.issue_id, identifier=link.identifier,
                direction="to_linear", url=issue.url, title=issue.title,
                status=status or link.last_status), project_id=link.project_id)
            await uow.commit()

    async def _state_id(self, secret: dict, link: ln.IssueLink, status: str | None
                        ) -> str | None:
        """The workflow state of the issue's team that `status` asks for, unless the issue is
        in it already."""
        if status is None:
            return None
        states = [s for s in map(ln.State.of, await self._api.team_states(secret, link.team_id))
                  if s is not None]
        state = ln.state_for(states, status)
        return state.id if state is not None and state.id != link.last_state_id else None

    async def _finish(self, push: ln.IssuePush, link: ln.IssueLink | None = None, *,
                      status: str | None = None) -> None:
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            if link is not None and status is not None:
                await uow.linear_issue_links.agreed(link.id, status=status)
            await uow.linear_issue_pushes.finished(push.id, version=push.version)
            await uow.commit()

    async def _failed(self, push: ln.IssuePush, link: ln.IssueLink, error: str, *,
                      permanent: bool) -> None:
        """An outage, or a key Linear refuses now (the connection may be made again), is
        retried; what Linear refuses to do (an issue it no longer has) is given up at once."""
        now = datetime.now(UTC)
        at = now + ln.push_retry_delay(push.attempts, self._retry_base)
        give_up = permanent or at >= push.give_up_at
        (log.error if give_up else log.warning)(
            "linear.issue_push_failed", org_id=str(push.org_id), issue=link.identifier,
            attempts=push.attempts, error=error, given_up=give_up)
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            if give_up:
                await uow.linear_issue_pushes.finished(push.id, version=push.version,
                                                       status=FAILED, error=error[:2000])
            else:
                await uow.linear_issue_pushes.retry(push.id, error[:2000], at,
                                                    version=push.version)
            await uow.commit()
