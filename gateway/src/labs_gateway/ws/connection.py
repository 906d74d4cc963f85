"""One authenticated socket: who it is, the project rooms it joined, and what it has yet to send."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import structlog
from starlette.websockets import WebSocket

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role

log = structlog.get_logger("labs.gateway.ws")

# Close codes: 1013 "try again later" for a socket too slow to keep up with its events.
CLOSE_TOO_SLOW = 1013


class Connection:
    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int) -> None:
        self.id = uuid.uuid4().hex
        self.websocket = websocket
        self.principal = principal
        self.rooms: set[str] = set()
        # One writer drains this queue, so frames never interleave and a slow client only fills
        # its own bounded buffer instead of holding up the fan-out to everyone else.
        self._outbox: asyncio.Queue[str] = asyncio.Queue(queue_size)
        self._overflowed = False

    @property
    def org_id(self) -> str:
        return str(self.principal.org_id)

    @property
    def user_id(self) -> str:
        return str(self.principal.user_id)

    def wants_event(self, project_id: str) -> bool:
        """Org events reach everyone; subscribing narrows to the rooms joined. A client-role user
        sees only project events of rooms it joined (until projects can tell its client's)."""
        if self.principal.role == Role.CLIENT or self.rooms:
            return bool(project_id) and project_id in self.rooms
        return True

    def offer(self, text: str) -> None:
        """Queue a frame without waiting; a socket that falls this far behind is disconnected."""
        if self._overflowed:
            return
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            # The queue is full, so the writer is about to take a frame and will see the flag.
            self._overflowed = True
            log.warning("ws.too_slow", connection=self.id, user_id=self.user_id)

    def reply(self, message: dict[str, Any]) -> None:
        self.offer(json.dumps(message, separators=(",", ":")))

    async def pump(self) -> None:
        """Send queued frames until cancelled (or the socket is too slow and gets closed)."""
        while True:
            text = await self._outbox.get()
            if self._overflowed:
                await self.websocket.close(CLOSE_TOO_SLOW, "too slow to keep up with events")
                return
            await self.websocket.send_text(text)
