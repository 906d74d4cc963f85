"""Each platform's side of a connection, through its official SDK: who a token is (checked
before it is stored), the OAuth authorization URL and code exchange, and revocation.

PyGithub is synchronous: its calls run in a worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

import httpx

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.asana_side import AsanaSide
from labs_integrations.adapters.figma_side import FigmaSide
from labs_integrations.adapters.harvest_api import HarvestApi
from labs_integrations.adapters.jira_side import JiraSide
from labs_integrations.adapters.linear_side import LinearSide
from labs_integrations.adapters.notion_side import NotionSide
from labs_integrations.adapters.oauth_client import OAuthClient, issued, revoke_at
from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed, StaticToken
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Account, Platform
from labs_integrations.domain.quickbooks import needs_refresh

if TYPE_CHECKING:
    import github
    from slack_sdk.web.async_client import AsyncWebClient

# PyGithub (`import github`, the largest import of this service) and slack_sdk (the next) are
# imported by the calls that use them, on the first one: a replica that never talks to GitHub
# or Slack never loads them.

GITHUB_SCOPES = "repo read:user user:email"
SLACK_SCOPES = "commands,chat:write,chat:write.public,users:read,users:read.email,im:write"
TIMEOUT_SECONDS = 10


class PlatformSide(Protocol):
    platform: Platform

    async def identify(self, secret: dict[str, Any]) -> Account: ...

    def authorization_url(self, state: str, redirect_url: str) -> str: ...

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]: ...

    # With the deleted connection's settings: what Labs registered may follow them (the Figma
    # team whose webhooks are deleted).
    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None: ...


def github_client(settings: Settings, token: str) -> github.Github:
    """PyGithub at LABS_GITHUB_API_URL: few retries (the caller's own retries, with its outbox,
    are what survives an outage) and no client-side pacing (one client per unit of work)."""
    import github  # on first use: see the note at the top

    return github.Github(base_url=settings.github_api_url.rstrip("/"),
                         auth=github.Auth.Token(token),
                         timeout=TIMEOUT_SECONDS, retry=github.GithubRetry(total=2),
                         seconds_between_requests=None, seconds_between_writes=None)


def slack_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    from slack_sdk.web.async_client import AsyncWebClient  # on first use: see the note at the top

    base = settings.slack_api_url if settings.slack_api_url.endswith("/") else \
        settings.slack_api_url + "/"
    return AsyncWebClient(token=token, base_url=base, timeout=TIMEOUT_SECONDS)


class GitHubSide:
    platform = Platform.GITHUB

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def identify(self, secret: dict[str, Any]) -> Account:
        import github  # on first use: see the note at the top

        def who() -> Account:
            user = github_client(self._settings, secret["access_token"]).get_user()
            return Account(name=user.login, external_id=str(user.id))

        try:
            return await asyncio.to_thread(who)
        except github.BadCredentialsException:
            raise InvalidArgument.on("access_token", "GitHub does not accept this token") from None
        except github.GithubException as error:
            if error.status in (401, 403):
                raise InvalidArgument.on("access_token",
                                         "GitHub does not accept this token") from None
            raise Unavailable(f"GitHub answered {error.status}; try again shortly.") from None
        except Exception as error:  # connection refused, timeouts: requests' own errors
            raise Unavailable("GitHub cannot be reached; try again shortly.") from error

    def authorization_url(self, state: str, redirect_url: str) -> str:
        query = urlencode({"client_id": self._settings.github_client_id, "state": state,
                           "redirect_uri": redirect_url, "scope": GITHUB_SCOPES})
        return f"{self._settings.github_oauth_url.rstrip('/')}/login/oauth/authorize?{query}"

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                answer = await client.post(
                    f"{self._settings.github_oauth_url.rstrip('/')}/login/oauth/access_token",
                    headers={"Accept": "application/json"},
                    data={"client_id": self._settings.github_client_id,
                          "client_secret":
                              self._settings.github_client_secret.get_secret_value(),
                          "code": code, "redirect_uri": redirect_url})
        except httpx.HTTPError as error:
            raise Unavailable("GitHub cannot be reached; try again shortly.") from error
        body = answer.json() if answer.headers.get("content-type", "").startswith(
            "application/json") else {}
        if answer.status_code >= 500:
            raise Unavailable(f"GitHub answered {answer.status_code}; try again shortly.")
        if not body.get("access_token"):
            raise InvalidArgument.on("code", "GitHub did not accept this authorization code")
        return {"access_token": body["access_token"], "scope": body.get("scope", "")}

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Deletes the OAuth grant (only an OAuth app's own tokens can be revoked so)."""
        if not self._settings.github_client_id or secret.get("kind") != "oauth":
            return
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            await client.request(
                "DELETE",
                f"{self._settings.github_api_url.rstrip('/')}/applications/"
                f"{self._settings.github_client_id}/grant",
                auth=(self._settings.github_client_id,
                      self._settings.github_client_secret.get_secret_value()),
                json={"access_token": secret["access_token"]})


