"""Authenticating a socket: `Authorization: Bearer` on the upgrade, `?token=`, or a first message
`{"type": "auth", "token": ...}` within the time allowed; otherwise it is closed with 4401."""

from __future__ import annotations

import asyncio
import time

import jwt
from starlette.websockets import WebSocket

from labs_common.auth.principal import Principal
from labs_common.errors import LabsError, Unauthenticated
from labs_gateway.auth.credentials import Authenticator, bearer_credential
from labs_gateway.ws.protocol import Auth, ProtocolError, parse_command

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TRY_LATER = 1013


class SocketClosed(Exception):
    """The client went away."""


async def next_text(websocket: WebSocket) -> str:
    """The next text frame; binary frames are refused, a disconnect raises SocketClosed."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise SocketClosed
    if message.get("text") is None:
        raise ProtocolError("Send JSON text frames, not binary ones.")
    return message["text"]


async def authenticate_socket(
    websocket: WebSocket, authenticator: Authenticator, wait_seconds: float
) -> tuple[Principal, str] | None:
    """The socket's principal and the credential it used; None once the socket is closed."""
    credential = (bearer_credential(websocket.headers.get("authorization"))
                  or websocket.query_params.get("token"))
    if not credential:
        try:
            command = parse_command(await asyncio.wait_for(next_text(websocket), wait_seconds))
        except SocketClosed:
            return None
        except (TimeoutError, ProtocolError):
            command = None
        if not isinstance(command, Auth):
            await websocket.close(CLOSE_UNAUTHENTICATED, f"Authenticate within {wait_seconds:g} s.")
            return None
        credential = command.token
    try:
        return await authenticator.authenticate(credential), credential
    except Unauthenticated as error:
        await websocket.close(CLOSE_UNAUTHENTICATED, error.detail[:120])
    except LabsError as error:  # identity unreachable: the credential may be fine, come back later
        await websocket.close(CLOSE_TRY_LATER, error.detail[:120])
    return None


def expires_at(principal: Principal) -> float:
    """Monotonic deadline of the principal's access token (already verified, so read unverified)."""
    claims = jwt.decode(principal.token, options={"verify_signature": False})
    return time.monotonic() + max(0.0, float(claims["exp"]) - time.time())
