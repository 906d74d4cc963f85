"""The kubelet's probes ask about this gateway alone: a sick service must not take every gateway
out of the Service (GET /api/v1/health still names what is down)."""

from __future__ import annotations

import httpx
import structlog.testing


async def test_a_running_gateway_is_live_and_ready_while_every_service_is_down(start_gateway):
    gateway = await start_gateway(health_timeout_seconds=0.3)
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as client:
        health = await client.get("/api/v1/health")
        assert health.status_code == 503  # no service listens in these tests
        assert set(health.json()["services"].values()) == {"unavailable"}

        ready = await client.get("/readyz")
        live = await client.get("/livez")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.headers["cache-control"] == "no-store"


async def test_a_gateway_whose_start_up_has_not_run_is_not_ready(client):
    # In-process, the lifespan (hub and revocation feeds subscribed) never ran.
    assert (await client.get("/readyz")).status_code == 503
    assert (await client.get("/livez")).status_code == 200


async def test_probes_are_never_rate_limited(make_client):
    client = make_client(rate_limit="2/minute")
    statuses = {(await client.get(path)).status_code for path in ["/livez"] * 5}
    assert statuses == {200}


async def test_probes_are_not_part_of_the_public_api(client):
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert "/livez" not in paths and "/readyz" not in paths


async def test_passing_probes_stay_out_of_the_info_log(client):
    with structlog.testing.capture_logs() as logs:
        await client.get("/livez")
        await client.get("/readyz")  # 503 here: worth seeing
    levels = {entry["path"]: entry["log_level"] for entry in logs
              if entry["event"] == "http.request"}
    assert levels == {"/livez": "debug", "/readyz": "info"}
