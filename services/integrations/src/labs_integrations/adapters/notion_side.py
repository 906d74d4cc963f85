"""Notion's side of a connection: an internal integration's token (`access_token`, Bearer), or
a public integration's OAuth (user-level grants, `owner=user`; each refresh answers a new access
token and a new refresh token, the old one spent), checked with `GET /v1/users/me` before it is
stored; the account is the integration's workspace. Notion names no lifetime for its access
tokens: one it refuses is refreshed then (service_layer/oauth_tokens.py). Notion reads only the
pages shared with the integration: a link to another page keeps its title empty."""

from __future__ import annotations

from typing import Any

from labs_common.errors import Unavailable
from labs_integrations.adapters.notion_api import NOTION_VERSION, NotionApi
from labs_integrations.adapters.oauth_client import OAuthClient, issued, revoke_at
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

# Notion's OAuth endpoints are versioned like the rest of its API.
VERSIONED = {"Notion-Version": NOTION_VERSION}


class NotionSide:
    platform = Platform.NOTION

    def __init__(self, settings: Settings) -> None:
        self.api = NotionApi(settings)
        self._oauth = f"{settings.notion_api_url.rstrip('/')}/v1/oauth"
        self._app = OAuthClient("Notion", f"{self._oauth}/token", settings.notion_client_id,
                                settings.notion_client_secret, basic=True, body="json",
                                headers=VERSIONED)

    async def identify(self, secret: dict[str, Any]) -> Account:
        try:
            me = await self.api.me(secret)
        except Throttled as throttled:
            raise Unavailable(f"Notion asks to slow down; try again in "
                              f"{throttled.retry_after:.0f} s.") from None
        bot = me.get("bot") if isinstance(me.get("bot"), dict) else {}
        return Account(name=str(bot.get("workspace_name") or me.get("name") or me.get("id")),
                       external_id=str(me.get("id") or ""))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(f"{self._oauth}/authorize", response_type="code",
                                       owner="user", redirect_uri=redirect_url, state=state)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        answer = await self._app.exchange(code, redirect_url)
        return {**issued(answer), **{key: str(answer[key]) for key in (
            "bot_id", "workspace_id", "workspace_name") if answer.get(key)}}

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self._app.refresh(secret)

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Ends a public integration's grant; an internal integration's token is revoked by the
        workspace's owner in Notion (no API): the destroyed credentials are all Labs can end.
        Unreachable, it raises and is asked again."""
        if secret.get("kind") != "oauth":
            return
        await revoke_at(f"{self._oauth}/revoke", platform="Notion", auth=self._app.sign_in(),
                        json={"token": str(secret.get("access_token") or "")},
                        headers=VERSIONED)
