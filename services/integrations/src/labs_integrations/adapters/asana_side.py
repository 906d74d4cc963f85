"""Asana's side of a connection: a personal access token (Bearer), `access_token` of the
connect body; the account is the Asana user it belongs to."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument
from labs_integrations.adapters.asana_api import AsanaApi
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

TOKEN_ONLY = ("Asana connects with a personal access token here (Asana: My settings, Apps, "
              "Developer apps): access_token")


class AsanaSide:
    platform = Platform.ASANA

    def __init__(self, settings: Settings) -> None:
        self.api = AsanaApi(settings)

    async def identify(self, secret: dict[str, Any]) -> Account:
        me = await self.api.me(secret)
        return Account(name=str(me.get("name") or me.get("email") or me.get("gid")),
                       external_id=str(me.get("gid") or ""))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        raise InvalidArgument.on("redirect_url", TOKEN_ONLY)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        raise InvalidArgument.on("code", TOKEN_ONLY)

    async def revoke(self, secret: dict[str, Any]) -> None:
        """A personal access token is revoked by its owner in Asana (the API revokes OAuth
        grants only): the destroyed credentials are all Labs can end."""
