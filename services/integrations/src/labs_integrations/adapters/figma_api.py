"""Figma's REST API over httpx (Figma publishes no Python SDK): who a token is (`/v1/me`), a
file's name, thumbnail and last change (`/v1/files/{key}?depth=1`: the document's first level
only, not its whole tree), and the team webhooks (v2) that tell Labs of file changes and
comments. A personal access token goes in `X-Figma-Token`, an OAuth token as `Authorization:
Bearer` (Figma's two schemes). Never called inside a transaction."""

from __future__ import annotations

from typing import Any

from labs_common.errors import InvalidArgument, NotFound, Unavailable
from labs_integrations.adapters.rate_limited import request_once
from labs_integrations.adapters.throttled_get import json_of
from labs_integrations.config import Settings
from labs_integrations.domain.links import TargetFacts, platform_time

PLATFORM = "Figma"


def figma_headers(secret: dict[str, Any]) -> dict[str, str]:
    token = str(secret.get("access_token") or "")
    if secret.get("kind") == "oauth":
        return {"Authorization": f"Bearer {token}"}
    return {"X-Figma-Token": token}


class FigmaApi:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.figma_api_url.rstrip("/")

    async def _call(self, method: str, secret: dict[str, Any], path: str, *,
                    params: dict[str, Any] | None = None, json: Any = None) -> Any:
        answer = await request_once(method, f"{self._base}{path}", platform=PLATFORM,
                                    headers=figma_headers(secret), params=params, json=json)
        body = json_of(answer)
        # Figma answers 403 "Invalid token" for a token it does not know (and 401 for some).
        if answer.status_code in (401, 403):
            raise InvalidArgument.on("access_token", "Figma does not accept this token")
        if answer.status_code == 404:
            raise NotFound(f"Figma has no {path} for this token")
        if answer.status_code == 400:
            raise InvalidArgument.on("figma", f"Figma refused the request: {_err(body)}")
        if not 200 <= answer.status_code < 300:
            raise Unavailable(f"Figma answered {answer.status_code}; try again shortly.")
        return body

    async def me(self, secret: dict[str, Any]) -> dict[str, Any]:
        body = await self._call("GET", secret, "/v1/me")
        if not isinstance(body, dict) or not body.get("id"):
            raise Unavailable("Figma answered /v1/me with something else than a user.")
        return body

    async def file(self, secret: dict[str, Any], key: str) -> TargetFacts:
        """The file's name, thumbnail and last change. NotFound when the token cannot see it
        (Figma answers 404 for both)."""
        body = await self._call("GET", secret, f"/v1/files/{key}", params={"depth": 1})
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise Unavailable("Figma answered a file without its name.")
        return TargetFacts(title=body["name"], thumbnail_url=body.get("thumbnailUrl") or None,
                           changed_at=platform_time(body.get("lastModified")))

    async def team_webhooks(self, secret: dict[str, Any], team_id: str) -> list[dict[str, Any]]:
        body = await self._call("GET", secret, f"/v2/teams/{team_id}/webhooks")
        hooks = body.get("webhooks") if isinstance(body, dict) else None
        return [hook for hook in hooks or [] if isinstance(hook, dict)]

    async def create_webhook(self, secret: dict[str, Any], *, team_id: str, event_type: str,
                             endpoint: str, passcode: str, description: str
                             ) -> dict[str, Any]:
        body = await self._call("POST", secret, "/v2/webhooks", json={
            "event_type": event_type, "team_id": team_id, "endpoint": endpoint,
            "passcode": passcode, "description": description})
        if not isinstance(body, dict) or not body.get("id"):
            raise Unavailable("Figma answered the webhook's creation without its id.")
        return body

    async def delete_webhook(self, secret: dict[str, Any], webhook_id: str) -> None:
        try:
            await self._call("DELETE", secret, f"/v2/webhooks/{webhook_id}")
        except NotFound:
            return  # gone already


def _err(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("err") or "no reason given")[:500]
    return "no reason given"
