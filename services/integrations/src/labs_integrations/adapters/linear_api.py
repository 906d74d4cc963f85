"""Linear's GraphQL API (LABS_LINEAR_API_URL) over httpx: Linear has no Python SDK, and Labs asks
it five things (who a key is, the issues changed since a time, a team's workflow states, a user's
email, and an issue's new title or state). Never called inside a transaction.

A personal API key goes in `Authorization` as it is, an OAuth access token as `Bearer <token>`.
Linear answers a query it cannot run with `{"errors": [...]}` (HTTP 400 for a malformed one, 200
with `data` null for one that names an unknown entity); a key it refuses with 401 or an
AUTHENTICATION_ERROR; too many requests with 429, or 400 and the code RATELIMITED, when its
`X-RateLimit-Requests-Reset` (epoch milliseconds) or `Retry-After` says when to come back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.throttled_get import (
    MAX_RETRY_AFTER,
    TIMEOUT_SECONDS,
    Sleep,
    json_of,
    retry_after,
)
from labs_integrations.config import Settings

PAGE_SIZE = 50
AUTH_CODES = frozenset({"AUTHENTICATION_ERROR", "FORBIDDEN"})
THROTTLED_CODES = frozenset({"RATELIMITED"})

# One fragment for every query that reads issues: what IssueFacts.of reads.
ISSUE_FIELDS = """
fragment IssueFields on Issue {
  id identifier title description estimate url updatedAt
  state { id name type position } team { id key } project { id } assignee { id email }
}"""
VIEWER = "query Viewer { viewer { id name email } organization { id name urlKey } }"
ISSUES = """query ChangedIssues($filter: IssueFilter, $after: String, $first: Int) {
  issues(filter: $filter, first: $first, after: $after, orderBy: updatedAt) {
    nodes { ...IssueFields }
    pageInfo { hasNextPage endCursor }
  }
}""" + ISSUE_FIELDS
TEAM_STATES = """query TeamStates($id: String!) {
  team(id: $id) { id key states { nodes { id name type position } } }
}"""
USER_EMAIL = "query UserEmail($id: String!) { user(id: $id) { id email } }"
ISSUE_UPDATE = """mutation UpdateIssue($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success issue { ...IssueFields } }
}""" + ISSUE_FIELDS


class LinearRefused(Exception):
    """Linear answered the query with errors (an entity it does not know, an input it refuses):
    asking again changes nothing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def authorization(secret: dict[str, Any]) -> str:
    """A personal API key ("lin_api_…", or given as `api_key`) as it is; an OAuth token Bearer."""
    token = str(secret.get("access_token") or "")
    if token.startswith("lin_api_") or (secret.get("kind") != "oauth"
                                        and secret.get("given_as") == "api_key"):
        return token
    return f"Bearer {token}"


def key_field(secret: dict[str, Any]) -> str:
    """The connect body's field that carried the credentials, for a 422 naming it."""
    return "api_key" if secret.get("given_as") == "api_key" else "access_token"


def _codes(body: Any) -> set[str]:
    if not isinstance(body, dict):
        return set()
    return {str((e.get("extensions") or {}).get("code") or "").upper()
            for e in body.get("errors") or [] if isinstance(e, dict)}


def _messages(body: Any) -> str:
    if not isinstance(body, dict):
        return "no reason given"
    return "; ".join(str(e.get("message")) for e in body.get("errors") or []
                     if isinstance(e, dict))[:500] or "no reason given"


def _wait(answer: httpx.Response) -> float:
    """Seconds until Linear takes requests again: Retry-After, else its reset time."""
    if "Retry-After" in answer.headers:
        return retry_after(answer)
    try:
        reset = float(answer.headers["X-RateLimit-Requests-Reset"]) / 1000 - time.time()
    except (KeyError, ValueError):
        return retry_after(answer)
    return min(MAX_RETRY_AFTER, max(0.0, reset))


