"""Figma's side of a connection: a personal access token (`access_token`, sent as
`X-Figma-Token`) or Figma's OAuth 2 (its tokens sent as Bearer, refreshed at `/v1/oauth/refresh`
before they lapse: the refresh token stays the same), checked with `GET /v1/me` before it is
stored; the account is the Figma user it belongs to. The team whose files the org links (the
digits of figma.com/files/team/<id>) is named by a token's `account_id`, or afterwards by the
connection's settings (`team_id`, which wins; the only way for an OAuth connection, whose
callback names no team): Labs then registers that team's FILE_UPDATE and FILE_COMMENT webhooks
itself (service_layer/figma_hooks.py), moves them when the team changes, and deleting the
connection deletes them. Without a team, links are kept fresh by the periodic read alone."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.figma_api import FigmaApi
from labs_integrations.adapters.oauth_client import OAuthClient, issued
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform
from labs_integrations.domain.figma import TEAM_ID_RULE, is_team_id, team_of

# Who the user is (`/v1/me`), files' contents (`/v1/files/{key}`): the granular scopes that
# replace the deprecated `files:read`; and the team's webhooks, listed (`webhooks:read`),
# created and deleted (`webhooks:write`), which an OAuth token needs once a team is named.
SCOPES = "current_user:read file_content:read webhooks:read webhooks:write"


class FigmaSide:
    platform = Platform.FIGMA

    def __init__(self, settings: Settings) -> None:
        self.api = FigmaApi(settings)
        self._webhook_url = settings.figma_webhook_url
        self._consent = f"{settings.figma_oauth_url.rstrip('/')}/oauth"
        api = settings.figma_api_url.rstrip("/")
        self._app = OAuthClient("Figma", f"{api}/v1/oauth/token", settings.figma_client_id,
                                settings.figma_client_secret, basic=True,
                                refresh_url=f"{api}/v1/oauth/refresh")

    async def identify(self, secret: dict[str, Any]) -> Account:
        team = team_of(secret, {})
        if team is not None and not is_team_id(team):
            raise InvalidArgument.on("account_id", TEAM_ID_RULE)
        try:
            me = await self.api.me(secret)
        except Throttled as throttled:
            raise Unavailable(f"Figma asks to slow down; try again in "
                              f"{throttled.retry_after:.0f} s.") from None
        return Account(name=str(me.get("handle") or me.get("email") or me["id"]),
                       external_id=str(me["id"]))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(self._consent, redirect_uri=redirect_url,
                                       scope=SCOPES, state=state, response_type="code")

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        return issued(await self._app.exchange(code, redirect_url))

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self._app.refresh(secret)

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Figma's tokens are revoked by their owner only (Figma offers apps no revocation of
        an OAuth grant); what Labs registered with it (the team's webhooks to this Labs,
        the team its settings or token name) is deleted. A token Figma refuses has no webhooks
        left to delete; an unreachable Figma raises (asked again)."""
        team = team_of(secret, settings)
        if team is None or not self._webhook_url:
            return
        try:
            hooks = await self.api.team_webhooks(secret, team)
            for hook in hooks:
                if hook.get("endpoint") == self._webhook_url:
                    await self.api.delete_webhook(secret, str(hook["id"]))
        except InvalidArgument:
            return
        except Throttled as throttled:
            raise Unavailable(str(throttled)) from None
