"""Notion's REST API over httpx (Notion's official SDKs are JavaScript's; Python has none):
who an integration token is (`/v1/users/me`: its bot and workspace) and a page's title, preview
and last edit (`/v1/pages/{id}`). Every request names the API version it was written for
(`Notion-Version: 2022-06-28`), as Notion requires. Never called inside a transaction."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument, NotFound, Unavailable
from labs_integrations.adapters.rate_limited import request_once
from labs_integrations.adapters.throttled_get import json_of
from labs_integrations.config import Settings
from labs_integrations.domain.links import TargetFacts, platform_time

PLATFORM = "Notion"
NOTION_VERSION = "2022-06-28"


class NotionApi:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.notion_api_url.rstrip("/")

    async def _get(self, secret: dict[str, Any], path: str) -> dict[str, Any]:
        answer = await request_once("GET", f"{self._base}{path}", platform=PLATFORM, headers={
            "Authorization": f"Bearer {secret.get('access_token') or ''}",
            "Notion-Version": NOTION_VERSION, "Accept": "application/json"})
        body = json_of(answer)
        if answer.status_code == 401:
            raise InvalidArgument.on("access_token", "Notion does not accept this token")
        # A page not shared with the integration is a 404 too (Notion says object_not_found);
        # a database's id given as a page's is a 400 validation_error.
        if answer.status_code in (400, 403, 404):
            raise NotFound(f"Notion shows this integration no page {path}: {_message(body)}")
        if answer.status_code != 200 or not isinstance(body, dict):
            raise Unavailable(f"Notion answered {answer.status_code}; try again shortly.")
        return body

    async def me(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self._get(secret, "/v1/users/me")

    async def page(self, secret: dict[str, Any], page_id: str) -> TargetFacts:
        body = await self._get(secret, f"/v1/pages/{page_id}")
        return TargetFacts(title=page_title(body), thumbnail_url=page_image(body),
                           changed_at=platform_time(body.get("last_edited_time")))


def page_title(page: dict[str, Any]) -> str:
    """The plain text of the page's property of type "title" (every page has one, whatever
    its name: "Name" in a database, "title" elsewhere)."""
    for prop in (page.get("properties") or {}).values():
        if isinstance(prop, dict) and prop.get("type") == "title":
            return "".join(str(part.get("plain_text") or "") for part in prop.get("title") or []
                           if isinstance(part, dict))
    return ""


def page_image(page: dict[str, Any]) -> str | None:
    """The page's cover, else its icon, when it is an image file (uploaded or external); an
    emoji icon is no thumbnail."""
    for name in ("cover", "icon"):
        image = page.get(name)
        if isinstance(image, dict) and image.get("type") in ("file", "external",
                                                             "custom_emoji"):
            url = (image.get(image["type"]) or {}).get("url")
            if isinstance(url, str) and url:
                return url
    return None


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("code") or "no reason given")[:500]
    return "no reason given"
