"""Figma → Labs: webhooks verified by their passcode and stored by delivery before the answer
(`receive`), applied after it by a worker (`apply_due`), as GitHub's are.

A delivery's passcode names the org (the connection it was given to: service_layer/
figma_hooks.py); the passcode is not stored with the delivery. Applying makes no platform call:
FILE_UPDATE gives every link to the file its new name and last change (and reads it again at
once for its thumbnail), and each such link's task (or project) gets a `figma.file_updated`;
FILE_COMMENT is a `figma.commented` on each task (or project) that links the file, so the
activity feed shows it there. The effect and the delivery's `applied_at` commit together: a
delivery is applied once, however often Figma sends it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from labs.integrations.v1 import events_pb2
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, Unauthenticated
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.figma import (
    FILE_COMMENT,
    FILE_UPDATE,
    FigmaEvent,
    passcode_hash,
    passcode_of,
)
from labs_integrations.domain.links import Link, platform_time
from labs_integrations.service_layer import inbox_worker
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork, UowFactory

log = structlog.get_logger(__name__)

FIGMA_INBOX_SWEEPER = "figma_inbox"
FIGMA_PRUNE_SWEEPER = "figma_deliveries_prune"
BATCH = inbox_worker.BATCH
LEASE = inbox_worker.LEASE


class FigmaInbox:
    """`wake()`: news for this replica's apply worker; `wake_refresh()`: for its link
    refresher (a file changed)."""

    def __init__(self, uow: UowFactory, wake: Callable[[], None] = lambda: None,
                 wake_refresh: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self.wake = wake
        self.wake_refresh = wake_refresh

    # --- intake (before the answer) ------------------------------------------------------------

    async def receive(self, payload: bytes) -> bool:
        """Verified, then kept by delivery: False for a delivery seen before, a PING, or an
        event Labs does not apply. A passcode no live connection was given is
        Unauthenticated."""
        try:
            body = json.loads(payload)
        except ValueError:
            raise InvalidArgument.on("payload", "is not JSON") from None
        passcode = passcode_of(body)
        if passcode is None:
            raise Unauthenticated("A Figma webhook carries the passcode it was created with.")
        async with self._uow(Scope.of_system()) as uow:
            owner = await uow.figma_hooks.connection_of(passcode_hash(passcode))
        if owner is None:
            raise Unauthenticated("No Figma connection of this Labs gave this passcode.")
        event = FigmaEvent.of(body)
        if not event.applied:
            return False
        org_id, _connection_id = owner
        kept = {k: v for k, v in body.items() if k != "passcode"}
        async with self._uow(Scope(org_id=org_id)) as uow:
            accepted = await uow.figma_deliveries.keep(event.delivery_key, event.event_type,
                                                       event.file_key, kept)
            await uow.commit()
        if accepted:
            self.wake()
        return accepted

    # --- the apply worker (after the answer) ---------------------------------------------------

    async def apply_due(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.figma_deliveries.claim_due(BATCH, LEASE)
            await uow.commit()
        for delivery in due:
            try:
                event = FigmaEvent.of(delivery["payload"])
                async with self._uow(Scope(org_id=delivery["org_id"])) as uow:
                    await self._apply(uow, event)
                    await uow.figma_deliveries.applied(delivery["id"])
                    await uow.commit()
                if event.event_type == FILE_UPDATE:
                    self.wake_refresh()
            except Exception as failure:  # every failure is recorded
                await self._failed(delivery, failure)
        return len(due)

    async def _failed(self, delivery: dict[str, Any], failure: Exception) -> None:
        """Recorded as the other inboxes do (service_layer/inbox_worker.py): an outage or
        something unexpected is asked again with backoff, a refusal is final."""
        error = f"{type(failure).__name__}: {failure}"[:2000]
        retry = inbox_worker.transient(failure) and \
            delivery["attempts"] < inbox_worker.MAX_ATTEMPTS
        log.warning("figma.delivery_failed", delivery_id=str(delivery["id"]),
                    figma_event=delivery["event_type"], error=error, retry=retry)
        async with self._uow(Scope(org_id=delivery["org_id"])) as uow:
            if retry:
                await uow.figma_deliveries.retry(
                    delivery["id"], error,
                    datetime.now(UTC) + inbox_worker.retry_delay(delivery["attempts"]))
            else:
                await uow.figma_deliveries.applied(delivery["id"], error)
            await uow.commit()

    async def _apply(self, uow: IntegrationsUnitOfWork, event: FigmaEvent) -> None:
        if event.event_type == FILE_UPDATE:
            changed = await uow.links.file_changed(event.file_key, event.file_name,
                                                   platform_time(event.timestamp))
            for link in changed:
                await uow.outbox.add("figma.file_updated", events_pb2.FigmaFileUpdated(
                    **_where(link), file_key=event.file_key, file_name=event.file_name,
                    timestamp=event.timestamp), project_id=link.project_id)
        elif event.event_type == FILE_COMMENT:
            for link in await uow.links.of_target(Platform.FIGMA, event.file_key):
                await uow.outbox.add("figma.commented", events_pb2.FigmaCommented(
                    **_where(link), file_key=event.file_key,
                    file_name=event.file_name or link.title or "",
                    comment_id=event.comment_id, text=event.text, author=event.author,
                    timestamp=event.timestamp), project_id=link.project_id)

    async def prune(self) -> int:
        """One batch of applied deliveries older than a week, gone."""
        return await inbox_worker.prune(self._uow, "figma_deliveries", platform="figma")


def _where(link: Link) -> dict[str, str]:
    return {"task_id": str(link.task_id or ""), "project_id": str(link.project_id),
            "link_id": str(link.id)}
