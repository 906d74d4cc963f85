"""Logging out ends the session everywhere at once: its open sockets close too."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from e2e_helpers import auth, receive_until, sign_up

pytestmark = pytest.mark.e2e


async def test_logout_closes_the_sessions_open_socket(suite, http):
    owner = await sign_up(http)
    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(f"{url}?token={owner['access_token']}") as socket:
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
        logout = await http.post("/auth/logout", headers=auth(owner["access_token"]))
        assert logout.status_code == 204, logout.text
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd.code == 4401
