"""Jira Cloud's REST API v3 over httpx (the `jira` package is synchronous and built on v2's
search, which Atlassian retired): who an API token is (`/myself`) and the issues of a JQL query
by the enhanced search (`/search/jql`, a page at a time, following `nextPageToken` until
`isLast`). Jira Cloud's API tokens sign in as HTTP Basic `email:token` at the site
(LABS_JIRA_API_URL); the connection keeps the email as its `account_id`. An OAuth (3LO)
connection's Bearer token goes through Atlassian's API gateway instead, to the site its grant
named (`/ex/jira/{cloud_id}`, LABS_ATLASSIAN_API_URL). Never called inside a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from labs_common.errors import Conflict, InvalidArgument, Unavailable
from labs_integrations.adapters.throttled_get import Sleep, json_of, throttled_get
from labs_integrations.config import Settings

SEARCH_FIELDS = "summary,description,status,assignee,timeoriginalestimate,updated"
PAGE_SIZE = 100


class JiraApi:
    def __init__(self, settings: Settings, *, sleep: Sleep = asyncio.sleep) -> None:
        self._base = settings.jira_api_url.rstrip("/")
        self._gateway = settings.atlassian_api_url.rstrip("/")
        self._max_throttles = settings.import_max_throttles
        self._sleep = sleep

    async def _get(self, secret: dict[str, Any], path: str,
                   params: dict[str, Any] | None = None) -> httpx.Response:
        token = str(secret.get("access_token") or "")
        if secret.get("cloud_id"):
            answer = await throttled_get(
                f"{self._gateway}/ex/jira/{secret['cloud_id']}{path}", platform="Jira",
                sleep=self._sleep, max_throttles=self._max_throttles, params=params,
                headers={"Accept": "application/json", "Authorization": f"Bearer {token}"})
            refused = "Jira does not accept this connection's token"
        else:
            if not self._base:
                raise Conflict("Jira is not set up on this Labs: LABS_JIRA_API_URL must name "
                               "the Jira Cloud site (https://<your-domain>.atlassian.net).",
                               reason="PLATFORM_NOT_CONFIGURED")
            answer = await throttled_get(
                f"{self._base}{path}", platform="Jira", sleep=self._sleep,
                max_throttles=self._max_throttles, params=params,
                headers={"Accept": "application/json"},
                auth=(str(secret.get("account_id") or ""), token))
            refused = "Jira does not accept this API token with this email"
        if answer.status_code in (401, 403):
            raise InvalidArgument.on("access_token", refused)
        return answer

    async def sites(self, access_token: str) -> list[dict[str, Any]]:
        """The Jira sites an OAuth grant reaches (Atlassian's accessible resources: `id` is the
        cloud id, `url`, `name`, `scopes`)."""
        answer = await throttled_get(
            f"{self._gateway}/oauth/token/accessible-resources", platform="Atlassian",
            sleep=self._sleep, max_throttles=self._max_throttles,
            headers={"Accept": "application/json", "Authorization": f"Bearer {access_token}"})
        body = json_of(answer)
        if answer.status_code in (401, 403):
            raise InvalidArgument.on("code", "Atlassian does not accept the token it issued")
        if answer.status_code != 200 or not isinstance(body, list):
            raise Unavailable(f"Atlassian answered {answer.status_code} to the sites of the "
                              "grant; try again shortly.")
        return [site for site in body if isinstance(site, dict) and site.get("id")]

    async def myself(self, secret: dict[str, Any]) -> dict[str, Any]:
        answer = await self._get(secret, "/rest/api/3/myself")
        body = json_of(answer)
        if answer.status_code != 200 or not isinstance(body, dict):
            raise Unavailable(f"Jira answered {answer.status_code}; try again shortly.")
        return body

    async def search(self, secret: dict[str, Any], jql: str
                     ) -> AsyncIterator[list[dict[str, Any]]]:
        """The issues of `jql`, a page (up to 100) at a time. A query Jira refuses is an
        InvalidArgument naming `source`, with Jira's words."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "maxResults": PAGE_SIZE,
                                      "fields": SEARCH_FIELDS}
            if token:
                params["nextPageToken"] = token
            answer = await self._get(secret, "/rest/api/3/search/jql", params)
            body = json_of(answer)
            if answer.status_code == 400:
                raise InvalidArgument.on("source", f"Jira refused the query: {_messages(body)}")
            if answer.status_code != 200 or not isinstance(body, dict):
                raise Unavailable(f"Jira answered {answer.status_code} to the search.")
            yield [issue for issue in body.get("issues") or [] if isinstance(issue, dict)]
            token = body.get("nextPageToken")
            if body.get("isLast") or not token:
                return


def _messages(body: Any) -> str:
    """Jira's `errorMessages` and `errors` of a refusal, in one line."""
    if not isinstance(body, dict):
        return "no reason given"
    said = [str(m) for m in body.get("errorMessages") or []]
    said += [str(m) for m in (body.get("errors") or {}).values()]
    return "; ".join(said)[:500] or "no reason given"
