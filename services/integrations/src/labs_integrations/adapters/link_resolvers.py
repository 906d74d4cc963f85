"""How a link's target is read from its platform, one resolver per platform: the registry the
link refresher asks (service_layer/link_refresh.py). A platform without a resolver keeps its
links' titles empty, and nothing is wrong with them.

A resolver answers the target's facts, or raises: NotFound (the connection cannot see it),
InvalidArgument naming `access_token` (the platform refuses the connection's token), Throttled
(the platform asks to wait), Unavailable (it cannot be reached). Never called inside a
transaction."""

from __future__ import annotations

from typing import Any, Protocol

from labs_common.errors import NotFound
from labs_integrations.adapters.figma_api import FigmaApi
from labs_integrations.adapters.github_api import GitHubApi
from labs_integrations.adapters.linear_api import LinearApi, LinearRefused
from labs_integrations.adapters.notion_api import NotionApi
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.links import TargetFacts, github_issue, platform_time


class Resolver(Protocol):
    async def resolve(self, secret: dict[str, Any], key: str) -> TargetFacts:
        """The facts of the target `key` (as domain.links.target_of made it), read with the
        org's connection (`secret`: its opened credentials)."""
        ...


class FigmaFiles:
    def __init__(self, api: FigmaApi) -> None:
        self._api = api

    async def resolve(self, secret: dict[str, Any], key: str) -> TargetFacts:
        return await self._api.file(secret, key)


class NotionPages:
    def __init__(self, api: NotionApi) -> None:
        self._api = api

    async def resolve(self, secret: dict[str, Any], key: str) -> TargetFacts:
        return await self._api.page(secret, key)


class GitHubIssues:
    """Through the GitHub connection's token and PyGithub (adapters/github_api.py)."""

    def __init__(self, api: GitHubApi) -> None:
        self._api = api

    async def resolve(self, secret: dict[str, Any], key: str) -> TargetFacts:
        repository, number = github_issue(key)
        issue = await self._api.issue(str(secret.get("access_token") or ""), repository, number)
        return TargetFacts(title=str(issue.get("title") or ""),
                           changed_at=platform_time(issue.get("updated_at")))


LINEAR_ISSUE = "query Issue($id: String!) { issue(id: $id) { title updatedAt } }"


class LinearIssues:
    """Through the Linear connection (adapters/linear_api.py); Linear finds an issue by its
    identifier ("ENG-123"), the part of the key after the workspace."""

    def __init__(self, api: LinearApi) -> None:
        self._api = api

    async def resolve(self, secret: dict[str, Any], key: str) -> TargetFacts:
        identifier = key.rsplit("/", 1)[-1]
        try:
            data = await self._api.execute(secret, LINEAR_ISSUE, {"id": identifier})
        except LinearRefused as error:
            raise NotFound(f"Linear has no issue {identifier} for this key.") from error
        issue = data.get("issue") or {}
        return TargetFacts(title=str(issue.get("title") or ""),
                           changed_at=platform_time(issue.get("updatedAt")))


def link_resolvers(figma: FigmaApi, notion: NotionApi, github: GitHubApi, linear: LinearApi
                   ) -> dict[Platform, Resolver]:
    return {Platform.FIGMA: FigmaFiles(figma), Platform.NOTION: NotionPages(notion),
            Platform.GITHUB: GitHubIssues(github), Platform.LINEAR: LinearIssues(linear)}