class LinearApi:
    def __init__(self, settings: Settings, *, sleep: Sleep = asyncio.sleep) -> None:
        self.url = settings.linear_api_url
        self._max_throttles = settings.import_max_throttles
        self._sleep = sleep

    async def execute(self, secret: dict[str, Any], query: str,
                      variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`data` of the query; InvalidArgument naming the key's field when Linear refuses it,
        LinearRefused for its errors, Unavailable when it cannot answer now."""
        headers = {"Authorization": authorization(secret), "Content-Type": "application/json",
                   "Accept": "application/json"}
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            for _ in range(self._max_throttles + 1):
                try:
                    answer = await client.post(self.url, headers=headers, json={
                        "query": query, "variables": variables or {}})
                except httpx.HTTPError as error:
                    raise Unavailable("Linear cannot be reached; try again shortly.") from error
                body = json_of(answer)
                codes = _codes(body)
                if answer.status_code == 429 or codes & THROTTLED_CODES:
                    await self._sleep(_wait(answer))
                    continue
                if answer.status_code == 401 or codes & AUTH_CODES:
                    raise InvalidArgument.on(key_field(secret), "Linear does not accept this "
                                             "key: " + _messages(body))
                if answer.status_code >= 500 or not isinstance(body, dict):
                    raise Unavailable(f"Linear answered {answer.status_code}; try again "
                                      "shortly.")
                if body.get("errors") or not isinstance(body.get("data"), dict):
                    raise LinearRefused(_messages(body))
                return body["data"]
        raise Unavailable("Linear kept asking Labs to slow down; try again later.")

    async def viewer(self, secret: dict[str, Any]) -> dict[str, Any]:
        """{viewer: {id, name, email}, organization: {id, name, urlKey}}."""
        try:
            return await self.execute(secret, VIEWER)
        except LinearRefused as error:
            raise InvalidArgument.on(key_field(secret), f"Linear refused: {error}") from None

    async def issues(self, secret: dict[str, Any], since: datetime | None, teams: list[str],
                     projects: list[str]) -> AsyncIterator[list[dict[str, Any]]]:
        """The issues of the teams (by key) or projects (by id) updated after `since` (all of
        them without it), a page at a time, following `pageInfo.endCursor`."""
        scope: list[dict[str, Any]] = []
        if teams:
            scope.append({"team": {"key": {"in": teams}}})
        if projects:
            scope.append({"project": {"id": {"in": projects}}})
        if not scope:
            return
        issue_filter: dict[str, Any] = {"or": scope}
        if since is not None:
            issue_filter["updatedAt"] = {"gt": since.isoformat().replace("+00:00", "Z")}
        after: str | None = None
        while True:
            data = await self.execute(secret, ISSUES, {"filter": issue_filter, "after": after,
                                                       "first": PAGE_SIZE})
            found = data.get("issues") or {}
            yield [node for node in found.get("nodes") or [] if isinstance(node, dict)]
            page = found.get("pageInfo") or {}
            after = page.get("endCursor")
            if not page.get("hasNextPage") or not after:
                return

    async def team_states(self, secret: dict[str, Any], team_id: str) -> list[dict[str, Any]]:
        data = await self.execute(secret, TEAM_STATES, {"id": team_id})
        return list(((data.get("team") or {}).get("states") or {}).get("nodes") or [])

    async def user_email(self, secret: dict[str, Any], user_id: str) -> str | None:
        try:
            data = await self.execute(secret, USER_EMAIL, {"id": user_id})
        except LinearRefused:
            return None
        return (data.get("user") or {}).get("email") or None

    async def update_issue(self, secret: dict[str, Any], issue_id: str, *,
                           title: str | None = None, state_id: str | None = None
                           ) -> dict[str, Any]:
        """The issue as Linear has it after the change."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = title
        if state_id is not None:
            changes["stateId"] = state_id
        data = await self.execute(secret, ISSUE_UPDATE, {"id": issue_id, "input": changes})
        result = data.get("issueUpdate") or {}
        if not result.get("success") or not isinstance(result.get("issue"), dict):
            raise LinearRefused("Linear did not apply the change")
        return result["issue"]
