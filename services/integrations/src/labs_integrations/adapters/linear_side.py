"""Linear's side of a connection: a personal API key (`api_key` of the connect body, Linear:
Settings, Security & access, Personal API keys), or Linear's OAuth 2.0 (scope read,write). The
account is the Linear workspace (organization) the key belongs to: its id names the connection,
which is how a webhook (its `organizationId`) finds the Labs organizations that connected it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from labs_common.errors import Unavailable
from labs_integrations.adapters.linear_api import LinearApi
from labs_integrations.adapters.oauth_client import OAuthClient, revoke_at
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

SCOPES = "read,write"


class LinearSide:
    platform = Platform.LINEAR

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.api = LinearApi(settings)
        parts = urlsplit(settings.linear_api_url)
        # Linear's token and revocation endpoints are on the API's host.
        self._oauth_base = f"{parts.scheme}://{parts.netloc}/oauth"
        self._app = OAuthClient("Linear", f"{self._oauth_base}/token",
                                settings.linear_client_id, settings.linear_client_secret)

    async def identify(self, secret: dict[str, Any]) -> Account:
        found = await self.api.viewer(secret)
        organization = found.get("organization") or {}
        viewer = found.get("viewer") or {}
        if not organization.get("id"):
            raise Unavailable("Linear did not name the key's workspace; try again shortly.")
        return Account(name=str(organization.get("name") or organization.get("urlKey")
                                or viewer.get("name") or organization["id"]),
                       external_id=str(organization["id"]))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(self._settings.linear_authorize_url, state=state,
                                       redirect_uri=redirect_url, response_type="code",
                                       scope=SCOPES, prompt="consent")

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        answer = await self._app.exchange(code, redirect_url)
        return {"access_token": answer["access_token"], "scope": answer.get("scope", "")}

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Ends an OAuth grant; a personal API key is revoked by its owner in Linear (the
        destroyed credentials are all Labs can end). Unreachable, it raises and is asked
        again."""
        if secret.get("kind") != "oauth":
            return
        await revoke_at(f"{self._oauth_base}/revoke", platform="Linear", headers={
            "Authorization": f"Bearer {secret.get('access_token') or ''}"})
