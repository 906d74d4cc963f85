"""Linear's repositories: the webhook inbox (system scope), issue links, outbound issue changes
and the reconciler's cursor (tenant rows, bound to the scope's org)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import columns_of, from_row
from labs_integrations.adapters.inbox_repository import SqlAlchemyInbox, SqlAlchemyIntents
from labs_integrations.adapters.linear_tables import (
    linear_cursors,
    linear_deliveries,
    linear_issue_links,
    linear_issue_pushes,
)
from labs_integrations.domain.linear import IssueLink, IssuePush


class SqlAlchemyLinearDeliveries(SqlAlchemyInbox):
    """Read and written in a system scope: a delivery names a Linear workspace, not a tenant."""

    table = linear_deliveries

    async def keep(self, delivery_id: str, kind: str, action: str | None,
                   organization_id: str | None, payload: dict[str, Any], *,
                   applied: bool = False) -> bool:
        """Stores the delivery; False when it was received before (nothing changes)."""
        return await self._keep(delivery_id, payload, applied=applied, type=kind, action=action,
                                organization_id=organization_id)


class SqlAlchemyLinearIssueLinks:
    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id

    async def _one(self, *where, lock: bool = False) -> IssueLink | None:
        query = select(linear_issue_links).where(linear_issue_links.c.org_id == self._org_id,
                                                 *where)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return from_row(IssueLink, row) if row else None

    async def by_issue(self, issue_id: str, *, lock: bool = False) -> IssueLink | None:
        return await self._one(linear_issue_links.c.issue_id == issue_id, lock=lock)

    async def by_task(self, task_id: uuid.UUID, *, lock: bool = False) -> IssueLink | None:
        return await self._one(linear_issue_links.c.task_id == task_id, lock=lock)

    async def get(self, link_id: uuid.UUID, *, lock: bool = False) -> IssueLink | None:
        return await self._one(linear_issue_links.c.id == link_id, lock=lock)

    async def put(self, link: IssueLink) -> IssueLink:
        """Inserts the link, or replaces what the link of the same issue knows (a link only
        ever learns of newer issues: greatest skips NULL)."""
        values = columns_of(link, linear_issue_links, skip=("synced_at",))
        values.update(org_id=self._org_id, synced_at=func.now())
        statement = insert(linear_issue_links).values(**values)
        keep = {k: statement.excluded[k] for k in values
                if k not in ("id", "org_id", "issue_id")}
        keep["issue_updated_at"] = func.greatest(linear_issue_links.c.issue_updated_at,
                                                 statement.excluded.issue_updated_at)
        statement = statement.on_conflict_do_update(constraint="linear_issue_links_issue",
                                                    set_=keep)
        row = (await self._session.execute(statement.returning(*linear_issue_links.c))).one()
        return from_row(IssueLink, row)

    async def claim(self, link: IssueLink) -> IssueLink:
        """Inserts the link unless the issue is linked already: the link that holds (one made
        meanwhile, by another replica's apply, wins)."""
        values = columns_of(link, linear_issue_links, skip=("synced_at",))
        values.update(org_id=self._org_id)
        inserted = (await self._session.execute(
            insert(linear_issue_links).values(**values)
            .on_conflict_do_nothing(constraint="linear_issue_links_issue")
            .returning(*linear_issue_links.c))).first()
        if inserted is not None:
            return from_row(IssueLink, inserted)
        held = await self.by_issue(link.issue_id)
        assert held is not None
        return held

    async def agreed(self, link_id: uuid.UUID, *, title: str | None = None,
                     status: str | None = None, state_id: str | None = None,
                     issue_updated_at: datetime | None = None) -> None:
        """The apply (or the push) finished: `applying` off, and what Linear now says."""
        values: dict[str, Any] = {"synced_at": func.now(), "applying": False}
        if issue_updated_at is not None:
            values["issue_updated_at"] = func.greatest(linear_issue_links.c.issue_updated_at,
                                                       issue_updated_at)
        for column, value in (("last_title", title), ("last_status", status),
                              ("last_state_id", state_id)):
            if value is not None:
                values[column] = value
        await self._session.execute(linear_issue_links.update().where(
            linear_issue_links.c.org_id == self._org_id, linear_issue_links.c.id == link_id)
            .values(**values))


class SqlAlchemyLinearIssuePushes(SqlAlchemyIntents):
    table = linear_issue_pushes
    model = IssuePush

    async def want(self, link_id: uuid.UUID, title: str | None, task_status: str | None,
                   give_up_at: datetime) -> None:
        await self._want(link_id, give_up_at, title=title, task_status=task_status)


class SqlAlchemyLinearCursors:
    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id

    async def since(self, scope: str) -> datetime | None:
        return (await self._session.execute(select(linear_cursors.c.since).where(
            linear_cursors.c.org_id == self._org_id,
            linear_cursors.c.scope == scope))).scalar_one_or_none()

    async def advance(self, scope: str, since: datetime) -> None:
        statement = insert(linear_cursors).values(org_id=self._org_id, scope=scope, since=since)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id", "scope"],
            set_={"since": func.greatest(linear_cursors.c.since, statement.excluded.since)}))
