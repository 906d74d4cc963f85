"""Jira's side of a connection: an API token of a Jira Cloud site (LABS_JIRA_API_URL) with the
email of the Atlassian account it belongs to, since Jira Cloud's API tokens sign in as HTTP
Basic `email:token`. The connect body carries that email as `account_id`, which API.md already
allows beside `access_token` (Atlassian's own accountId is read back from /myself).

Or Atlassian's OAuth 2.0 (3LO): consent on auth.atlassian.com for reading issues and users,
with `offline_access` for a refresh token; the code's tokens reach the sites the user chose,
listed by the API gateway's accessible resources, and the connection reads the first Jira site
among them (its cloud id kept in the secret) through the gateway. Access tokens last an hour;
each refresh answers a new refresh token and spends the old one."""

from __future__ import annotations

import re
from typing import Any

from labs_common.errors import InvalidArgument
from labs_integrations.adapters.jira_api import JiraApi
from labs_integrations.adapters.oauth_client import OAuthClient, issued
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SCOPES = "read:jira-work read:jira-user offline_access"
# A site the grant reaches whose issues it may read (a Confluence site lists other scopes).
READS_ISSUES = "read:jira-work"


class JiraSide:
    platform = Platform.JIRA

    def __init__(self, settings: Settings) -> None:
        self.api = JiraApi(settings)
        self._oauth = settings.jira_oauth_url.rstrip("/")
        self._app = OAuthClient("Atlassian", f"{self._oauth}/oauth/token",
                                settings.jira_client_id, settings.jira_client_secret,
                                body="json")

    async def identify(self, secret: dict[str, Any]) -> Account:
        oauth = bool(secret.get("cloud_id"))
        if not oauth and not _EMAIL.fullmatch(str(secret.get("account_id") or "")):
            raise InvalidArgument.on("account_id", "the email of the Atlassian account the API "
                                     "token belongs to (Jira Cloud signs in with both)")
        me = await self.api.myself(secret)
        return Account(name=str(me.get("displayName") or me.get("emailAddress")
                                or secret.get("account_id") or me.get("accountId")),
                       external_id=str(me.get("accountId") or secret.get("account_id")))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(f"{self._oauth}/authorize", audience="api.atlassian.com",
                                       scope=SCOPES, redirect_uri=redirect_url, state=state,
                                       response_type="code", prompt="consent")

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        tokens = issued(await self._app.exchange(code, redirect_url))
        sites = [site for site in await self.api.sites(tokens["access_token"])
                 if READS_ISSUES in (site.get("scopes") or [])]
        if not sites:
            raise InvalidArgument.on("code", "the consent gave Labs no Jira site to read; "
                                     "start again and choose one")
        site = sites[0]
        return {**tokens, "cloud_id": str(site["id"]), "site_url": str(site.get("url") or ""),
                "site_name": str(site.get("name") or "")}

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self._app.refresh(secret)

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Atlassian's API tokens are revoked by their owner only, and Atlassian offers apps no
        revocation of a 3LO grant (its user removes the app in their account's Connected
        apps): the destroyed credentials are all Labs can end."""
