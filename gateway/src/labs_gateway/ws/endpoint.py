"""GET /api/v1/ws: live events of the caller's organization; presence and typing per project."""

from __future__ import annotations

import asyncio
import time

import structlog
from fastapi import APIRouter, WebSocket

from labs_common.errors import LabsError
from labs_gateway.auth.credentials import API_KEY_PREFIX, Authenticator
from labs_gateway.config import GatewaySettings
from labs_gateway.ws.connection import Connection
from labs_gateway.ws.handshake import (
    CLOSE_UNAUTHENTICATED,
    SocketClosed,
    authenticate_socket,
    expires_at,
    next_text,
)
from labs_gateway.ws.hub import Hub
from labs_gateway.ws.presence import Presence
from labs_gateway.ws.protocol import (
    Auth,
    Ping,
    ProtocolError,
    Subscribe,
    Typing,
    Unsubscribe,
    parse_command,
)
from labs_gateway.ws.rooms import RoomAccess

log = structlog.get_logger("labs.gateway.ws")
router = APIRouter()

# Typing notices from one socket are passed on at most this often; the rest are dropped.
TYPING_INTERVAL_SECONDS = 0.5


class TokenExpired(Exception):
    pass


@router.websocket("/ws")
async def live_updates(websocket: WebSocket) -> None:
    """Live updates: events of the caller's organization, presence and typing per project."""
    state = websocket.app.state
    settings: GatewaySettings = state.settings
    hub: Hub = state.hub
    await websocket.accept()
    authenticated = await authenticate_socket(
        websocket, state.authenticator, settings.ws_auth_timeout_seconds)
    if authenticated is None:
        return
    principal, credential = authenticated
    await state.financials.reader_for(principal)  # the org's financials level, cached
    session = _Session(Connection(websocket, principal, settings.ws_send_queue_size,
                                  state.financials),
                       credential, state.authenticator, state.presence, settings.ws_max_rooms,
                       RoomAccess(state.upstream))
    hub.attach(session.connection)
    writer = asyncio.create_task(session.connection.pump())
    try:
        if session.connection.is_client:
            # Listed after attaching, so a project created meanwhile arrives as an event.
            session.connection.client_projects |= await session.access.client_projects(principal)
        await session.run()
    except (SocketClosed, asyncio.CancelledError):
        pass
    except TokenExpired:
        await websocket.close(CLOSE_UNAUTHENTICATED, "The access token expired; reconnect.")
    finally:
        hub.detach(session.connection)
        writer.cancel()
        for room in list(session.connection.rooms):
            try:
                await session.presence.left(session.connection, room)
            except Exception as error:  # NATS going away must not turn a disconnect into a crash
                log.warning("ws.presence_failed", error=str(error))


class _Session:
    """The read loop of one socket: commands in, replies and presence out."""

    def __init__(self, connection: Connection, credential: str, authenticator: Authenticator,
                 presence: Presence, max_rooms: int, access: RoomAccess) -> None:
        self.connection = connection
        self.access = access
        self.credential = credential
        self.authenticator = authenticator
        self.presence = presence
        self.max_rooms = max_rooms
        self.expires_at = expires_at(connection.principal)
        self.last_typing = 0.0

    async def run(self) -> None:
        while True:
            try:
                # A deadline on this task rather than wait_for's task per read (3.11): one object
                # fewer per socket while it waits, which is nearly all its life.
                async with asyncio.timeout(max(0.0, self.expires_at - time.monotonic())):
                    text = await next_text(self.connection.websocket)
            except TimeoutError:
                await self._renew()
                continue
            try:
                await self.handle(parse_command(text))
            except ProtocolError as error:
                self.connection.reply({"type": "error", "detail": str(error)})

    async def handle(self, command) -> None:
        connection = self.connection
        match command:
            case Ping():
                connection.reply({"type": "pong"})
            case Subscribe(project_id=project_id) if project_id not in connection.rooms:
                if len(connection.rooms) >= self.max_rooms:
                    raise ProtocolError(f"At most {self.max_rooms} project subscriptions.")
                if not await self.access.may_join(connection.principal, project_id):
                    raise ProtocolError("project_id: no such project.")
                connection.rooms.add(project_id)
                await self.presence.joined(connection, project_id)
            case Unsubscribe(project_id=project_id) if project_id in connection.rooms:
                connection.rooms.discard(project_id)
                await self.presence.left(connection, project_id)
            case Typing(project_id=project_id, task_id=task_id):
                room = project_id or _only(connection.rooms)
                if room is None or room not in connection.rooms:
                    raise ProtocolError("project_id: subscribe to the project before typing in it.")
                if time.monotonic() - self.last_typing >= TYPING_INTERVAL_SECONDS:
                    self.last_typing = time.monotonic()
                    await self.presence.typing(connection, room, task_id)
            case Auth(token=token):
                await self._reauthenticate(token)

    async def _reauthenticate(self, credential: str) -> None:
        """A fresh token keeps the socket open past the old one's expiry (same user and org)."""
        try:
            principal = await self.authenticator.authenticate(credential)
        except LabsError as error:
            raise ProtocolError(f"token: {error.detail}") from None
        current = self.connection.principal
        if (principal.user_id, principal.org_id) != (current.user_id, current.org_id):
            raise ProtocolError("token: a socket cannot change user or organization.")
        if (principal.role, principal.client_id) != (current.role, current.client_id):
            # What this socket may see was decided for the old role (its rooms, a client's
            # projects): a new connection decides it again.
            self.connection.end(CLOSE_UNAUTHENTICATED, "Your access changed; reconnect.")
            return
        self.connection.principal = principal
        self.credential = credential
        self.expires_at = expires_at(principal)

    async def _renew(self) -> None:
        # An API key can be exchanged again; a user's access token cannot be renewed here.
        if not self.credential.startswith(API_KEY_PREFIX):
            raise TokenExpired
        try:
            await self._reauthenticate(self.credential)
        except ProtocolError:
            raise TokenExpired from None


def _only(rooms: set[str]) -> str | None:
    return next(iter(rooms)) if len(rooms) == 1 else None
