"""Connections (credentials stay sealed bytes here: the service layer opens them with the vault),
single-use OAuth states, and sync logs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update

from labs_common.db.repository import OrgScopedRepository, from_row
from labs_integrations.adapters.orm import connections, oauth_states, sync_logs
from labs_integrations.domain.connections import (
    Connection,
    ConnectionStatus,
    Platform,
    SyncLog,
    SyncStatus,
)
from labs_integrations.domain.imports import IMPORT_TRIGGER

LIVE = connections.c.deleted_at.is_(None)


def _connection(row) -> Connection:
    return from_row(Connection, row, platform=Platform(row.platform),
                    status=ConnectionStatus(row.status),
                    last_sync_status=SyncStatus(row.last_sync_status)
                    if row.last_sync_status else None)


def _sync_log(row) -> SyncLog:
    return from_row(SyncLog, row, status=SyncStatus(row.status), errors=list(row.errors or []))


class SqlAlchemyConnectionRepository(OrgScopedRepository):
    table = connections

    async def list(self) -> list[Connection]:
        rows = (await self._session.execute(
            self._select(LIVE).order_by(connections.c.platform))).all()
        return [_connection(r) for r in rows]

    async def get(self, connection_id: uuid.UUID, *, lock: bool = False) -> Connection | None:
        query = self._select(LIVE, connections.c.id == connection_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _connection(row) if row else None

    async def of_platform(self, platform: Platform, *, lock: bool = False
                          ) -> tuple[Connection, bytes] | None:
        """The org's live connection to `platform` with its sealed credentials."""
        query = self._select(LIVE, connections.c.platform == platform.value)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return (_connection(row), bytes(row.credentials)) if row and row.credentials else None

    async def sealed(self, connection_id: uuid.UUID) -> bytes | None:
        row = (await self._session.execute(
            select(connections.c.credentials).where(
                connections.c.org_id == self._org_id, connections.c.id == connection_id,
                LIVE))).first()
        return bytes(row.credentials) if row and row.credentials else None

    async def by_account(self, platform: Platform, external_id: str) -> list[Connection]:
        """Live connections of any org (a system scope) to one platform account: a Slack
        workspace's team id."""
        rows = (await self._session.execute(select(connections).where(
            LIVE, connections.c.platform == platform.value,
            connections.c.external_account_id == external_id))).all()
        return [_connection(r) for r in rows]

    async def add(self, connection: Connection, sealed: bytes, key_id: str) -> None:
        values = {k: v for k, v in vars(connection).items()}
        values.update(platform=connection.platform.value, status=connection.status.value,
                      last_sync_status=None, credentials=sealed, credentials_key_id=key_id)
        await self._insert(**values)

    async def replace_credentials(self, connection: Connection, sealed: bytes, key_id: str
                                  ) -> None:
        await self._update(connection.id, credentials=sealed, credentials_key_id=key_id,
                           account_name=connection.account_name,
                           external_account_id=connection.external_account_id,
                           status=connection.status.value, connected_by=connection.connected_by,
                           connected_at=connection.connected_at)

    async def save_settings(self, connection_id: uuid.UUID, settings: dict[str, Any]) -> None:
        await self._update(connection_id, settings=settings)

    async def set_status(self, connection_id: uuid.UUID, status: ConnectionStatus,
                         error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status.value}
        if error is not None:
            values["last_sync_error"] = error
        await self._update(connection_id, **values)

    async def delete(self, connection_id: uuid.UUID, revoke: bool) -> None:
        """The credentials are destroyed; the row stays, deleted, for its sync logs. With
        `revoke`, they wait (sealed) for the platform to revoke them, after the answer."""
        await self._update(connection_id, credentials=None, credentials_key_id=None,
                           revoke_credentials=connections.c.credentials if revoke else None,
                           status=ConnectionStatus.REVOKED.value, deleted_at=func.now())

    async def to_revoke(self, limit: int) -> list[tuple[Connection, bytes]]:
        """Deleted connections of any org (system scope) whose credentials wait to be revoked."""
        rows = (await self._session.execute(select(connections).where(
            connections.c.revoke_credentials.is_not(None)).limit(limit)
            .with_for_update(skip_locked=True))).all()
        return [(_connection(r), bytes(r.revoke_credentials)) for r in rows]

    async def revoked(self, connection_id: uuid.UUID) -> None:
        await self._session.execute(update(connections).where(connections.c.id == connection_id)
                                    .values(revoke_credentials=None))

    async def synced(self, connection_id: uuid.UUID, log: SyncLog,
                     next_sync_at: datetime | None) -> None:
        await self._update(connection_id, last_sync_at=log.finished_at,
                           last_sync_status=log.status.value,
                           last_sync_error="; ".join(log.errors)[:2000] or None,
                           next_sync_at=next_sync_at)

    async def due_for_sync(self, now: datetime, limit: int) -> list[Connection]:
        """Connections of any org (system scope) whose scheduled sync is due."""
        rows = (await self._session.execute(select(connections).where(
            LIVE, connections.c.next_sync_at <= now,
            connections.c.status == ConnectionStatus.CONNECTED.value)
            .order_by(connections.c.next_sync_at).limit(limit)
            .with_for_update(skip_locked=True))).all()
        return [_connection(r) for r in rows]

    async def postpone(self, connection_id: uuid.UUID, until: datetime) -> None:
        await self._session.execute(update(connections).where(connections.c.id == connection_id)
                                    .values(next_sync_at=until))


