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


async def eventually(probe, what: str, timeout: float = 30.0):
    """The first truthy answer of the coroutine function `probe`, polled until the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        if found := await probe():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what}")
        await asyncio.sleep(0.1)


def database_of(service: str):
    """A query function on `service`'s own database as its owner (row-level security
    bypassed): what the service stored, for the checks the API does not show (what a dump
    would hold, what was queued). `query = database_of("integrations")`, then
    `await query(suite, "SELECT ...", id=...)` answers the rows."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    async def query(suite, sql: str, **params) -> list:
        url = make_url(suite.database_url).set(drivername="postgresql+asyncpg",
                                               database=f"{suite.database_prefix}{service}")
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(text(sql), params)).all())
        finally:
            await engine.dispose()

    return query
