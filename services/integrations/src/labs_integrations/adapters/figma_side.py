"""Figma's side of a connection: a personal access token (`access_token`, sent as
`X-Figma-Token`), checked with `GET /v1/me` before it is stored; the account is the Figma user
it belongs to. `account_id`, when given, is the id of the Figma team whose files the org links
(the digits of figma.com/files/team/<id>): Labs then registers that team's FILE_UPDATE and
FILE_COMMENT webhooks itself (service_layer/figma_hooks.py), and deleting the connection
deletes them."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.figma_api import FigmaApi
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

TOKEN_ONLY = ("Figma connects with a personal access token here (Figma: Settings, Security, "
              "Personal access tokens): access_token, and account_id the id of the team whose "
              "webhooks Labs should register")
MAX_TEAM_ID = 40


def team_of(secret: dict[str, Any]) -> str | None:
    """The Figma team the connection registers webhooks for, if it named one."""
    team = str(secret.get("account_id") or "").strip()
    return team or None


class FigmaSide:
    platform = Platform.FIGMA

    def __init__(self, settings: Settings) -> None:
        self.api = FigmaApi(settings)
        self._webhook_url = settings.figma_webhook_url

    async def identify(self, secret: dict[str, Any]) -> Account:
        team = team_of(secret)
        if team is not None and (not team.isascii() or not team.isdigit()
                                 or len(team) > MAX_TEAM_ID):
            raise InvalidArgument.on("account_id", "the id of a Figma team: the digits of "
                                     "figma.com/files/team/<id>")
        try:
            me = await self.api.me(secret)
        except Throttled as throttled:
            raise Unavailable(f"Figma asks to slow down; try again in "
                              f"{throttled.retry_after:.0f} s.") from None
        return Account(name=str(me.get("handle") or me.get("email") or me["id"]),
                       external_id=str(me["id"]))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        raise InvalidArgument.on("redirect_url", TOKEN_ONLY)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        raise InvalidArgument.on("code", TOKEN_ONLY)

    async def revoke(self, secret: dict[str, Any]) -> None:
        """Figma's personal tokens are revoked by their owner only; what Labs registered with
        it (the team's webhooks to this Labs) is deleted. A token Figma refuses has no webhooks
        left to delete; an unreachable Figma raises (asked again)."""
        team = team_of(secret)
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
