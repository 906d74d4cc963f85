"""GET /projects and GET /projects/{id} carry the client's name beside its id (as it is now:
a renamed client shows under its new name), and the single GET carries the project's
`team_allocation` from capacity; a client-role reader gets its project without the team."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e


async def test_projects_read_with_their_clients_name(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    name = f"Globex {uuid.uuid4().hex[:6]}"
    made = await http.post("/projects", headers=headers, json={"name": "Site", "client_name": name})
    assert made.status_code == 201, made.text
    assert made.json()["client_name"] == name
    bare = await http.post("/projects", headers=headers, json={"name": "Internal"})
    assert bare.json()["client_name"] is None
    one = (await http.get(f"/projects/{made.json()['id']}", headers=headers)).json()
    assert (one["client_id"], one["client_name"]) == (made.json()["client_id"], name)
    listed = (await http.get("/projects", headers=headers)).json()["projects"]
    assert {p["id"]: p["client_name"] for p in listed} == {
        made.json()["id"]: name, bare.json()["id"]: None}
    assert all(p["team_allocation"] == [] for p in listed)  # nobody allocated yet
    viewer = await join_as(http, owner, "viewer")
    seen = await http.get(f"/projects/{made.json()['id']}", headers=auth(viewer["access_token"]))
    assert seen.status_code == 200, seen.text
    assert seen.json()["client_name"] == name


async def test_a_renamed_client_shows_under_its_new_name(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    made = (await http.post("/projects", headers=headers,
                            json={"name": "Site", "client_name": "Initech"})).json()
    renamed = await http.patch(f"/clients/{made['client_id']}", headers=headers,
                               json={"name": "Initech Global"})
    assert renamed.status_code == 200, renamed.text
    one = (await http.get(f"/projects/{made['id']}", headers=headers)).json()
    assert one["client_name"] == "Initech Global"
    listed = (await http.get("/projects", headers=headers,
                             params={"client_id": made["client_id"]})).json()["projects"]
    assert [p["client_name"] for p in listed] == ["Initech Global"]
    moved = await http.patch(f"/projects/{made['id']}", headers=headers,
                             json={"description": "After the rename"})
    assert moved.status_code == 200 and moved.json()["client_name"] == "Initech Global"


async def test_one_project_shows_its_team_allocation(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers,
                               json={"name": "Relaunch", "client_name": "Hooli"})).json()
    assert (await http.get(f"/projects/{project['id']}",
                           headers=headers)).json()["team_allocation"] == []
    people = []
    for name in ("Ada", "Bo"):
        person = await http.post("/resources", headers=headers, json={
            "name": name, "seniority_level": "mid", "billing_rate": "150.00",
            "cost_rate": "70.00", "currency": "USD"})
        assert person.status_code == 201, person.text
        people.append(person.json())
    ada, bo = people
    for body in (
        {"resource_id": bo["id"], "allocated_hours": 7.5, "start_date": "2027-04-05",
         "end_date": "2027-04-30", "tentative": True},
        {"resource_id": ada["id"], "allocated_hours": 20, "start_date": "2027-03-01",
         "end_date": "2027-03-28"},
    ):
        made = await http.post("/allocations", headers=headers,
                               json={"project_id": project["id"], **body})
        assert made.status_code == 201, made.text
    other = (await http.post("/projects", headers=headers, json={"name": "Elsewhere"})).json()
    await http.post("/allocations", headers=headers, json={
        "project_id": other["id"], "resource_id": ada["id"], "allocated_hours": 5,
        "start_date": "2027-03-01", "end_date": "2027-03-07"})

    expected = [
        {"resource_id": ada["id"], "name": "Ada", "allocated_hours": 20.0,
         "start_date": "2027-03-01", "end_date": "2027-03-28", "tentative": False},
        {"resource_id": bo["id"], "name": "Bo", "allocated_hours": 7.5,
         "start_date": "2027-04-05", "end_date": "2027-04-30", "tentative": True},
    ]
    one = await http.get(f"/projects/{project['id']}", headers=headers)
    assert one.status_code == 200, one.text
    assert one.json()["team_allocation"] == expected
    listed = (await http.get("/projects", headers=headers)).json()["projects"]
    as_listed = next(p for p in listed if p["id"] == project["id"])
    assert one.json() == as_listed  # the list shows each project as its own page does

    for role in ("member", "viewer"):
        staff = await join_as(http, owner, role)
        seen = await http.get(f"/projects/{project['id']}", headers=auth(staff["access_token"]))
        assert seen.status_code == 200, seen.text
        assert seen.json()["team_allocation"] == expected, role

    portal = await join_as(http, owner, "client", client_id=project["client_id"])
    theirs = await http.get(f"/projects/{project['id']}", headers=auth(portal["access_token"]))
    assert theirs.status_code == 200, theirs.text
    assert "team_allocation" not in theirs.json() and theirs.json()["client_name"] == "Hooli"
    hidden = await http.get(f"/projects/{other['id']}", headers=auth(portal["access_token"]))
    assert hidden.status_code == 404
