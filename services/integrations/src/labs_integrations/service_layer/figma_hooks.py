"""Figma webhooks, put in place by a worker (sweeper `figma_hooks`) after a Figma connection is
made, so nobody has to copy a secret anywhere:

- every live Figma connection gets a passcode of its own (256 random bits, sealed like
  credentials, its SHA-256 kept for the intake to find the org by), kept across reconnects so
  webhooks already registered keep working;
- a connection that names its team (`team_id` in its settings, else `account_id` on connect:
  domain/figma.py's `team_of`) and a Labs that knows its public webhook URL
  (LABS_FIGMA_WEBHOOK_URL) get that team's FILE_UPDATE and FILE_COMMENT webhooks registered
  with Figma's `POST /v2/webhooks`, with that passcode. The team's webhooks are read first, so a
  registration retried (or a reconnect) adds only what is missing; one of ours that carries
  another passcode (an earlier connection's) is replaced. Again after each reconnect, and after
  each change of the team (PATCH of the settings), which first deletes the webhooks this
  connection registered for the team before (none are left once the team is cleared).

A Figma that cannot be reached, or asks to wait, is asked again with backoff; a token or team
Figma refuses is recorded (`last_error`) and left until the next reconnect or change of team."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, NotFound
from labs_common.retries import doubling
from labs_integrations.adapters.figma_api import FigmaApi
from labs_integrations.adapters.link_repository import FigmaHook
from labs_integrations.adapters.vault import Vault, aad
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.figma import APPLIED, new_passcode, passcode_hash, team_of
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.oauth_tokens import OAuthTokens
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

FIGMA_HOOKS_SWEEPER = "figma_hooks"
PASSCODE = "figma webhook passcode"
BATCH = 20
LEASE = timedelta(minutes=2)
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 6 * 3600.0
DESCRIPTION = "Labs: file changes and comments on linked files"


class FigmaHookKeeper:
    def __init__(self, uow: UowFactory, vault: Vault, api: FigmaApi, webhook_url: str,
                 tokens: OAuthTokens | None = None) -> None:
        self._uow = uow
        self._vault = vault
        self._api = api
        self._webhook_url = webhook_url
        self._tokens = tokens or OAuthTokens(uow, vault, {})

    def passcode(self, hook: FigmaHook) -> str:
        return self._vault.open(hook.passcode, aad(hook.org_id, hook.id, PASSCODE)).decode()

    async def run_once(self) -> int:
        done = await self.give_passcodes()
        if not self._webhook_url:
            return done
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.figma_hooks.claim_registrations(BATCH, LEASE)
            await uow.commit()
        for hook in due:
            await self._register(hook)
        return done + len(due)

    async def give_passcodes(self) -> int:
        """A passcode for each live Figma connection without one."""
        async with self._uow(Scope.of_system()) as uow:
            missing = await uow.figma_hooks.without_passcode(BATCH)
        for org_id, connection_id in missing:
            hook_id, passcode = uuid.uuid4(), new_passcode()
            sealed = self._vault.seal(passcode.encode(), aad(org_id, hook_id, PASSCODE))
            async with self._uow(Scope(org_id=org_id)) as uow:
                await uow.figma_hooks.add(FigmaHook(
                    id=hook_id, org_id=org_id, connection_id=connection_id, passcode=sealed,
                    team_id=None, webhook_ids=[]), passcode_hash(passcode))
                await uow.commit()
        return len(missing)

    async def _register(self, hook: FigmaHook) -> None:
        async with self._uow(Scope(org_id=hook.org_id)) as uow:
            found = await credentials(uow, self._vault, Platform.FIGMA)
        if found is None or found.connection.id != hook.connection_id or \
                hook.connected_at is None:
            return  # deleted meanwhile: nothing to register, nothing claims it again
        team = team_of(found.secret, found.connection.settings)
        # What this connection registered for the team it named before (or none).
        old = hook.webhook_ids if hook.team_id and hook.team_id != team else []
        ids: list[str] = []
        try:
            if team or old:  # else there is nothing to ask Figma
                secret = (await self._tokens.fresh(found)).secret
                await self._take_down(secret, hook.team_id, old)
                if team:
                    ids = await self._put_in_place(secret, team, self.passcode(hook))
        except (InvalidArgument, NotFound) as refusal:
            # Figma refuses this token or team: until a reconnect (or another team), asking
            # again changes nothing.
            log.warning("figma.webhooks_refused", org_id=str(hook.org_id), team_id=team,
                        error=refusal.detail)
            await self._registered(hook, team, [], f"Figma refused: {refusal.detail}"[:500])
            return
        except Exception as failure:  # an outage or a 429: again later
            error = f"{type(failure).__name__}: {failure}"[:500]
            log.warning("figma.webhooks_not_registered", org_id=str(hook.org_id),
                        team_id=team, error=error)
            retry_at = datetime.now(UTC) + timedelta(seconds=doubling(
                hook.attempts + 1, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS))
            async with self._uow(Scope(org_id=hook.org_id)) as uow:
                await uow.figma_hooks.failed(hook.id, error, retry_at)
                await uow.commit()
            return
        await self._registered(hook, team, ids, None)

    async def _registered(self, hook: FigmaHook, team: str | None, ids: list[str],
                          error: str | None) -> None:
        assert hook.connected_at is not None
        async with self._uow(Scope(org_id=hook.org_id)) as uow:
            await uow.figma_hooks.registered(hook, team, ids, error)
            await uow.commit()

    async def _take_down(self, secret: dict, team: str | None, ids: list[str]) -> None:
        """Deletes the webhooks this connection registered for the team it no longer names
        (one gone already is fine). One Figma no longer lets this token delete (it left that
        team) is logged and left: nothing Labs could do, and the new team must not wait."""
        for webhook_id in ids:
            try:
                await self._api.delete_webhook(secret, webhook_id)
            except InvalidArgument as refusal:
                log.warning("figma.webhook_not_deleted", team_id=team, webhook_id=webhook_id,
                            error=refusal.detail)
                continue
            log.info("figma.webhook_deleted", team_id=team, webhook_id=webhook_id)

    async def _put_in_place(self, secret: dict, team: str, passcode: str) -> list[str]:
        """The ids of the team's webhooks to this Labs, one per event Labs applies."""
        have: dict[str, str] = {}
        for existing in await self._api.team_webhooks(secret, team):
            if existing.get("endpoint") != self._webhook_url:
                continue
            stale = existing.get("passcode") not in (None, "", passcode)
            if stale or existing.get("event_type") in have:
                await self._api.delete_webhook(secret, str(existing["id"]))
            elif existing.get("event_type") in APPLIED:
                have[str(existing["event_type"])] = str(existing["id"])
        for event_type in APPLIED:
            if event_type not in have:
                created = await self._api.create_webhook(
                    secret, team_id=team, event_type=event_type, endpoint=self._webhook_url,
                    passcode=passcode, description=DESCRIPTION)
                have[event_type] = str(created["id"])
                log.info("figma.webhook_registered", team_id=team, event_type=event_type,
                         webhook_id=have[event_type])
        return [have[event_type] for event_type in APPLIED]
