"""GitHub's repositories: the webhook inbox (system scope), issue links, outbound issue changes
and the reconciler's cursors (tenant rows, bound to the scope's org)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import from_row
from labs_integrations.adapters.github_tables import (
    github_cursors,
    github_deliveries,
    github_issue_links,
    github_issue_pushes,
)
from labs_integrations.domain.github import IssueLink, IssuePush

PENDING, DONE, FAILED = "pending", "done", "failed"


class _Repository:
    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id


class SqlAlchemyGitHubDeliveries(_Repository):
    """Read and written in a system scope: a delivery names a repository, not a tenant."""

    async def keep(self, delivery_id: str, event: str, action: str | None,
                   repository: str | None, payload: dict[str, Any], *,
                   applied: bool = False) -> bool:
        """Stores the delivery; False when it was received before (nothing changes)."""
        statement = insert(github_deliveries).values(
            delivery_id=delivery_id, event=event, action=action, repository=repository,
            payload=payload, applied_at=func.now() if applied else None,
        ).on_conflict_do_nothing(index_elements=["delivery_id"])
        result = await self._session.execute(statement.returning(github_deliveries.c.delivery_id))
        return result.first() is not None

    async def claim_due(self, limit: int, lease: timedelta) -> list[dict[str, Any]]:
        """Due deliveries, oldest first, leased to this replica (a replica that dies mid-apply
        leaves them to the next after the lease)."""
        due = (select(github_deliveries.c.delivery_id)
               .where(github_deliveries.c.applied_at.is_(None),
                      github_deliveries.c.next_attempt_at <= func.now())
               .order_by(github_deliveries.c.received_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(github_deliveries).where(github_deliveries.c.delivery_id.in_(due))
            .values(attempts=github_deliveries.c.attempts + 1,
                    next_attempt_at=func.now() + lease)
            .returning(*github_deliveries.c))).all()
        return sorted((dict(row._mapping) for row in rows), key=lambda d: d["received_at"])

    async def applied(self, delivery_id: str, error: str | None = None) -> None:
        await self._session.execute(
            update(github_deliveries).where(github_deliveries.c.delivery_id == delivery_id)
            .values(applied_at=func.now(), last_error=error))

    async def applied_for(self, delivery_id: str, org_id: uuid.UUID) -> None:
        await self._session.execute(
            update(github_deliveries).where(github_deliveries.c.delivery_id == delivery_id)
            .values(applied_orgs=func.array_append(github_deliveries.c.applied_orgs, org_id)))

    async def retry(self, delivery_id: str, error: str, at: datetime) -> None:
        await self._session.execute(
            update(github_deliveries).where(github_deliveries.c.delivery_id == delivery_id)
            .values(next_attempt_at=at, last_error=error))

    async def prune_applied(self, older_than: timedelta, limit: int) -> int:
        """Deletes at most `limit` deliveries applied more than `older_than` ago (their payloads
        are not needed once applied: a repeat of the id after that is applied again, as GitHub
        redelivers only on request); answers how many went."""
        old = (select(github_deliveries.c.delivery_id)
               .where(github_deliveries.c.applied_at < func.now() - older_than)
               .limit(limit).with_for_update(skip_locked=True)).scalar_subquery()
        result = await self._session.execute(
            delete(github_deliveries).where(github_deliveries.c.delivery_id.in_(old)))
        return result.rowcount or 0

    async def get(self, delivery_id: str) -> dict[str, Any] | None:
        row = (await self._session.execute(select(github_deliveries).where(
            github_deliveries.c.delivery_id == delivery_id))).first()
        return dict(row._mapping) if row else None


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


class SqlAlchemyGitHubIssuePushes(_Repository):
    async def want(self, link_id: uuid.UUID, title: str | None, state: str | None,
                   give_up_at: datetime) -> None:
        """One pending intent per link: a newer change replaces what it asks, due now."""
        statement = insert(github_issue_pushes).values(
            id=uuid.uuid4(), org_id=self._org_id, link_id=link_id, title=title, state=state,
            status=PENDING, give_up_at=give_up_at)
        statement = statement.on_conflict_do_update(
            index_elements=["link_id"], index_where=github_issue_pushes.c.status == PENDING,
            set_={"title": statement.excluded.title, "state": statement.excluded.state,
                  "next_attempt_at": func.now(), "give_up_at": statement.excluded.give_up_at,
                  "version": github_issue_pushes.c.version + 1})
        await self._session.execute(statement)

    async def claim_due(self, limit: int, lease: timedelta) -> list[IssuePush]:
        """Due intents of every org (a system scope), leased to this replica."""
        due = (select(github_issue_pushes.c.id)
               .where(github_issue_pushes.c.status == PENDING,
                      github_issue_pushes.c.next_attempt_at <= func.now())
               .order_by(github_issue_pushes.c.next_attempt_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(github_issue_pushes).where(github_issue_pushes.c.id.in_(due))
            .values(attempts=github_issue_pushes.c.attempts + 1,
                    next_attempt_at=func.now() + lease)
            .returning(*github_issue_pushes.c))).all()
        return [from_row(IssuePush, row) for row in rows]

    async def finished(self, push_id: uuid.UUID, *, version: int | None = None,
                       status: str = DONE, error: str | None = None) -> bool:
        """Finishes the intent if it is still `version` (None: whatever it is); False when a
        newer change replaced what it asks meanwhile: it stays pending, due now."""
        current = [github_issue_pushes.c.id == push_id, github_issue_pushes.c.status == PENDING]
        if version is not None:
            current.append(github_issue_pushes.c.version == version)
        result = await self._session.execute(update(github_issue_pushes).where(*current)
                                             .values(status=status, last_error=error,
                                                     finished_at=func.now()))
        if result.rowcount:
            return True
        await self._session.execute(update(github_issue_pushes).where(
            github_issue_pushes.c.id == push_id, github_issue_pushes.c.status == PENDING)
            .values(next_attempt_at=func.now()))
        return False

    async def retry(self, push_id: uuid.UUID, error: str, at: datetime, *,
                    version: int | None = None) -> None:
        """Due again at `at`, unless a newer change (another version) made it due now."""
        current = [github_issue_pushes.c.id == push_id, github_issue_pushes.c.status == PENDING]
        if version is not None:
            current.append(github_issue_pushes.c.version == version)
        await self._session.execute(update(github_issue_pushes).where(*current)
                                    .values(last_error=error, next_attempt_at=at))

    async def of_link(self, link_id: uuid.UUID) -> list[IssuePush]:
        rows = (await self._session.execute(select(github_issue_pushes).where(
            github_issue_pushes.c.org_id == self._org_id,
            github_issue_pushes.c.link_id == link_id)
            .order_by(github_issue_pushes.c.created_at))).all()
        return [from_row(IssuePush, row) for row in rows]


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
