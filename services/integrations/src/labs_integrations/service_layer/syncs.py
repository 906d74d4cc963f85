"""The sync worker: queued syncs (manual, scheduled) run one at a time per connection, outside any
transaction, by the platform's syncer (an import, trigger "import", by its importer); the outcome
lands in the sync log, on the connection, and as `sync.completed`. A replica that dies mid-sync
leaves its log in progress; after a lease another replica runs it again (syncers are idempotent:
they bring two sides in line).

Also here: deleted credentials revoked at the platform, after the answer that deleted them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from labs.integrations.v1 import events_pb2
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, LabsError
from labs_common.transient import is_transient
from labs_integrations.adapters import proto
from labs_integrations.adapters.platforms import PlatformSide
from labs_integrations.adapters.vault import Vault, VaultError
from labs_integrations.domain.connections import (
    ConnectionStatus,
    Credentials,
    Platform,
    SyncLog,
    SyncStatus,
)
from labs_integrations.domain.imports import IMPORT_TRIGGER
from labs_integrations.service_layer import connections
from labs_integrations.service_layer.oauth_tokens import OAuthTokens
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

BATCH = 10
LEASE = timedelta(minutes=15)


@dataclass
class SyncOutcome:
    records: int = 0
    errors: list[str] = field(default_factory=list)


# What a platform does in a sync: brings Labs and the platform in line for one org.
Syncer = Callable[[Credentials], Awaitable[SyncOutcome]]
# What a platform does in an import: the queued import named by its sync log.
Importer = Callable[[Credentials, SyncLog], Awaitable[SyncOutcome]]


class SyncWorker:
    def __init__(self, uow: UowFactory, vault: Vault, sides: dict[Platform, PlatformSide],
                 every: dict[Platform, timedelta], tokens: OAuthTokens | None = None) -> None:
        self._uow = uow
        self._vault = vault
        self._sides = sides
        self._every = every
        # An OAuth token about to lapse is renewed before it is checked and used.
        self._tokens = tokens or OAuthTokens(uow, vault, {})
        self.syncers: dict[Platform, Syncer] = {}
        self.importers: dict[Platform, Importer] = {}

    def add(self, platform: Platform, syncer: Syncer) -> None:
        self.syncers[platform] = syncer

    def add_importer(self, platform: Platform, importer: Importer) -> None:
        self.importers[platform] = importer

    async def run_due(self) -> int:
        now = datetime.now(UTC)
        async with self._uow(Scope.of_system()) as uow:
            for connection in await uow.connections.due_for_sync(now, BATCH):
                await connections.queue_sync(uow, connection, "schedule")
                every = self._every.get(connection.platform)
                await uow.connections.postpone(connection.id, now + every if every else None)
            claimed = await uow.sync_logs.claim_queued(BATCH, LEASE, now)
            await uow.commit()
        for queued in claimed:
            await self._run(queued)
        return len(claimed)

    async def _run(self, queued: SyncLog) -> None:
        scope = Scope(org_id=queued.org_id)
        async with self._uow(scope) as uow:
            connection = await uow.connections.get(queued.connection_id)
            found = await uow.connections.of_platform(connection.platform) if connection else None
        outcome = SyncOutcome()
        status = ConnectionStatus.CONNECTED
        if connection is None or found is None:
            outcome.errors.append("The connection was deleted.")
        else:
            try:
                credentials = await self._tokens.fresh(Credentials(
                    connection, connections.open_secret(self._vault, connection, found[1])))
                side = self._sides.get(connection.platform)
                if side is not None:
                    await side.identify(credentials.secret)  # still accepted?
                if queued.trigger == IMPORT_TRIGGER:
                    importer = self.importers.get(connection.platform)
                    outcome = await importer(credentials, queued) if importer is not None \
                        else SyncOutcome(errors=[f"{connection.platform.value} imports nothing."])
                elif (syncer := self.syncers.get(connection.platform)) is not None:
                    outcome = await syncer(credentials)
            except InvalidArgument:
                status = ConnectionStatus.ERROR
                outcome.errors.append(
                    f"{connection.platform.value} no longer accepts the connection's "
                    "credentials; connect it again.")
            except VaultError:
                status = ConnectionStatus.ERROR
                outcome.errors.append("The credentials cannot be opened with the configured "
                                      "keys; connect it again.")
            except Exception as error:  # a sync that fails is logged, never crashes the worker
                if not (is_transient(error) or isinstance(error, LabsError)):
                    log.exception("integrations.sync_failed",
                                  connection_id=str(queued.connection_id))
                outcome.errors.append(str(error)[:500] or type(error).__name__)
        await self._finish(queued, connection, outcome, status)

    async def _finish(self, queued: SyncLog, connection, outcome: SyncOutcome,
                      status: ConnectionStatus) -> None:
        queued.status = SyncStatus.FAILED if outcome.errors and not outcome.records \
            else SyncStatus.SUCCESS
        if status is not ConnectionStatus.CONNECTED:
            queued.status = SyncStatus.FAILED
        queued.records_synced = outcome.records
        queued.errors = outcome.errors
        queued.finished_at = datetime.now(UTC)
        async with self._uow(Scope(org_id=queued.org_id)) as uow:
            await uow.sync_logs.finish(queued)
            if connection is not None:
                every = self._every.get(connection.platform)
                await uow.connections.synced(connection.id, queued,
                                             queued.finished_at + every if every else None)
                if status is not connection.status:
                    await uow.connections.set_status(connection.id, status)
                await uow.outbox.add("sync.completed", events_pb2.SyncCompleted(
                    connection_id=str(connection.id),
                    platform=proto.PLATFORMS.to_proto(connection.platform),
                    sync_log=proto.sync_log(queued)))
            await uow.commit()
        log.info("integrations.sync_finished", connection_id=str(queued.connection_id),
                 status=queued.status.value, records=queued.records_synced,
                 errors=len(queued.errors))


class Revocations:
    """Deleted credentials revoked at the platform; a platform that is down is asked again."""

    def __init__(self, uow: UowFactory, vault: Vault, sides: dict[Platform, PlatformSide]) -> None:
        self._uow = uow
        self._vault = vault
        self._sides = sides

    async def run_due(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.connections.to_revoke(BATCH)
            await uow.commit()
        done = 0
        for connection, sealed in due:
            try:
                secret = connections.open_secret(self._vault, connection, sealed)
                side = self._sides.get(connection.platform)
                if side is not None:
                    await side.revoke(secret, connection.settings)
            except VaultError:
                pass  # nothing left that could be revoked
            except Exception as error:
                log.warning("integrations.revoke_deferred", connection_id=str(connection.id),
                            error=str(error)[:200])
                continue
            async with self._uow(Scope.of_system()) as uow:
                await uow.connections.revoked(connection.id)
                await uow.commit()
            done += 1
        return done


