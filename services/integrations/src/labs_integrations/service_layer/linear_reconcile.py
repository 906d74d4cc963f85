"""The Linear syncer of the sync worker (every LABS_LINEAR_RECONCILE_SECONDS and on
`POST /integrations/{id}/sync`): what a missed webhook lost. Linear retries a failed delivery
only a few times, and a delivery refused as stale (more than a minute old) is never applied, so
the issues of the mapped teams and projects updated since the cursor of that mapping (less an
overlap; a new mapping is read from the start) are read, a page at a time, and applied like
`update` webhooks; the echo guard makes what is already in line cost nothing. The cursor
advances to the newest `updatedAt` read once every page was read (Linear's order of the pages
is not the cursor's): a sync cut short reads them again.

Finished history is not brought in: a completed or canceled issue Labs never linked, last
changed before the cursor (on a first read, any), stays out. Issues deleted in Linear are not
in the `issues` query: only their webhook marks their tasks."""

from __future__ import annotations

import structlog

from labs_common.db.uow import Scope
from labs_integrations.adapters.linear_api import LinearApi
from labs_integrations.domain import linear as ln
from labs_integrations.domain.connections import Credentials
from labs_integrations.service_layer.inbox_worker import transient
from labs_integrations.service_layer.linear_issues import Acting, LinearIssues
from labs_integrations.service_layer.syncs import SyncOutcome
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)
FINISHED = frozenset({ln.COMPLETED, ln.CANCELED})


class LinearReconciler:
    def __init__(self, uow: UowFactory, api: LinearApi, issues: LinearIssues) -> None:
        self._uow = uow
        self._api = api
        self._issues = issues

    async def __call__(self, found: Credentials) -> SyncOutcome:
        acting = Acting.of(found)
        outcome = SyncOutcome()
        teams, projects = ln.watched(acting.settings)
        if not teams and not projects:
            return outcome
        scope = ln.watch_scope(acting.settings)
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            since = await uow.linear_cursors.since(scope)
        newest, complete = since, True
        pages = self._api.issues(acting.secret, since - ln.RECONCILE_OVERLAP if since else None,
                                 teams, projects)
        try:
            async for page in pages:
                for raw in page:
                    issue = ln.IssueFacts.of(raw)
                    try:
                        if await self._history(acting, issue, since):
                            pass
                        elif await self._issues.apply(acting, issue):
                            outcome.records += 1
                    except Exception as error:  # one issue never stops the others
                        outcome.errors.append(f"{issue.reference}: {error}")
                        if transient(error):
                            complete = False  # the cursor stays: the next sync reads it again
                            break
                    if issue.updated_at is not None and (newest is None
                                                         or issue.updated_at > newest):
                        newest = issue.updated_at
                if not complete:
                    break
        finally:
            await pages.aclose()
        if complete and newest is not None and newest != since:
            async with self._uow(Scope(org_id=acting.org_id)) as uow:
                await uow.linear_cursors.advance(scope, newest)
                await uow.commit()
        log.info("linear.reconciled", org_id=str(acting.org_id), records=outcome.records,
                 errors=len(outcome.errors))
        return outcome

    async def _history(self, acting: Acting, issue: ln.IssueFacts, since) -> bool:
        """A finished issue Labs never linked, finished before the cursor (on the first read,
        before any): history, not work to bring in. One finished after it (made and done while
        a webhook was missed) is brought in."""
        if issue.state is None or issue.state.type not in FINISHED:
            return False
        if since is not None and (issue.updated_at is None or issue.updated_at > since):
            return False
        return await self._issues.link_of(acting.org_id, issue.id) is None
