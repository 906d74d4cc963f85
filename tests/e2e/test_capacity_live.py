"""Capacity live: the moment an allocation over-books someone the org's sockets hear of it, and a
retried POST allocates once."""

from __future__ import annotations

import pytest
import websockets
from e2e_helpers import auth, receive_until, sign_up

pytestmark = pytest.mark.e2e

PERSON = {"name": "Bo", "seniority_level": "mid", "billing_rate": "120.00", "cost_rate": "55.00",
          "currency": "USD"}


async def test_an_over_booking_is_known_the_moment_it_is_saved(suite, http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Retainer"})).json()
    bo = (await http.post("/resources", headers=headers, json=PERSON)).json()
    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(f"{url}?token={owner['access_token']}") as socket:
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
        for hours in (30, 20):
            saved = await http.post("/allocations", headers=headers, json={
                "resource_id": bo["id"], "project_id": project["id"], "allocated_hours": hours,
                "start_date": "2027-02-01", "end_date": "2027-02-07"})
            assert saved.status_code == 201, saved.text
        alarm = await receive_until(socket, lambda m: m["type"] == "resource:over_allocated")
    assert alarm["data"]["resource_id"] == bo["id"]
    assert alarm["data"]["week_start"] == "2027-02-01"
    assert alarm["data"]["allocated_hours"] == 50.0  # hours are JSON numbers


async def test_a_retried_allocation_is_saved_once(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Retainer"})).json()
    bo = (await http.post("/resources", headers=headers, json=PERSON)).json()
    body = {"resource_id": bo["id"], "project_id": project["id"], "allocated_hours": 8,
            "start_date": "2027-02-01", "end_date": "2027-02-28"}
    keyed = {**headers, "Idempotency-Key": "allocate-bo-february"}
    first = await http.post("/allocations", headers=keyed, json=body)
    again = await http.post("/allocations", headers=keyed, json=body)
    other = await http.post("/allocations", headers=keyed, json={**body, "allocated_hours": 9})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert other.status_code == 422
    listed = await http.get(f"/resources/{bo['id']}/allocations", headers=headers,
                            params={"start_week": "2027-02-01", "weeks": 4})
    assert len(listed.json()["allocations"]) == 1
