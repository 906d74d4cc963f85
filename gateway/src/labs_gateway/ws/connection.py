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
from labs_common.visibility import Reader
from labs_gateway.financials import FinancialsLevels
from labs_gateway.ws.frames import DirectWriter, text_frame

log = structlog.get_logger("labs.gateway.ws")

# Close codes: 1013 "try again later" for a socket too slow to keep up with its events.
CLOSE_TOO_SLOW = 1013


class Connection:
    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int,
                 financials: FinancialsLevels | None = None) -> None:
        self.id = uuid.uuid4().hex
        self.websocket = websocket
        self._financials = financials
        self.principal = principal
        self.rooms: set[str] = set()
        # For a client-role user: the projects of its client, listed at connect and kept current
        # from project events, so new projects reach it without a reconnect.
        self.client_projects: set[str] = set()
        # One writer drains this queue, so frames never interleave and a slow client only fills
        # its own bounded buffer instead of holding up the fan-out to everyone else.
        self._outbox: asyncio.Queue[str] = asyncio.Queue(queue_size)
        # While nothing is queued or being sent, a frame may go straight out (ws/frames.py).
        self._direct = DirectWriter.of(websocket)
        self._sending = False
        self._overflowed = False
        self._closing: tuple[int, str] | None = None

    @property
    def principal(self) -> Principal:
        return self._principal

    @principal.setter
    def principal(self, principal: Principal) -> None:
        # Read for every event by the hub: kept as plain attributes, not worked out each time.
        self._principal = principal
        self.org_id = str(principal.org_id)
        self.user_id = str(principal.user_id)
        self.is_client = principal.role is Role.CLIENT
        self._reader = Reader.of(principal)

    @property
    def reader(self) -> Reader:
        """Who this socket shows events to: its principal, with the organization's financials
        level as the gateway last heard it (so a changed setting applies at once). The same
        Reader while neither changes, rather than a new one for every event."""
        if self._financials is not None:
            level = self._financials.cached(self.org_id)
            if level is not self._reader.financials_from:
                self._reader = Reader.of(self._principal, financials_from=level)
        return self._reader

    def wants_event(self, project_id: str, client_id: str = "") -> bool:
        """Org events reach everyone; subscribing narrows to the rooms joined. A client-role user
        sees only events of its client's projects, or about an object of its client (`client_id`:
        an invoice without a project), narrowed, too, by the rooms it joined."""
        if self.is_client and not (project_id in self.client_projects
                                   or self._is_own_client(client_id)):
            return False
        if self.rooms:
            return bool(project_id) and project_id in self.rooms
        return True

    def _is_own_client(self, client_id: str) -> bool:
        own = self.principal.client_id
        return bool(client_id) and own is not None and client_id == str(own)

    def end(self, code: int, reason: str) -> None:
        """Close the socket after what is already queued (from the hub, which cannot wait)."""
        if self._closing is None:
            self._closing = (code, reason)
            try:
                self._outbox.put_nowait("")  # wakes the writer, which then sees the flag
            except asyncio.QueueFull:
                pass  # the writer has frames to take and will see the flag after one

    def offer(self, text: str, frame: bytes | None = None) -> None:
        """Send a frame without waiting: at once when the socket is idle (`frame`, the text's
        ready frame, shared by every socket of a view), else through the queue; a socket that
        falls this far behind is disconnected."""
        if self._overflowed or self._closing is not None:
            return
        if (self._direct is not None and not self._sending and self._outbox.empty()
                and self._direct.write(frame if frame is not None else text_frame(text))):
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
            if self._closing is not None and not text:
                await self.websocket.close(*self._closing)
                return
            self._sending = True
            try:
                await self.websocket.send_text(text)
            finally:
                self._sending = False
