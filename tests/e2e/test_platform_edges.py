"""Health, documentation, keys and live events of the whole running suite."""

from __future__ import annotations

import httpx
import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

from labs_common.config import SERVICES

pytestmark = pytest.mark.e2e


async def test_health_lists_every_service_and_nats(http):
    response = await http.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["nats"] == "ok"
    assert body["services"] == {name: "ok" for name in SERVICES}


async def test_openapi_docs_and_jwks_are_served(suite, http):
    spec = (await http.get("/openapi.json")).json()
    assert "/api/v1/auth/signup" in spec["paths"]
    assert (await http.get("/docs")).status_code == 200
    async with httpx.AsyncClient(base_url=suite.gateway_url) as root:
        keys = (await root.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all(k["alg"] == "EdDSA" and k["kid"] for k in keys)


def ws_url(suite) -> str:
    return suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"


async def test_an_identity_event_reaches_its_organization_only(suite, http):
    ours = await sign_up(http, org="Ours")
    theirs = await sign_up(http, org="Theirs")
    member = await join_as(http, ours, "member")
    async with (
        websockets.connect(f"{ws_url(suite)}?token={ours['access_token']}") as our_socket,
        websockets.connect(
            ws_url(suite), additional_headers=auth(theirs["access_token"])
        ) as their_socket,
    ):
        for socket in (our_socket, their_socket):
            await socket.send('{"type": "ping"}')
            await receive_until(socket, lambda m: m["type"] == "pong")
        await http.patch(
            f"/organizations/current/members/{member['user']['id']}",
            headers=auth(ours["access_token"]),
            json={"role": "viewer"},
        )
        event = await receive_until(our_socket, lambda m: m["type"] == "member:role_changed")
        assert event["data"]["user_id"] == member["user"]["id"] and event["id"] and event["ts"]
        # Their socket saw nothing before answering this ping.
        await their_socket.send('{"type": "ping"}')
        first = await receive_until(their_socket, lambda m: True)
        assert first["type"] == "pong"


async def test_a_socket_authenticates_by_first_message_or_is_closed_4401(suite, http):
    owner = await sign_up(http)
    async with websockets.connect(ws_url(suite)) as socket:
        await socket.send(f'{{"type": "auth", "token": "{owner["access_token"]}"}}')
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
    async with websockets.connect(ws_url(suite)) as socket:
        await socket.send('{"type": "auth", "token": "forged"}')
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await receive_until(socket, lambda m: False, timeout=10)
        assert closed.value.rcvd.code == 4401
