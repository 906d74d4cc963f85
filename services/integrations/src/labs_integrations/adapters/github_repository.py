"""GitHub's repositories: the webhook inbox (system scope), issue links, outbound issue changes
and the reconciler's cursors (tenant rows, bound to the scope's org)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import from_row
from labs_integrations.adapters.github_tables import (
    github_cursors,
    github_deliveries,
    github_issue_links,
    github_issue_pushes,
)
from labs_integrations.adapters.inbox_repository import (
    DONE,
    FAILED,
    PENDING,
    SqlAlchemyInbox,
    SqlAlchemyIntents,
)
from labs_integrations.domain.github import IssueLink, IssuePush

# The intents' statuses, named here too for GitHub's service layer.
__all__ = ["DONE", "FAILED", "PENDING", "SqlAlchemyGitHubCursors", "SqlAlchemyGitHubDeliveries",
           "SqlAlchemyGitHubIssueLinks", "SqlAlchemyGitHubIssuePushes"]


class _Repository:
    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id


class SqlAlchemyGitHubDeliveries(SqlAlchemyInbox):
    """Read and written in a system scope: a delivery names a repository, not a tenant."""

    table = github_deliveries

    async def keep(self, delivery_id: str, event: str, action: str | None,
                   repository: str | None, payload: dict[str, Any], *,
                   applied: bool = False) -> bool:
        """Stores the delivery; False when it was received before (nothing changes)."""
        return await self._keep(delivery_id, payload, applied=applied, event=event,
                                action=action, repository=repository)


class SqlAlchemyGitHubIssueLinks(_Repository):
    async def by_issue(self, repository: str, number: int, *, lock: bool = False
                       ) -> IssueLink | None:
        query = select(github_issue_links).where(
            github_issue_links.c.org_id == self._org_id,
            github_issue_links.c.repository == repository.lower(),
            github_issue_links.c.issue_number == number)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return from_row(IssueLink, row) if row else None

    async def by_task(self, task_id: uuid.UUID, *, lock: bool = False) -> IssueLink | None:
        query = select(github_issue_links).where(github_issue_links.c.org_id == self._org_id,
                                                 github_issue_links.c.task_id == task_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return from_row(IssueLink, row) if row else None

    async def get(self, link_id: uuid.UUID, *, lock: bool = False) -> IssueLink | None:
        query = select(github_issue_links).where(github_issue_links.c.org_id == self._org_id,
                                                 github_issue_links.c.id == link_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return from_row(IssueLink, row) if row else None

    async def put(self, link: IssueLink) -> IssueLink:
        """Inserts the link, or replaces what the link of the same issue knows."""
        values = {"id": link.id, "org_id": self._org_id, "project_id": link.project_id,
                  "task_id": link.task_id, "repository": link.repository.lower(),
                  "issue_number": link.issue_number, "last_title": link.last_title,
                  "last_state": link.last_state, "last_body_hash": link.last_body_hash,
                  "applying": link.applying, "synced_at": func.now(),
                  "issue_updated_at": link.issue_updated_at}
        statement = insert(github_issue_links).values(**values)
        keep = {k: statement.excluded[k] for k in values
                if k not in ("id", "org_id", "repository", "issue_number")}
        # A link only ever learns of newer issues (greatest skips NULL).
        keep["issue_updated_at"] = func.greatest(github_issue_links.c.issue_updated_at,
                                                 statement.excluded.issue_updated_at)
        statement = statement.on_conflict_do_update(constraint="github_issue_links_issue",
                                                    set_=keep)
        row = (await self._session.execute(statement.returning(*github_issue_links.c))).one()
        return from_row(IssueLink, row)

    async def agreed(self, link_id: uuid.UUID, *, title: str | None = None,
                     state: str | None = None, body_hash: str | None = None,
                     issue_updated_at: datetime | None = None) -> None:
        values: dict[str, Any] = {"synced_at": func.now(), "applying": False}
        if issue_updated_at is not None:
            values["issue_updated_at"] = func.greatest(github_issue_links.c.issue_updated_at,
                                                       issue_updated_at)
        for column, value in (("last_title", title), ("last_state", state),
                              ("last_body_hash", body_hash)):
            if value is not None:
                values[column] = value
        await self._session.execute(update(github_issue_links).where(
            github_issue_links.c.org_id == self._org_id, github_issue_links.c.id == link_id)
            .values(**values))


class SqlAlchemyGitHubIssuePushes(SqlAlchemyIntents):
    table = github_issue_pushes
    model = IssuePush

    async def want(self, link_id: uuid.UUID, title: str | None, state: str | None,
                   give_up_at: datetime) -> None:
        """One pending intent per link: a newer change replaces what it asks, due now."""
        await self._want(link_id, give_up_at, title=title, state=state)


class SqlAlchemyGitHubCursors(_Repository):
    async def since(self, repository: str) -> datetime | None:
        return (await self._session.execute(select(github_cursors.c.since).where(
            github_cursors.c.org_id == self._org_id,
            github_cursors.c.repository == repository.lower()))).scalar_one_or_none()

    async def advance(self, repository: str, since: datetime) -> None:
        statement = insert(github_cursors).values(org_id=self._org_id,
                                                  repository=repository.lower(), since=since)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id", "repository"],
            set_={"since": func.greatest(github_cursors.c.since, statement.excluded.since)}))
