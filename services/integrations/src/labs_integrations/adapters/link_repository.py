"""Links and Figma's webhooks: tenant rows bound to the scope's org, and the few statements the
workers and the webhook intake run in a system scope before they know the org (claims of due
work, a passcode's connection)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository, from_row
from labs_integrations.adapters.link_tables import figma_deliveries, figma_hooks, links
from labs_integrations.adapters.orm import connections
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.links import Link, TargetFacts

FACTS = ("title", "thumbnail_url", "changed_at")


def _link(row) -> Link:
    return from_row(Link, row, platform=Platform(row.platform))


@dataclass(frozen=True)
class DueTarget:
    """A target whose links are due to be read again (the refresher's claim)."""

    org_id: uuid.UUID
    platform: Platform
    key: str
    attempts: int


class SqlAlchemyLinks(OrgScopedRepository):
    table = links

    def _of_place(self, project_id: uuid.UUID, task_id: uuid.UUID | None):
        if task_id is not None:
            return links.c.task_id == task_id
        return and_(links.c.project_id == project_id, links.c.task_id.is_(None))

    async def add(self, link: Link) -> tuple[Link, bool]:
        """Stores the link, with what another link of the same target already knows of it;
        when its task (or project) links that target already, that link, and False."""
        known = (await self._session.execute(self._select(
            links.c.platform == link.platform.value, links.c.target_key == link.target_key,
            links.c.fetched_at.is_not(None)).order_by(links.c.fetched_at.desc()).limit(1)
        )).first()
        facts = {name: getattr(known, name) for name in FACTS} if known else {}
        statement = insert(links).values(
            id=link.id, org_id=self._org_id, project_id=link.project_id, task_id=link.task_id,
            platform=link.platform.value, target_key=link.target_key, url=link.url,
            created_by=link.created_by, created_at=func.now(), due_at=func.now(), **facts)
        row = (await self._session.execute(
            statement.on_conflict_do_nothing().returning(*links.c))).first()
        if row is not None:
            return _link(row), True
        existing = (await self._session.execute(self._select(
            self._of_place(link.project_id, link.task_id),
            links.c.platform == link.platform.value,
            links.c.target_key == link.target_key))).one()
        return _link(existing), False

    async def get(self, link_id: uuid.UUID) -> Link | None:
        row = await self._row(link_id)
        return _link(row) if row else None

    async def of(self, project_id: uuid.UUID, task_id: uuid.UUID | None,
                 after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[Link]:
        rows = await self._page(self._select(self._of_place(project_id, task_id)),
                                (links.c.created_at, links.c.id), after, limit)
        return [_link(row) for row in rows]

    async def delete(self, link_id: uuid.UUID) -> Link | None:
        row = (await self._session.execute(
            delete(links).where(self._by_id(link_id)).returning(*links.c))).first()
        return _link(row) if row else None

    async def delete_of_task(self, task_id: uuid.UUID) -> int:
        result = await self._session.execute(
            delete(links).where(links.c.org_id == self._org_id, links.c.task_id == task_id))
        return result.rowcount or 0

    async def of_target(self, platform: Platform, key: str) -> list[Link]:
        rows = (await self._session.execute(self._select(
            links.c.platform == platform.value, links.c.target_key == key)
            .order_by(links.c.created_at, links.c.id))).all()
        return [_link(row) for row in rows]

    def _target(self, platform: Platform, key: str):
        return and_(links.c.org_id == self._org_id, links.c.platform == platform.value,
                    links.c.target_key == key)

    async def heard(self, platform: Platform, key: str, facts: TargetFacts,
                    next_read: datetime) -> None:
        """What the platform said of the target, on every link to it; a last change never
        goes back (a webhook may have told a newer one)."""
        await self._session.execute(update(links).where(self._target(platform, key)).values(
            title=facts.title, thumbnail_url=facts.thumbnail_url,
            changed_at=func.greatest(links.c.changed_at, facts.changed_at),
            fetched_at=func.now(), due_at=next_read, attempts=0, last_error=None))

    async def postpone(self, platform: Platform, key: str, next_read: datetime, *,
                       error: str | None, failed: bool) -> None:
        """Read again at `next_read`; `failed` counts an outage towards the backoff."""
        values: dict[str, Any] = {"due_at": next_read, "last_error": error}
        if failed:
            values["attempts"] = links.c.attempts + 1
        await self._session.execute(update(links).where(self._target(platform, key))
                                    .values(**values))

    async def file_changed(self, key: str, name: str, at: datetime | None) -> list[Link]:
        """A Figma webhook said the file changed: its name and time now, and a full read (its
        thumbnail) at once. Answers the links."""
        values: dict[str, Any] = {"due_at": func.now(), "attempts": 0}
        if name:
            values["title"] = name
        if at is not None:
            values["changed_at"] = func.greatest(links.c.changed_at, at)
        rows = (await self._session.execute(
            update(links).where(self._target(Platform.FIGMA, key)).values(**values)
            .returning(*links.c))).all()
        return sorted((_link(row) for row in rows), key=lambda link: str(link.id))

    # --- system scope (the refresher) ---------------------------------------------------------

    async def claim_due(self, limit: int, lease: timedelta,
                        platforms: frozenset[Platform]) -> list[DueTarget]:
        """Up to `limit` due links of the platforms Labs can read, of any org, leased to this
        replica; answered as their distinct targets."""
        due = (select(links.c.id)
               .where(links.c.due_at <= func.now(),
                      links.c.platform.in_(sorted(p.value for p in platforms)))
               .order_by(links.c.due_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(links).where(links.c.id.in_(due)).values(due_at=func.now() + lease)
            .returning(links.c.org_id, links.c.platform, links.c.target_key,
                       links.c.attempts))).all()
        targets: dict[tuple[uuid.UUID, str, str], int] = {}
        for row in rows:
            key = (row.org_id, row.platform, row.target_key)
            targets[key] = max(targets.get(key, 0), row.attempts)
        return [DueTarget(org, Platform(platform), key, attempts)
                for (org, platform, key), attempts in sorted(
                    targets.items(), key=lambda item: (str(item[0][0]), item[0][1], item[0][2]))]


@dataclass(frozen=True)
class FigmaHook:
    id: uuid.UUID
    org_id: uuid.UUID
    connection_id: uuid.UUID
    passcode: bytes
    team_id: str | None
    webhook_ids: list[str]
    attempts: int = 0
    # The connection's connected_at, for a registration (what it is put in place for).
    connected_at: datetime | None = None
    # The row's updated_at as the claim read it: a team changed since stamps it anew.
    updated_at: datetime | None = None


class SqlAlchemyFigmaHooks(OrgScopedRepository):
    table = figma_hooks

    async def add(self, hook: FigmaHook, passcode_hash: bytes) -> bool:
        """Stores a new connection's passcode; False when it has one already."""
        inserted = (await self._session.execute(insert(figma_hooks).values(
            id=hook.id, org_id=hook.org_id, connection_id=hook.connection_id,
            passcode_hash=passcode_hash, passcode=hook.passcode, updated_at=func.now(),
        ).on_conflict_do_nothing(index_elements=["connection_id"])
            .returning(figma_hooks.c.id))).first()
        return inserted is not None

    async def registered(self, hook: FigmaHook, team_id: str | None, webhook_ids: list[str],
                         error: str | None = None) -> None:
        """What is in place at Figma now (the next round takes it down if the team changed).
        Due again as soon as the connection is made again (the claim's lease is over), or at
        once if its team changed while this registration ran (`team_changed` since the claim):
        the change is not lost to the registration of the team before it."""
        done = case((figma_hooks.c.updated_at == hook.updated_at, hook.connected_at),
                    else_=figma_hooks.c.registered_for)
        await self._update(hook.id, registered_for=done, team_id=team_id,
                           webhook_ids=webhook_ids, attempts=0, last_error=error,
                           next_attempt_at=func.now())

    async def team_changed(self, connection_id: uuid.UUID) -> None:
        """The connection's team was named, changed or cleared: its webhooks are due to be put
        in place again (and the old team's taken down). next_attempt_at is left as it is: a
        registration under way keeps its lease (a second keeper racing it could record the old
        team over the new one) and leaves the hook due when it is done (`registered`)."""
        await self._session.execute(
            update(figma_hooks)
            .where(figma_hooks.c.org_id == self._org_id,
                   figma_hooks.c.connection_id == connection_id)
            .values(registered_for=None, updated_at=func.clock_timestamp()))

    async def failed(self, hook_id: uuid.UUID, error: str, retry_at: datetime) -> None:
        await self._update(hook_id, last_error=error, next_attempt_at=retry_at,
                           attempts=figma_hooks.c.attempts + 1)

    # --- system scope (the intake and the keeper) ---------------------------------------------

    async def connection_of(self, passcode_hash: bytes) -> tuple[uuid.UUID, uuid.UUID] | None:
        """The org and connection a passcode was given to, while that connection lives."""
        row = (await self._session.execute(
            select(figma_hooks.c.org_id, figma_hooks.c.connection_id)
            .join(connections, connections.c.id == figma_hooks.c.connection_id)
            .where(figma_hooks.c.passcode_hash == passcode_hash,
                   connections.c.deleted_at.is_(None)))).first()
        return (row.org_id, row.connection_id) if row else None

    async def without_passcode(self, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Live Figma connections (org, id) that have no passcode yet."""
        rows = (await self._session.execute(
            select(connections.c.org_id, connections.c.id)
            .where(connections.c.platform == Platform.FIGMA.value,
                   connections.c.deleted_at.is_(None),
                   ~exists().where(figma_hooks.c.connection_id == connections.c.id))
            .limit(limit))).all()
        return [(row.org_id, row.id) for row in rows]

    async def claim_registrations(self, limit: int, lease: timedelta) -> list[FigmaHook]:
        """Hooks of live connections connected (again), or whose team changed, since their
        webhooks were put in place, leased to this replica."""
        due = (select(figma_hooks.c.id)
               .join(connections, connections.c.id == figma_hooks.c.connection_id)
               .where(connections.c.deleted_at.is_(None),
                      figma_hooks.c.next_attempt_at <= func.now(),
                      or_(figma_hooks.c.registered_for.is_(None),
                          figma_hooks.c.registered_for != connections.c.connected_at))
               .limit(limit).with_for_update(of=figma_hooks, skip_locked=True)
               ).scalar_subquery()
        rows = (await self._session.execute(
            update(figma_hooks).where(figma_hooks.c.id.in_(due))
            .values(next_attempt_at=func.now() + lease)
            .returning(*figma_hooks.c))).all()
        if not rows:
            return []
        connected = dict((await self._session.execute(
            select(connections.c.id, connections.c.connected_at)
            .where(connections.c.id.in_([row.connection_id for row in rows])))).all())
        return [FigmaHook(id=row.id, org_id=row.org_id, connection_id=row.connection_id,
                          passcode=bytes(row.passcode), team_id=row.team_id,
                          webhook_ids=list(row.webhook_ids or []), attempts=row.attempts,
                          connected_at=connected.get(row.connection_id),
                          updated_at=row.updated_at) for row in rows]


class SqlAlchemyFigmaDeliveries(OrgScopedRepository):
    table = figma_deliveries

    async def keep(self, delivery_key: str, event_type: str, file_key: str,
                   payload: dict[str, Any]) -> bool:
        """Stores the delivery for the scope's org; False when it came before."""
        inserted = (await self._session.execute(insert(figma_deliveries).values(
            id=uuid.uuid4(), org_id=self._org_id, delivery_key=delivery_key,
            event_type=event_type, file_key=file_key, payload=payload, received_at=func.now(),
            next_attempt_at=func.now(),
        ).on_conflict_do_nothing(constraint="figma_deliveries_once")
            .returning(figma_deliveries.c.id))).first()
        return inserted is not None

    async def applied(self, delivery_id: uuid.UUID, error: str | None = None) -> None:
        await self._session.execute(update(figma_deliveries).where(self._by_id(delivery_id))
                                    .values(applied_at=func.now(), last_error=error))

    async def retry(self, delivery_id: uuid.UUID, error: str, at: datetime) -> None:
        await self._session.execute(update(figma_deliveries).where(self._by_id(delivery_id))
                                    .values(next_attempt_at=at, last_error=error))

    # --- system scope (the apply worker) ------------------------------------------------------

    async def claim_due(self, limit: int, lease: timedelta) -> list[dict[str, Any]]:
        due = (select(figma_deliveries.c.id)
               .where(figma_deliveries.c.applied_at.is_(None),
                      figma_deliveries.c.next_attempt_at <= func.now())
               .order_by(figma_deliveries.c.received_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(figma_deliveries).where(figma_deliveries.c.id.in_(due))
            .values(attempts=figma_deliveries.c.attempts + 1,
                    next_attempt_at=func.now() + lease)
            .returning(*figma_deliveries.c))).all()
        return sorted((dict(row._mapping) for row in rows), key=lambda d: d["received_at"])

    async def prune_applied(self, older_than: timedelta, limit: int) -> int:
        old = (select(figma_deliveries.c.id)
               .where(figma_deliveries.c.applied_at < func.now() - older_than)
               .limit(limit).with_for_update(skip_locked=True)).scalar_subquery()
        result = await self._session.execute(
            delete(figma_deliveries).where(figma_deliveries.c.id.in_(old)))
        return result.rowcount or 0
