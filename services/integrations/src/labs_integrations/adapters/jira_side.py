"""Jira's side of a connection: an API token of a Jira Cloud site (LABS_JIRA_API_URL) with the
email of the Atlassian account it belongs to, since Jira Cloud's API tokens sign in as HTTP
Basic `email:token`. The connect body carries that email as `account_id`, which API.md already
allows beside `access_token` (Atlassian's own accountId is read back from /myself)."""

from __future__ import annotations

import re
from typing import Any

from labs_common.errors import InvalidArgument
from labs_integrations.adapters.jira_api import JiraApi
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TOKEN_ONLY = ("Jira connects with an API token here (id.atlassian.com, Security, API tokens): "
              "access_token, and account_id the email of its Atlassian account")


class JiraSide:
    platform = Platform.JIRA

    def __init__(self, settings: Settings) -> None:
        self.api = JiraApi(settings)

    async def identify(self, secret: dict[str, Any]) -> Account:
        if not _EMAIL.fullmatch(str(secret.get("account_id") or "")):
            raise InvalidArgument.on("account_id", "the email of the Atlassian account the API "
                                     "token belongs to (Jira Cloud signs in with both)")
        me = await self.api.myself(secret)
        return Account(name=str(me.get("displayName") or me.get("emailAddress")
                                or secret["account_id"]),
                       external_id=str(me.get("accountId") or secret["account_id"]))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        raise InvalidArgument.on("redirect_url", TOKEN_ONLY)

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        raise InvalidArgument.on("code", TOKEN_ONLY)

    async def revoke(self, secret: dict[str, Any]) -> None:
        """Atlassian's API tokens are revoked by their owner only (no API): the destroyed
        credentials are all Labs can end."""