class SqlAlchemyOAuthStateRepository(OrgScopedRepository):
    table = oauth_states

    async def add(self, platform: Platform, state_hash: bytes, redirect_url: str,
                  created_by: uuid.UUID, expires_at: datetime) -> None:
        await self._insert(id=uuid.uuid4(), org_id=self._org_id, platform=platform.value,
                           state_hash=state_hash, redirect_url=redirect_url,
                           created_by=created_by, expires_at=expires_at)

    async def use(self, platform: Platform, state_hash: bytes, now: datetime) -> str | None:
        """Spends a live state of this org and platform; its redirect URL, else None."""
        row = (await self._session.execute(
            update(oauth_states).where(
                oauth_states.c.org_id == self._org_id,
                oauth_states.c.platform == platform.value,
                oauth_states.c.state_hash == state_hash,
                oauth_states.c.used_at.is_(None), oauth_states.c.expires_at > now)
            .values(used_at=now).returning(oauth_states.c.redirect_url))).first()
        return row.redirect_url if row else None


class SqlAlchemySyncLogRepository(OrgScopedRepository):
    table = sync_logs

    async def add(self, log: SyncLog) -> SyncLog:
        values = {k: v for k, v in vars(log).items() if k != "created_at"}
        values.update(status=log.status.value)
        log.created_at = (await self._insert(**values)).created_at
        return log

    async def get(self, log_id: uuid.UUID) -> SyncLog | None:
        row = await self._row(log_id)
        return _sync_log(row) if row else None

    async def running(self, connection_id: uuid.UUID) -> SyncLog | None:
        """The connection's sync queued or running (imports are jobs of their own)."""
        row = (await self._session.execute(self._select(
            sync_logs.c.connection_id == connection_id,
            sync_logs.c.status == SyncStatus.IN_PROGRESS.value,
            sync_logs.c.trigger != IMPORT_TRIGGER))).first()
        return _sync_log(row) if row else None

    async def progress(self, log_id: uuid.UUID, records: int) -> None:
        """How far a running job has got, for GET /integrations/{id}/sync-logs meanwhile."""
        await self._session.execute(update(sync_logs).where(
            sync_logs.c.org_id == self._org_id, sync_logs.c.id == log_id,
            sync_logs.c.finished_at.is_(None)).values(records_synced=records))

    async def latest(self, connection_id: uuid.UUID) -> SyncLog | None:
        row = (await self._session.execute(self._select(sync_logs.c.connection_id == connection_id)
               .order_by(sync_logs.c.created_at.desc(), sync_logs.c.id.desc()).limit(1))).first()
        return _sync_log(row) if row else None

    async def page(self, connection_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None,
                   limit: int) -> list[SyncLog]:
        query = self._select(sync_logs.c.connection_id == connection_id)
        if after:
            query = query.where(tuple_(sync_logs.c.created_at, sync_logs.c.id) < after)
        rows = (await self._session.execute(
            query.order_by(sync_logs.c.created_at.desc(), sync_logs.c.id.desc())
            .limit(limit + 1))).all()
        return [_sync_log(r) for r in rows]

    async def claim_queued(self, limit: int, lease: timedelta, now: datetime) -> list[SyncLog]:
        """Queued or abandoned syncs of any org (system scope): in progress, and not started or
        started longer than a lease ago (the replica that ran it died)."""
        rows = (await self._session.execute(select(sync_logs).where(
            sync_logs.c.status == SyncStatus.IN_PROGRESS.value,
            (sync_logs.c.started_at.is_(None)) | (sync_logs.c.started_at < now - lease))
            .order_by(sync_logs.c.created_at).limit(limit)
            .with_for_update(skip_locked=True))).all()
        claimed = [_sync_log(r) for r in rows]
        if claimed:
            await self._session.execute(update(sync_logs).where(
                sync_logs.c.id.in_([c.id for c in claimed])).values(started_at=now))
        for log in claimed:
            log.started_at = now
        return claimed

    async def finish(self, log: SyncLog) -> None:
        await self._session.execute(update(sync_logs).where(sync_logs.c.id == log.id).values(
            status=log.status.value, records_synced=log.records_synced,
            errors=log.errors[:50], finished_at=log.finished_at))
