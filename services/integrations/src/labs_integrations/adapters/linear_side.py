"""Linear's side of a connection: a personal API key (`api_key` of the connect body, Linear:
Settings, Security & access, Personal API keys), or Linear's OAuth 2.0 (scope read,write). The
account is the Linear workspace (organization) the key belongs to: its id names the connection,
which is how a webhook (its `organizationId`) finds the Labs organizations that connected it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.linear_api import LinearApi
from labs_integrations.adapters.throttled_get import TIMEOUT_SECONDS
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
        query = urlencode({"client_id": self._settings.linear_client_id, "state": state,
                           "redirect_uri": redirect_url, "response_type": "code",
                           "scope": SCOPES, "prompt": "consent"})
        return f"{self._settings.linear_authorize_url}?{query}"

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                answer = await client.post(f"{self._oauth_base}/token", data={
                    "grant_type": "authorization_code", "code": code,
                    "redirect_uri": redirect_url, "client_id": self._settings.linear_client_id,
                    "client_secret": self._settings.linear_client_secret.get_secret_value()})
        except httpx.HTTPError as error:
            raise Unavailable("Linear cannot be reached; try again shortly.") from error
        if answer.status_code >= 500 or answer.status_code == 429:
            raise Unavailable(f"Linear answered {answer.status_code}; try again shortly.")
        try:
            body = answer.json() if answer.status_code == 200 else {}
        except ValueError:
            body = {}
        if not body.get("access_token"):
            raise InvalidArgument.on("code", "Linear did not accept this authorization code")
        return {"access_token": body["access_token"], "scope": body.get("scope", "")}

    async def revoke(self, secret: dict[str, Any]) -> None:
        """Ends an OAuth grant; a personal API key is revoked by its owner in Linear (the
        destroyed credentials are all Labs can end). Unreachable, it raises and is asked
        again."""
        if secret.get("kind") != "oauth":
            return
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            answer = await client.post(f"{self._oauth_base}/revoke", headers={
                "Authorization": f"Bearer {secret.get('access_token') or ''}"})
        if answer.status_code >= 500:
            raise Unavailable(f"Linear answered {answer.status_code} to the revocation.")
