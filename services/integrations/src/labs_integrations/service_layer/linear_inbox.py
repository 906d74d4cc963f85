"""Linear → Labs: webhooks verified (Linear-Signature, and a webhookTimestamp within a minute)
and stored by their Linear-Delivery before the answer (`receive`), then applied by a worker
(`apply_due`, the leasing and retries of service_layer/inbox_worker.py) for every Labs
organization that connected the delivery's Linear workspace (`organizationId`, the connection's
account id). Only `Issue` deliveries do anything (create, update, remove); the others are kept
as applied."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, Unauthenticated
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain import linear as ln
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer import inbox_worker
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.inbox_worker import RetryLater, transient
from labs_integrations.service_layer.linear_issues import Acting, LinearIssues
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

LINEAR_INBOX_SWEEPER = "linear_inbox"
LINEAR_PRUNE_SWEEPER = "linear_deliveries_prune"
MAX_DELIVERY_ID = 200
ISSUE = "Issue"


class LinearInbox:
    def __init__(self, uow: UowFactory, vault: Vault, secret: str, issues: LinearIssues,
                 wake: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = uow
        self._vault = vault
        self._secret = secret
        self._issues = issues
        self.wake = wake
        self.clock = clock

    # --- intake (before the answer) ------------------------------------------------------------

    async def receive(self, payload: bytes, signature: str, delivery_id: str) -> bool:
        """Verified, then kept by delivery id: False for a delivery seen before. A delivery
        that is not about an issue is kept as applied (nothing to do)."""
        if not ln.verify_signature(self._secret, payload, signature):
            raise Unauthenticated("The Linear-Signature signature does not verify.")
        if not delivery_id or len(delivery_id) > MAX_DELIVERY_ID:
            raise InvalidArgument.on("delivery_id", "Linear-Delivery is required")
        try:
            body = json.loads(payload)
        except ValueError:
            raise InvalidArgument.on("payload", "is not JSON") from None
        if not isinstance(body, dict):
            raise InvalidArgument.on("payload", "is not a JSON object")
        # Inside the signed body, so a replay cannot renew it: an old delivery is refused even
        # when its signature is right.
        if not ln.is_fresh(body.get("webhookTimestamp"), self.clock()):
            raise Unauthenticated("The delivery's webhookTimestamp is more than 60 seconds "
                                  "from now: a replay, or a clock far off.")
        kind = str(body.get("type") or "")
        action = body.get("action") if isinstance(body.get("action"), str) else None
        organization = body.get("organizationId")
        wanted = kind == ISSUE and action in ln.ISSUE_ACTIONS and isinstance(body.get("data"),
                                                                             dict)
        async with self._uow(Scope.of_system()) as uow:
            accepted = await uow.linear_deliveries.keep(
                delivery_id, kind or "unknown", action,
                organization if isinstance(organization, str) else None, body,
                applied=not wanted)
            await uow.commit()
        if accepted and wanted:
            self.wake()
        return accepted

    # --- the apply worker (after the answer) ---------------------------------------------------

    async def apply_due(self) -> int:
        return await inbox_worker.apply_due(self._uow, "linear_deliveries", self._apply_claimed,
                                            platform="linear")

    async def prune(self) -> int:
        return await inbox_worker.prune(self._uow, "linear_deliveries", platform="linear")

    async def _apply_claimed(self, delivery: dict[str, Any]) -> list[str]:
        return await self.apply(delivery["payload"],
                                skip=frozenset(delivery.get("applied_orgs") or ()),
                                applied_for=partial(self._applied_for, delivery["delivery_id"]))

    async def _applied_for(self, delivery_id: str, org_id: uuid.UUID) -> None:
        async with self._uow(Scope.of_system()) as uow:
            await uow.linear_deliveries.applied_for(delivery_id, org_id)
            await uow.commit()

    async def apply(self, payload: dict[str, Any], *, skip: frozenset[uuid.UUID] = frozenset(),
                    applied_for=None) -> list[str]:
        """One delivery, for every org whose Linear connection is of the delivery's workspace
        (each with its own settings and credentials), but those in `skip` (done by an earlier
        attempt). One org's failure never costs the others theirs: a refusal is answered among
        the errors and that org counts as done; an outage leaves the org undone, and RetryLater
        is raised once every org was tried."""
        organization = payload.get("organizationId")
        data = payload.get("data")
        if payload.get("type") != ISSUE or not isinstance(organization, str) or \
                not isinstance(data, dict) or not data.get("id"):
            return []
        issue = ln.IssueFacts.of(data)
        async with self._uow(Scope.of_system()) as uow:
            holders = await uow.connections.by_account(Platform.LINEAR, organization)
        orgs = sorted({holder.org_id for holder in holders}, key=str)
        errors: list[str] = []
        retry = False
        for org_id in orgs:
            if org_id in skip:
                continue
            try:
                await self._apply_to(org_id, payload.get("action"), issue)
            except Exception as failure:  # one org's failure is recorded, the others go on
                error = f"{org_id}: {type(failure).__name__}: {failure}"
                errors.append(error)
                retry = retry or transient(failure)
                log.warning("linear.delivery_failed_for_org", org_id=str(org_id),
                            issue=issue.reference, error=error, retry=transient(failure))
                if transient(failure):
                    continue
            if applied_for is not None and len(orgs) > 1:
                await applied_for(org_id)
        if retry:
            raise RetryLater(errors)
        return errors

    async def _apply_to(self, org_id: uuid.UUID, action: Any, issue: ln.IssueFacts) -> None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            found = await credentials(uow, self._vault, Platform.LINEAR)
        if found is None:
            return
        acting = Acting.of(found)
        if action == "remove":
            await self._issues.remove(acting, issue)
        else:
            await self._issues.apply(acting, issue)
