"""What the platforms' webhook inboxes and outbound intents share (GitHub's and Linear's tables
have the same shape), so the leasing and retry mechanics are written once.

An inbox (`SqlAlchemyInbox`, system scope: a delivery names a platform account, not a tenant)
keeps each delivery by its id, is claimed a batch at a time with a lease (`FOR UPDATE SKIP
LOCKED`: a replica that dies mid-apply leaves its claim to the next after the lease), and marks
each delivery applied, applied for one org, or due again later.

Outbound intents (`SqlAlchemyIntents`, tenant rows) hold one pending change per link: a newer
change replaces what it asks (raising its version), and a send that claimed an older version
finishes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import from_row

PENDING, DONE, FAILED = "pending", "done", "failed"


class _Repository:
    table: ClassVar[Table]

    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id


class SqlAlchemyInbox(_Repository):
    """Deliveries by `delivery_id`, due while `applied_at` is NULL and `next_attempt_at` passed."""

    async def _keep(self, delivery_id: str, payload: dict[str, Any], *, applied: bool,
                    **columns: Any) -> bool:
        """Stores the delivery; False when it was received before (nothing changes)."""
        table = self.table
        statement = insert(table).values(
            delivery_id=delivery_id, payload=payload,
            applied_at=func.now() if applied else None, **columns,
        ).on_conflict_do_nothing(index_elements=["delivery_id"])
        result = await self._session.execute(statement.returning(table.c.delivery_id))
        return result.first() is not None

    async def claim_due(self, limit: int, lease: timedelta) -> list[dict[str, Any]]:
        """Due deliveries, oldest first, leased to this replica."""
        table = self.table
        due = (select(table.c.delivery_id)
               .where(table.c.applied_at.is_(None), table.c.next_attempt_at <= func.now())
               .order_by(table.c.received_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(table).where(table.c.delivery_id.in_(due))
            .values(attempts=table.c.attempts + 1, next_attempt_at=func.now() + lease)
            .returning(*table.c))).all()
        return sorted((dict(row._mapping) for row in rows), key=lambda d: d["received_at"])

    async def applied(self, delivery_id: str, error: str | None = None) -> None:
        await self._session.execute(
            update(self.table).where(self.table.c.delivery_id == delivery_id)
            .values(applied_at=func.now(), last_error=error))

    async def applied_for(self, delivery_id: str, org_id: uuid.UUID) -> None:
        await self._session.execute(
            update(self.table).where(self.table.c.delivery_id == delivery_id)
            .values(applied_orgs=func.array_append(self.table.c.applied_orgs, org_id)))

    async def retry(self, delivery_id: str, error: str, at: datetime) -> None:
        await self._session.execute(
            update(self.table).where(self.table.c.delivery_id == delivery_id)
            .values(next_attempt_at=at, last_error=error))

    async def prune_applied(self, older_than: timedelta, limit: int) -> int:
        """Deletes at most `limit` deliveries applied more than `older_than` ago (a repeat of
        the id after that is applied again: the link's echo guard still holds); answers how
        many went."""
        table = self.table
        old = (select(table.c.delivery_id)
               .where(table.c.applied_at < func.now() - older_than)
               .limit(limit).with_for_update(skip_locked=True)).scalar_subquery()
        result = await self._session.execute(delete(table).where(table.c.delivery_id.in_(old)))
        return result.rowcount or 0

    async def get(self, delivery_id: str) -> dict[str, Any] | None:
        row = (await self._session.execute(select(self.table).where(
            self.table.c.delivery_id == delivery_id))).first()
        return dict(row._mapping) if row else None


class SqlAlchemyIntents(_Repository):
    """Pending changes for the platform, one per `link_id`; `model` is the domain dataclass."""

    model: ClassVar[type]

    async def _want(self, link_id: uuid.UUID, give_up_at: datetime, **wanted: Any) -> None:
        """One pending intent per link: a newer change replaces what it asks, due now."""
        table = self.table
        statement = insert(table).values(id=uuid.uuid4(), org_id=self._org_id, link_id=link_id,
                                         status=PENDING, give_up_at=give_up_at, **wanted)
        statement = statement.on_conflict_do_update(
            index_elements=["link_id"], index_where=table.c.status == PENDING,
            set_={**{name: statement.excluded[name] for name in wanted},
                  "next_attempt_at": func.now(), "give_up_at": statement.excluded.give_up_at,
                  "version": table.c.version + 1})
        await self._session.execute(statement)

    async def claim_due(self, limit: int, lease: timedelta) -> list[Any]:
        """Due intents of every org (a system scope), leased to this replica."""
        table = self.table
        due = (select(table.c.id)
               .where(table.c.status == PENDING, table.c.next_attempt_at <= func.now())
               .order_by(table.c.next_attempt_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(table).where(table.c.id.in_(due))
            .values(attempts=table.c.attempts + 1, next_attempt_at=func.now() + lease)
            .returning(*table.c))).all()
        return [from_row(self.model, row) for row in rows]

    async def finished(self, push_id: uuid.UUID, *, version: int | None = None,
                       status: str = DONE, error: str | None = None) -> bool:
        """Finishes the intent if it is still `version` (None: whatever it is); False when a
        newer change replaced what it asks meanwhile: it stays pending, due now."""
        table = self.table
        current = [table.c.id == push_id, table.c.status == PENDING]
        if version is not None:
            current.append(table.c.version == version)
        result = await self._session.execute(update(table).where(*current).values(
            status=status, last_error=error, finished_at=func.now()))
        if result.rowcount:
            return True
        await self._session.execute(update(table).where(
            table.c.id == push_id, table.c.status == PENDING).values(next_attempt_at=func.now()))
        return False

    async def retry(self, push_id: uuid.UUID, error: str, at: datetime, *,
                    version: int | None = None) -> None:
        """Due again at `at`, unless a newer change (another version) made it due now."""
        table = self.table
        current = [table.c.id == push_id, table.c.status == PENDING]
        if version is not None:
            current.append(table.c.version == version)
        await self._session.execute(update(table).where(*current)
                                    .values(last_error=error, next_attempt_at=at))

    async def of_link(self, link_id: uuid.UUID) -> list[Any]:
        rows = (await self._session.execute(select(self.table).where(
            self.table.c.org_id == self._org_id, self.table.c.link_id == link_id)
            .order_by(self.table.c.created_at))).all()
        return [from_row(self.model, row) for row in rows]
