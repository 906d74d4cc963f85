"""Presence and typing in project rooms, shared by every gateway replica through core NATS.

Subjects `labs.live.<org_id>.<project_id>.presence|typing` are ephemeral: no stream captures
`labs.live.>`, so nothing is stored or replayed. The payload is the client message itself, and the
`Labs-Origin` header names the socket it came from, so that socket gets no echo of itself.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from nats.aio.client import Client as Nats

from labs_gateway.ws.connection import Connection
from labs_gateway.ws.events import rfc3339_now

LIVE_PREFIX = "labs.live"
ORIGIN_HEADER = "Labs-Origin"
PRESENCE, TYPING = "presence", "typing"


@dataclass(frozen=True)
class LiveSubject:
    org_id: str
    project_id: str
    kind: str

    def __str__(self) -> str:
        return f"{LIVE_PREFIX}.{self.org_id}.{self.project_id}.{self.kind}"

    @classmethod
    def parse(cls, subject: str) -> LiveSubject | None:
        parts = subject.split(".")
        if len(parts) != 5 or ".".join(parts[:2]) != LIVE_PREFIX:
            return None
        return cls(parts[2], parts[3], parts[4])


class Presence:
    """Announces what a socket does in a room; a no-op without NATS (then nobody is listening)."""

    def __init__(self, nats: Nats | None) -> None:
        self._nats = nats

    async def joined(self, connection: Connection, project_id: str) -> None:
        await self._publish(connection, project_id, PRESENCE, "user:joined", {})

    async def left(self, connection: Connection, project_id: str) -> None:
        await self._publish(connection, project_id, PRESENCE, "user:left", {})

    async def typing(self, connection: Connection, project_id: str, task_id: str | None) -> None:
        extra = {"task_id": task_id} if task_id else {}
        await self._publish(connection, project_id, TYPING, "typing", extra)

    async def _publish(self, connection: Connection, project_id: str, kind: str, ws_type: str,
                       extra: dict[str, str]) -> None:
        if self._nats is None or not self._nats.is_connected:
            return
        message = {
            "type": ws_type, "id": str(uuid.uuid4()), "ts": rfc3339_now(),
            "data": {"user_id": connection.user_id, "project_id": project_id, **extra},
        }
        await self._nats.publish(
            str(LiveSubject(connection.org_id, project_id, kind)),
            json.dumps(message, separators=(",", ":")).encode(),
            headers={ORIGIN_HEADER: connection.id},
        )
