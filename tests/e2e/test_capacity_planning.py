"""Capacity through the gateway: people, rates with history, time off, allocations, the weekly
overview and dashboard, roles, bad input and the cross-tenant matrix."""

from __future__ import annotations

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

PERSON = {"name": "Ada Lovelace", "seniority_level": "senior", "billing_rate": "180.00",
          "cost_rate": "80.00", "currency": "EUR"}


async def a_project(http, headers) -> dict:
    created = await http.post("/projects", headers=headers, json={"name": "Website relaunch"})
    assert created.status_code == 201, created.text
    return created.json()


async def test_a_resource_manager_plans_next_quarter(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await a_project(http, headers)
    created = await http.post("/resources", headers=headers, json={
        **PERSON, "user_id": owner["user"]["id"], "skills": ["python"],
    })
    assert created.status_code == 201, created.text
    ada = created.json()
    assert ada["capacity_hours_per_week"] == 40 and ada["working_days"][0] == "monday"
    assert (ada["billing_rate"], ada["currency"]) == ("180.00", "EUR")
    placeholder = (await http.post("/resources", headers=headers, json={
        "name": "Senior designer", "seniority_level": "senior", "billing_rate": 150,
        "cost_rate": 70, "currency": "EUR", "is_placeholder": True,
        "capacity_hours_per_week": 20, "working_days": ["monday", "tuesday"],
    })).json()

    off = await http.post(f"/resources/{ada['id']}/time-off", headers=headers, json={
        "start_date": "2027-01-07", "end_date": "2027-01-08", "reason": "Conference"})
    assert off.status_code == 201, off.text
    allocated = await http.post("/allocations", headers=headers, json={
        "resource_id": ada["id"], "project_id": project["id"], "allocated_hours": 30,
        "start_date": "2027-01-04", "end_date": "2027-03-28"})
    assert allocated.status_code == 201, allocated.text
    await http.post("/allocations", headers=headers, json={
        "resource_id": placeholder["id"], "project_id": project["id"], "allocated_hours": 10.5,
        "start_date": "2027-01-04", "end_date": "2027-01-10", "tentative": True})

    overview = await http.get("/capacity/overview", headers=headers,
                              params={"start_week": "2027-01-06", "weeks": 13})
    assert overview.status_code == 200, overview.text
    weeks = overview.json()["weeks"]
    assert len(weeks) == 13 and weeks[0]["week_start"] == "2027-01-04"
    first = weeks[0]
    # Ada: 40 - 16 (Thursday, Friday off) = 24 available, 30 allocated; the placeholder 20.
    assert (first["total_available_hours"], first["total_allocated_hours"]) == (44, 30)
    assert first["total_tentative_hours"] == 10.5
    lines = {line["name"]: line for line in first["by_resource"]}
    assert lines["Ada Lovelace"]["utilization_percent"] == 125.0
    assert weeks[1]["utilization_percent"] == 50.0

    dashboard = await http.get("/dashboards/capacity", headers=headers,
                               params={"start_week": "2027-01-04", "weeks": 2})
    by_week = dashboard.json()["by_week"]
    assert [w["over_allocated_resources"] for w in by_week] == [1, 0]
    assert by_week[0]["total_hours"] == 44

    mine = await http.get(f"/resources/{ada['id']}/allocations", headers=headers,
                          params={"start_week": "2027-01-11", "weeks": 4})
    assert [a["id"] for a in mine.json()["allocations"]] == [allocated.json()["id"]]
    assert mine.json()["utilization_percent"] == 75.0


async def test_a_rate_change_keeps_the_past_and_answers_if_match(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    ada = await http.post("/resources", headers=headers, json=PERSON)
    etag = ada.headers["ETag"]
    raised = await http.patch(f"/resources/{ada.json()['id']}",
                              headers={**headers, "If-Match": etag},
                              json={"billing_rate": "200.00", "effective_from": "2027-01-01"})
    assert raised.status_code == 200, raised.text
    stale = await http.put(f"/resources/{ada.json()['id']}", headers={**headers, "If-Match": etag},
                           json={"name": "Lost update"})
    assert stale.status_code == 412
    rates = (await http.get(f"/resources/{ada.json()['id']}/rates", headers=headers)).json()
    periods = [(r["effective_from"], r["effective_to"], r["billing_rate"]) for r in rates["rates"]]
    assert periods == [(None, "2026-12-31", "180.00"), ("2027-01-01", None, "200.00")]


async def test_bad_capacity_input_is_422_naming_the_field(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await a_project(http, headers)
    ada = (await http.post("/resources", headers=headers, json=PERSON)).json()
    cases = [
        ("/resources", {**PERSON, "capacity_hours_per_week": 169}, "capacity_hours_per_week"),
        ("/resources", {**PERSON, "seniority_level": "guru"}, "seniority_level"),
        ("/resources", {**PERSON, "billing_rate": "12.345"}, "billing_rate"),
        ("/resources", {**PERSON, "working_days": ["someday"]}, "working_days.0"),
        ("/resources", {**PERSON, "working_days": []}, "working_days"),
        (f"/resources/{ada['id']}/time-off",
         {"start_date": "2027-01-08", "end_date": "2027-01-07"}, "end_date"),
        ("/allocations", {"resource_id": ada["id"], "project_id": project["id"],
                          "allocated_hours": 0, "start_date": "2027-01-04",
                          "end_date": "2027-01-10"}, "allocated_hours"),
        ("/allocations", {"resource_id": ada["id"], "project_id": ada["id"],
                          "allocated_hours": 8, "start_date": "2027-01-04",
                          "end_date": "2027-01-10"}, "project_id"),
        ("/allocations", {"resource_id": ada["id"], "project_id": project["id"],
                          "allocated_hours": 8, "start_date": "2027-01-04",
                          "end_date": "2027-01-01"}, "end_date"),
    ]
    for path, body, field in cases:
        response = await http.post(path, headers=headers, json=body)
        assert response.status_code == 422, (path, body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.text
    overview = await http.get("/capacity/overview", headers=headers, params={"weeks": 0})
    assert overview.status_code == 422
    listed = (await http.get("/resources", headers=headers)).json()["resources"]
    assert [r["id"] for r in listed] == [ada["id"]]


async def test_roles_decide_who_plans_and_clients_see_nothing(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await a_project(http, headers)
    manager = auth((await join_as(http, owner, "manager"))["access_token"])
    member = auth((await join_as(http, owner, "member"))["access_token"])
    viewer = auth((await join_as(http, owner, "viewer"))["access_token"])
    client_id = project["client_id"] or "00000000-0000-0000-0000-000000000001"
    client = auth((await join_as(http, owner, "client", client_id=client_id))["access_token"])
    ada = await http.post("/resources", headers=manager, json=PERSON)
    assert ada.status_code == 201, ada.text
    for reader in (member, viewer):
        assert (await http.get(f"/resources/{ada.json()['id']}", headers=reader)).status_code == 200
        assert (await http.get("/capacity/overview", headers=reader)).status_code == 200
        assert (await http.post("/resources", headers=reader, json=PERSON)).status_code == 403
        denied = await http.post("/allocations", headers=reader, json={
            "resource_id": ada.json()["id"], "project_id": project["id"], "allocated_hours": 8,
            "start_date": "2027-01-04", "end_date": "2027-01-10"})
        assert denied.status_code == 403
    for path in ("/resources", f"/resources/{ada.json()['id']}", "/capacity/overview",
                 "/dashboards/capacity"):
        assert (await http.get(path, headers=client)).status_code == 403


async def their_world(http) -> dict:
    theirs = await sign_up(http, org="Theirs")
    headers = auth(theirs["access_token"])
    project = await a_project(http, headers)
    ada = (await http.post("/resources", headers=headers, json=PERSON)).json()
    allocation = (await http.post("/allocations", headers=headers, json={
        "resource_id": ada["id"], "project_id": project["id"], "allocated_hours": 8,
        "start_date": "2027-01-04", "end_date": "2027-01-10"})).json()
    return {"session": theirs, "resource": ada, "allocation": allocation, "project": project}


async def test_another_organizations_capacity_is_not_found(http):
    world = await their_world(http)
    mine = await sign_up(http, org="Mine")
    headers = auth(mine["access_token"])
    my_project = await a_project(http, headers)
    resource, allocation = world["resource"]["id"], world["allocation"]["id"]
    attempts = [
        ("GET", f"/resources/{resource}", None),
        ("PATCH", f"/resources/{resource}", {"name": "Mine now"}),
        ("PUT", f"/resources/{resource}", {"name": "Mine now"}),
        ("GET", f"/resources/{resource}/rates", None),
        ("GET", f"/resources/{resource}/time-off", None),
        ("POST", f"/resources/{resource}/time-off",
         {"start_date": "2027-01-04", "end_date": "2027-01-04"}),
        ("GET", f"/resources/{resource}/allocations", None),
        ("PATCH", f"/allocations/{allocation}", {"allocated_hours": 40}),
        ("PUT", f"/allocations/{allocation}", {"allocated_hours": 40}),
        ("DELETE", f"/allocations/{allocation}", None),
    ]
    for method, path, body in attempts:
        response = await http.request(method, path, headers=headers, json=body)
        assert response.status_code == 404, (method, path, response.text)
    # Their resource on my project, or my resource on their project: not one of mine.
    planted = await http.post("/allocations", headers=headers, json={
        "resource_id": resource, "project_id": my_project["id"], "allocated_hours": 8,
        "start_date": "2027-01-04", "end_date": "2027-01-10"})
    assert planted.status_code == 422
    assert (await http.get("/resources", headers=headers)).json()["resources"] == []
    overview = (await http.get("/capacity/overview", headers=headers)).json()
    assert all(w["by_resource"] == [] for w in overview["weeks"])
    dashboard = (await http.get("/dashboards/capacity", headers=headers)).json()
    assert all(w["by_resource"] == [] and w["total_hours"] == 0 for w in dashboard["by_week"])
    assert (await http.get("/holidays", headers=headers)).json()["holidays"] == []
    theirs = auth(world["session"]["access_token"])
    still = await http.get(f"/resources/{resource}/allocations", headers=theirs,
                           params={"start_week": "2027-01-04", "weeks": 1})
    assert [a["allocated_hours"] for a in still.json()["allocations"]] == [8]
