"""Small client-side helpers for the end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx

PASSWORD = "correct horse battery"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_up(http: httpx.AsyncClient, org: str = "Acme Studio") -> dict:
    response = await http.post(
        "/auth/signup",
        json={
            "email": f"owner-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "organization_name": org,
            "first_name": "Olive",
            "last_name": "Owner",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def join_as(http: httpx.AsyncClient, owner: dict, role: str, **extra) -> dict:
    invited = await http.post(
        "/organizations/current/invitations",
        headers=auth(owner["access_token"]),
        json={"email": f"{role}-{uuid.uuid4().hex[:8]}@example.com", "role": role, **extra},
    )
    assert invited.status_code == 201, invited.text
    joined = await http.post(
        "/auth/accept-invitation", json={"token": invited.json()["token"], "password": PASSWORD}
    )
    assert joined.status_code == 200, joined.text
    return joined.json()


async def receive_until(socket, predicate, timeout: float = 10.0) -> dict:
    """The first message matching `predicate`, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(socket.recv(), remaining))
        except TimeoutError:
            break
        if predicate(message):
            return message
    raise AssertionError("no matching WebSocket message before the deadline")
