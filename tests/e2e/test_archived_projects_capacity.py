"""An archived project leaves capacity (capacity learns it from projects' events): its hours leave
the overview, the dashboard and the resource's utilization, and the over-booking it caused ends;
the allocation stays listed as history; restoring the project counts its hours again."""

from __future__ import annotations

import asyncio
import time

import pytest
from e2e_helpers import auth, sign_up

pytestmark = pytest.mark.e2e

WEEK = {"start_week": "2027-02-01", "weeks": 1}


async def allocated_until(http, headers, hours: float, timeout: float = 30.0) -> dict:
    """The overview's week once its allocated hours are `hours`, or AssertionError at the
    deadline (capacity hears of the archive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        week = (await http.get("/capacity/overview", headers=headers, params=WEEK)).json()[
            "weeks"][0]
        if week["total_allocated_hours"] == hours:
            return week
        assert time.monotonic() < deadline, f"still {week['total_allocated_hours']} allocated"
        await asyncio.sleep(0.2)


async def test_archiving_a_project_takes_its_hours_out_of_capacity_until_restored(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    person = (await http.post("/resources", headers=headers, json={
        "name": "Ada", "seniority_level": "senior", "billing_rate": "150",
        "capacity_hours_per_week": 40})).json()
    leaving, staying = [(await http.post("/projects", headers=headers, json={
        "name": name, "status": "active"})).json() for name in ("Leaving", "Staying")]
    for project, hours in ((leaving, 30), (staying, 20)):
        created = await http.post("/allocations", headers=headers, json={
            "resource_id": person["id"], "project_id": project["id"], "allocated_hours": hours,
            "start_date": "2027-02-01", "end_date": "2027-02-05"})
        assert created.status_code == 201, created.text
    await allocated_until(http, headers, 50)
    dashboard = (await http.get("/dashboards/capacity", headers=headers, params=WEEK)).json()
    assert dashboard["by_week"][0]["over_allocated_resources"] == 1

    assert (await http.delete(f"/projects/{leaving['id']}", headers=headers)).status_code == 204
    week = await allocated_until(http, headers, 20)
    assert week["by_resource"][0]["utilization_percent"] == 50.0
    dashboard = (await http.get("/dashboards/capacity", headers=headers, params=WEEK)).json()
    assert (dashboard["by_week"][0]["allocated_hours"],
            dashboard["by_week"][0]["over_allocated_resources"]) == (20, 0)
    listed = (await http.get(f"/resources/{person['id']}/allocations", headers=headers,
                             params=WEEK)).json()
    # History stays readable: the archived project's allocation is listed, not counted.
    assert sorted(a["project_id"] for a in listed["allocations"]) == sorted(
        [leaving["id"], staying["id"]])
    assert listed["utilization_percent"] == 50.0

    restored = await http.patch(f"/projects/{leaving['id']}", headers=headers,
                                json={"status": "active"})
    assert restored.status_code == 200, restored.text
    await allocated_until(http, headers, 50)
