"""Behaviour that only shows over a real socket (uvicorn), not in-process."""

from __future__ import annotations

import json

import httpx
from websockets.asyncio.client import connect


async def test_a_client_sending_a_huge_body_still_reads_the_413(start_gateway):
    gateway = await start_gateway(max_body_bytes=1024)
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as client:
        # The client writes the whole body before reading: refusing without reading it would
        # reset the connection under its feet.
        response = await client.post("/api/v1/auth/login", content=b"x" * (3 * 1024 * 1024),
                                     headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["reason"] == "BODY_TOO_LARGE"
        # The connection stays usable: the body was read and dropped.
        assert (await client.get("/api/v1/nothing-here")).status_code == 404


async def test_a_socket_that_offers_compression_is_answered_without_it(start_gateway,
                                                                        issue_token):
    # Each socket's compressor is its own: on a fan-out to thousands of sockets, deflating every
    # copy cost a fifth of the gateway's time for messages of a few hundred bytes.
    gateway = await start_gateway()
    async with connect(f"{gateway.ws_url}?token={issue_token()}",
                       compression="deflate") as ws:
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] in ("ready", "pong")
