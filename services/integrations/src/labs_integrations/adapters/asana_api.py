"""Asana's API 1.0 over httpx: who a personal access token is (`/users/me`) and the tasks of a
project (`/projects/{gid}/tasks`, 100 a page, following `next_page.offset`). Not Asana's SDK:
it is synchronous (each call would need a worker thread) and brings a large generated client
for two GETs. Never called inside a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.throttled_get import Sleep, json_of, throttled_get
from labs_integrations.config import Settings

TASK_FIELDS = ",".join((
    "name", "notes", "completed", "assignee.email", "memberships.project.gid",
    "memberships.section.name", "modified_at", "custom_fields.name",
    "custom_fields.number_value", "custom_fields.representation_type"))
PAGE_SIZE = 100


class AsanaApi:
    def __init__(self, settings: Settings, *, sleep: Sleep = asyncio.sleep) -> None:
        self._base = settings.asana_api_url.rstrip("/")
        self._max_throttles = settings.import_max_throttles
        self._sleep = sleep

    async def _get(self, secret: dict[str, Any], path: str,
                   params: dict[str, Any] | None = None) -> httpx.Response:
        answer = await throttled_get(
            f"{self._base}{path}", platform="Asana", sleep=self._sleep,
            max_throttles=self._max_throttles, params=params,
            headers={"Authorization": f"Bearer {secret.get('access_token') or ''}",
                     "Accept": "application/json"})
        if answer.status_code == 401:
            raise InvalidArgument.on("access_token", "Asana does not accept this token")
        return answer

    async def me(self, secret: dict[str, Any]) -> dict[str, Any]:
        answer = await self._get(secret, "/users/me", {"opt_fields": "name,email"})
        body = json_of(answer)
        if answer.status_code != 200 or not isinstance(body, dict) or \
                not isinstance(body.get("data"), dict):
            raise Unavailable(f"Asana answered {answer.status_code}; try again shortly.")
        return body["data"]

    async def project_tasks(self, secret: dict[str, Any], project_gid: str
                            ) -> AsyncIterator[list[dict[str, Any]]]:
        """The project's tasks, a page at a time. A project Asana does not show this token
        (unknown, another workspace's, private) is an InvalidArgument naming `source`."""
        offset: str | None = None
        while True:
            params: dict[str, Any] = {"opt_fields": TASK_FIELDS, "limit": PAGE_SIZE}
            if offset:
                params["offset"] = offset
            answer = await self._get(secret, f"/projects/{project_gid}/tasks", params)
            body = json_of(answer)
            if answer.status_code in (400, 403, 404):
                raise InvalidArgument.on("source", f"Asana cannot read project {project_gid} "
                                         f"with this token: {_messages(body)}")
            if answer.status_code != 200 or not isinstance(body, dict):
                raise Unavailable(f"Asana answered {answer.status_code} to the task list.")
            yield [task for task in body.get("data") or [] if isinstance(task, dict)]
            offset = (body.get("next_page") or {}).get("offset")
            if not offset:
                return


def _messages(body: Any) -> str:
    if not isinstance(body, dict):
        return "no reason given"
    return "; ".join(str(e.get("message")) for e in body.get("errors") or []
                     if isinstance(e, dict))[:500] or "no reason given"
