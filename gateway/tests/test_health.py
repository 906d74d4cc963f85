"""GET /health asks every service and NATS right now and names what is down."""

from __future__ import annotations

import nats


async def test_health_is_503_naming_everything_that_is_down(make_client):
    client = make_client(health_timeout_seconds=0.5)
    response = await client.get("/api/v1/health")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unavailable" and report["nats"] == "unavailable"
    assert set(report["services"]) == {"identity", "projects", "time", "billing", "capacity",
                                       "forecasting", "integrations"}
    assert set(report["services"].values()) == {"unavailable"}


async def test_health_reports_each_service_that_answers_serving(make_client, serve_identity,
                                                              nats_url):
    connection = await nats.connect(nats_url)
    try:
        client = make_client(identity_addr=await serve_identity(),
                             billing_addr=await serve_identity(), nats_connection=connection)
        report = (await client.get("/api/v1/health")).json()
    finally:
        await connection.close()
    assert report["nats"] == "ok"
    assert report["services"]["identity"] == "ok" and report["services"]["billing"] == "ok"
    assert report["services"]["time"] == "unavailable" and report["status"] == "unavailable"


async def test_health_is_200_when_everything_answers(make_client, serve_identity, nats_url):
    from labs_common.config import SERVICES

    connection = await nats.connect(nats_url)
    try:
        addresses = {f"{name}_addr": await serve_identity() for name in SERVICES}
        client = make_client(nats_connection=connection, **addresses)
        response = await client.get("/api/v1/health")
    finally:
        await connection.close()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "services": dict.fromkeys(SERVICES, "ok"),
                               "nats": "ok"}