class SlackSide:
    platform = Platform.SLACK

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def identify(self, secret: dict[str, Any]) -> Account:
        from slack_sdk.errors import SlackApiError  # on first use: see the note at the top

        try:
            answer = await slack_client(self._settings, secret["access_token"]).auth_test()
        except SlackApiError as error:
            if error.response.get("error") in ("invalid_auth", "not_authed", "token_revoked",
                                               "account_inactive", "token_expired"):
                raise InvalidArgument.on("access_token",
                                         "Slack does not accept this token") from None
            raise Unavailable(f"Slack answered {error.response.get('error')}.") from None
        except Exception as error:
            raise Unavailable("Slack cannot be reached; try again shortly.") from error
        return Account(name=str(answer.get("team") or answer.get("team_id")),
                       external_id=str(answer.get("team_id")))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        query = urlencode({"client_id": self._settings.slack_client_id, "state": state,
                           "redirect_uri": redirect_url, "scope": SLACK_SCOPES})
        return f"{self._settings.slack_oauth_url.rstrip('/')}/oauth/v2/authorize?{query}"

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        from slack_sdk.errors import SlackApiError  # on first use: see the note at the top

        try:
            answer = await slack_client(self._settings).oauth_v2_access(
                client_id=self._settings.slack_client_id,
                client_secret=self._settings.slack_client_secret.get_secret_value(),
                code=code, redirect_uri=redirect_url)
        except SlackApiError:
            raise InvalidArgument.on("code",
                                     "Slack did not accept this authorization code") from None
        except Exception as error:
            raise Unavailable("Slack cannot be reached; try again shortly.") from error
        return {"access_token": answer["access_token"],
                "bot_user_id": answer.get("bot_user_id", "")}

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """A token Slack refuses is revoked already; an unreachable Slack raises (asked again)."""
        from slack_sdk.errors import SlackApiError  # on first use: see the note at the top

        try:
            await slack_client(self._settings, secret["access_token"]).auth_revoke()
        except SlackApiError:
            return


