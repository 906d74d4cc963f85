"""Notion's side of a connection: an internal integration's token (`access_token`, Bearer),
checked with `GET /v1/users/me` before it is stored; the account is the integration's
workspace. Notion reads only the pages shared with the integration: a link to another page
keeps its title empty."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.notion_api import NotionApi
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

TOKEN_ONLY = ("Notion connects with an internal integration's token here (notion.so/my-"
              "integrations, then share the pages with it): access_token")


class NotionSide:
    platform = Platform.NOTION

    def __init__(self, settings: Settings) -> None:
        self.api = NotionApi(settings)

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
        raise InvalidArgument.on("redirect_url", TOKEN_ONLY)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        raise InvalidArgument.on("code", TOKEN_ONLY)

    async def revoke(self, secret: dict[str, Any]) -> None:
        """An internal integration's token is revoked by the workspace's owner in Notion (no
        API): the destroyed credentials are all Labs can end."""
