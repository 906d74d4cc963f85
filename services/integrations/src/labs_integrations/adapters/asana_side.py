"""Asana's side of a connection: a personal access token (Bearer), `access_token` of the
connect body, or Asana's OAuth (authorization code grant; its access tokens last an hour and
are refreshed, the refresh token staying the same). The account is the Asana user the token
belongs to."""

from __future__ import annotations

from typing import Any

from labs_integrations.adapters.asana_api import AsanaApi
from labs_integrations.adapters.oauth_client import OAuthClient, issued, revoke_at
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform


class AsanaSide:
    platform = Platform.ASANA

    def __init__(self, settings: Settings) -> None:
        self.api = AsanaApi(settings)
        self._oauth = settings.asana_oauth_url.rstrip("/")
        self._app = OAuthClient("Asana", f"{self._oauth}/-/oauth_token",
                                settings.asana_client_id, settings.asana_client_secret)

    async def identify(self, secret: dict[str, Any]) -> Account:
        me = await self.api.me(secret)
        return Account(name=str(me.get("name") or me.get("email") or me.get("gid")),
                       external_id=str(me.get("gid") or ""))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(f"{self._oauth}/-/oauth_authorize",
                                       redirect_uri=redirect_url, response_type="code",
                                       state=state)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        # Asana's refresh grant names the redirect URI of the authorization again: kept.
        return {**issued(await self._app.exchange(code, redirect_url)),
                "redirect_uri": redirect_url}

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self._app.refresh(secret,
                                       redirect_uri=str(secret.get("redirect_uri") or ""))

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Ends an OAuth grant (its refresh token, and the access tokens it issued); a personal
        access token is revoked by its owner in Asana (the destroyed credentials are all Labs
        can end). Unreachable, it raises and is asked again."""
        if secret.get("kind") != "oauth" or not secret.get("refresh_token"):
            return
        client_id, client_secret = self._app.sign_in()
        await revoke_at(f"{self._oauth}/-/oauth_revoke", platform="Asana", data={
            "client_id": client_id, "client_secret": client_secret,
            "token": str(secret["refresh_token"])})