class HarvestSide:
    """A personal access token with its account id, or OAuth (whose access token lasts 14 days
    and is refreshed before it expires: `refresh`)."""

    platform = Platform.HARVEST

    def __init__(self, settings: Settings) -> None:
        self.api = HarvestApi(settings)
        self._base = settings.harvest_oauth_url.rstrip("/")
        self._app = OAuthClient("Harvest", f"{self._base}/api/v2/oauth2/token",
                                settings.harvest_client_id, settings.harvest_client_secret)

    async def identify(self, secret: dict[str, Any]) -> Account:
        account_id = str(secret.get("account_id", "")).strip()
        if not account_id:
            raise InvalidArgument.on("account_id", "Harvest's account id is required with a "
                                     "personal access token (Harvest: Developers, Tokens)")
        if not account_id.isascii() or not account_id.isdigit() or len(account_id) > 20:
            raise InvalidArgument.on("account_id", "Harvest's account id is a number, as "
                                     "Harvest's Developers page shows it")
        await self.api.me(secret)  # the token works for this account
        company = await self.api.company(secret)
        return Account(name=str(company.get("name") or secret["account_id"]),
                       external_id=str(secret["account_id"]))

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(f"{self._base}/oauth2/authorize", state=state,
                                       redirect_uri=redirect_url, response_type="code")

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        """The tokens, and the first Harvest account the user may use (Forecast's aside)."""
        secret = issued(await self._app.exchange(code, redirect_url))
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                answer = await client.get(f"{self._base}/api/v2/accounts", headers={
                    "Authorization": f"Bearer {secret['access_token']}"})
        except httpx.HTTPError as error:
            raise Unavailable("Harvest cannot be reached; try again shortly.") from error
        accounts = [account for account in (answer.json().get("accounts") or [])
                    if account.get("product") == "harvest"] if answer.status_code == 200 else []
        if not accounts:
            raise InvalidArgument.on("code", "the Harvest user has no Harvest account")
        return {**secret, "account_id": str(accounts[0]["id"])}

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        """New tokens for an OAuth secret (the same account)."""
        return await self._app.refresh(secret)

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Harvest offers no revocation: the destroyed credentials are all Labs can end."""


def platform_sides(settings: Settings) -> dict[Platform, PlatformSide]:
    """The platforms connectable today (Jira's, Asana's and Linear's sides are modules of their
    own)."""
    return {Platform.GITHUB: GitHubSide(settings), Platform.SLACK: SlackSide(settings),
            Platform.HARVEST: HarvestSide(settings),
            Platform.QUICKBOOKS: QuickBooksSide(settings),
            Platform.JIRA: JiraSide(settings), Platform.ASANA: AsanaSide(settings),
            Platform.LINEAR: LinearSide(settings),
            Platform.FIGMA: FigmaSide(settings), Platform.NOTION: NotionSide(settings)}


QUICKBOOKS_SCOPE = "com.intuit.quickbooks.accounting"


class QuickBooksSide:
    """Intuit's OAuth 2.0 only (QuickBooks issues no personal tokens): the company (realmId)
    comes with the code on the redirect; access tokens last an hour and are refreshed by
    service_layer/quickbooks_tokens.py (`refresh` here is the call to Intuit), refresh tokens
    100 days, each refresh answering the next one."""

    platform = Platform.QUICKBOOKS

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.api = QuickBooksApi(settings)
        self._app = OAuthClient(
            "Intuit", f"{settings.quickbooks_oauth_url.rstrip('/')}/oauth2/v1/tokens/bearer",
            settings.quickbooks_client_id, settings.quickbooks_client_secret, basic=True)

    async def identify(self, secret: dict[str, Any]) -> Account:
        """The company (CompanyInfo's CompanyName, its realm id), read with the token. A token
        near its expiry is not used here: the sync refreshes it under its lease, and Intuit's
        answer to that refresh says whether the connection still works."""
        if secret.get("kind") == "token":
            raise InvalidArgument.on("access_token", "QuickBooks connects through Intuit's "
                                     "OAuth only: start with redirect_url")
        realm = str(secret.get("account_id") or "").strip()
        if not realm.isalnum():
            raise InvalidArgument.on("realm_id", "the realmId Intuit sent back beside the code "
                                     "is required")
        if needs_refresh(secret, datetime.now(UTC)):
            return Account(name=realm, external_id=realm)
        try:
            info = await self.api.company_info(StaticToken(realm, secret["access_token"]))
        except QuickBooksFailed as error:
            if error.auth:
                raise InvalidArgument.on("realm_id", "QuickBooks does not let this token "
                                         "read that company") from None
            raise Unavailable(f"QuickBooks could not be asked: {error.message}") from None
        return Account(name=str(info.get("CompanyName") or realm), external_id=realm)

    def authorization_url(self, state: str, redirect_url: str) -> str:
        return self._app.authorize_url(self._settings.quickbooks_authorize_url,
                                       scope=QUICKBOOKS_SCOPE, redirect_uri=redirect_url,
                                       response_type="code", state=state)

    @staticmethod
    def _tokens(answer: dict[str, Any]) -> dict[str, Any]:
        return {**issued(answer), "refresh_expires_at": time.time() + float(
            answer.get("x_refresh_token_expires_in") or 0)}

    async def exchange(self, code: str, redirect_url: str) -> dict[str, Any]:
        return self._tokens(await self._app.exchange(code, redirect_url))

    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        """New tokens for the same company; the refresh token used is spent."""
        answer = await self._app.grant({"grant_type": "refresh_token", "refresh_token": str(
            secret.get("refresh_token") or "")}, "refresh_token")
        return {**secret, **self._tokens(answer)}

    async def revoke(self, secret: dict[str, Any], settings: dict[str, Any]) -> None:
        """Ends the grant (its refresh and access tokens); one Intuit no longer knows is ended
        already. Unreachable, it raises and is asked again."""
        if not self._settings.quickbooks_client_id or not secret.get("refresh_token"):
            return
        await revoke_at(self._settings.quickbooks_revoke_url, platform="Intuit",
                        auth=self._app.sign_in(), json={"token": secret["refresh_token"]})
