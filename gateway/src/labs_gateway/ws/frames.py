"""A text frame built once per (event, view) and written straight to each idle socket.

An org-wide event goes to thousands of sockets with a handful of distinct texts (one per view).
Sent one by one through Starlette and uvicorn, each socket pays a task wake-up, the ASGI message,
the sans-I/O protocol's framing and the encoding of the same text again before its one
`transport.write`. Here the frame (RFC 6455 §5.2: FIN, text opcode, unmasked from a server, the
length) is built once and written to every socket whose connection is idle, which leaves the
write itself as the cost per socket.

Only where it is safe: uvicorn's sans-I/O protocol (the gateway's, since websockets is
installed) after the handshake, before any close, and while its transport takes data
(`writable`: asyncio pauses writing above the transport's high-water mark). Otherwise, and for
any other protocol implementation, the connection queues the text for its writer as before,
so a slow socket still fills only its own queue and frames never interleave. The gateway
declines permessage-deflate (main.py), so frames carry no compression bit.
"""

from __future__ import annotations

import struct
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

TEXT_FIN = 0x81
PROTOCOL_KEY = "labs.ws_protocol"


class KeepProtocolMiddleware:
    """Keeps each socket's uvicorn protocol in its scope: the `send` uvicorn hands the app is
    the protocol's bound method, which every later layer wraps. The outermost middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[PROTOCOL_KEY] = getattr(send, "__self__", None)
        await self.app(scope, receive, send)


def text_frame(text: str) -> bytes:
    payload = text.encode()
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", TEXT_FIN, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", TEXT_FIN, 126, length)
    else:
        header = struct.pack("!BBQ", TEXT_FIN, 127, length)
    return header + payload


class DirectWriter:
    """Writes whole frames to one socket's transport while its protocol is idle and open."""

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, websocket: Any) -> DirectWriter | None:
        """The writer of a Starlette WebSocket served by uvicorn's sans-I/O protocol, else None
        (another implementation, an app served without KeepProtocolMiddleware, a test double):
        that socket always queues."""
        protocol = getattr(websocket, "scope", {}).get(PROTOCOL_KEY)
        return cls(protocol) if isinstance(protocol, WebSocketsSansIOProtocol) else None

    def write(self, frame: bytes) -> bool:
        """Whether the frame went out; False when the socket must take it through its queue."""
        protocol = self._protocol
        if (not protocol.handshake_complete or protocol.close_sent or protocol.disconnected
                or protocol.initial_response is not None or not protocol.writable.is_set()
                or protocol.transport.is_closing()):
            return False
        protocol.transport.write(frame)
        return True
