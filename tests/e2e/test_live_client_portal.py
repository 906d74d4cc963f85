"""A client-role user's socket reaches only its own client's project rooms and their events."""

from __future__ import annotations

import json

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e


async def test_a_client_joins_its_own_project_room_only_and_hears_its_tasks(suite, http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    ours = (
        await http.post(
            "/projects", headers=headers, json={"name": "Portal", "client_name": "Initech"}
        )
    ).json()
    theirs = (
        await http.post(
            "/projects", headers=headers, json={"name": "Secret", "client_name": "Hooli"}
        )
    ).json()
    client = await join_as(http, owner, "client", client_id=ours["client_id"])
    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(f"{url}?token={client['access_token']}") as socket:
        await socket.send(json.dumps({"type": "subscribe", "project_id": theirs["id"]}))
        refused = await receive_until(socket, lambda m: m["type"] == "error")
        assert refused["detail"].startswith("project_id")
        await socket.send(json.dumps({"type": "subscribe", "project_id": ours["id"]}))
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
        await http.post(
            f"/projects/{theirs['id']}/tasks", headers=headers, json={"title": "Not for clients"}
        )
        await http.post(
            f"/projects/{ours['id']}/tasks", headers=headers, json={"title": "For the client"}
        )
        created = await receive_until(socket, lambda m: m["type"] == "task:created")
        assert created["data"]["project_id"] == ours["id"]
