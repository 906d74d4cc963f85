"""Behaviour that only shows over a real socket (uvicorn), not in-process."""

from __future__ import annotations

import httpx


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
