"""Clients and projects through the gateway as a web client uses them."""

from __future__ import annotations

import pytest
from e2e_helpers import auth, sign_up

pytestmark = pytest.mark.e2e


async def test_an_agency_creates_reads_updates_and_archives_a_project(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    created = await http.post("/projects", headers=headers, json={
        "name": "Website relaunch", "client_name": "Globex", "budget_type": "fixed_fee",
        "budget_total": "25000.00", "budget_currency": "EUR", "budget_hours": 180.5,
        "start_date": "2026-01-05", "end_date": "2026-04-30", "priority": "high",
        "github_repo_url": "https://github.com/globex/site",
    })
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["status"] == "planning" and project["budget_hours"] == 180.5
    assert project["budget_total"] == "25000.00" and project["client_id"]
    read = await http.get(f"/projects/{project['id']}", headers=headers)
    etag = read.headers["ETag"]
    patched = await http.patch(f"/projects/{project['id']}", headers={**headers, "If-Match": etag},
                               json={"status": "active", "github_repo_url": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "active" and patched.json()["github_repo_url"] is None
    stale = await http.patch(f"/projects/{project['id']}", headers={**headers, "If-Match": etag},
                             json={"name": "Lost update"})
    assert stale.status_code == 412
    backwards = await http.patch(f"/projects/{project['id']}", headers=headers,
                                 json={"status": "planning"})
    assert backwards.status_code == 409
    listed = await http.get("/projects", headers=headers,
                            params={"client_id": project["client_id"], "status": "active"})
    assert [p["id"] for p in listed.json()["projects"]] == [project["id"]]
    assert listed.json()["next_cursor"] is None
    assert (await http.delete(f"/projects/{project['id']}", headers=headers)).status_code == 204
    assert (await http.get("/projects", headers=headers)).json()["projects"] == []
    clients = (await http.get("/clients", headers=headers)).json()["clients"]
    assert [c["name"] for c in clients] == ["Globex"]


async def test_bad_project_input_is_422_naming_the_field_and_writes_nothing(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    bodies = {
        "name": {"client_name": "Nobody Inc"},
        "budget_total": {"name": "X", "budget_total": -100, "client_name": "Nobody Inc"},
        "budget_hours": {"name": "X", "budget_hours": "lots", "client_name": "Nobody Inc"},
        "status": {"name": "X", "status": "done", "client_name": "Nobody Inc"},
        "end_date": {"name": "X", "start_date": "2026-02-01", "end_date": "2026-01-01",
                     "client_name": "Nobody Inc"},
        "budget_currency": {"name": "X", "budget_currency": "EURO", "client_name": "Nobody Inc"},
    }
    for field, body in bodies.items():
        response = await http.post("/projects", headers=headers, json=body)
        assert response.status_code == 422, (field, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
    assert (await http.get("/projects", headers=headers)).json()["projects"] == []
    assert (await http.get("/clients", headers=headers)).json()["clients"] == []


async def test_clients_are_created_updated_with_if_match_and_archived(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    created = await http.post("/clients", headers=headers,
                              json={"name": "Initech", "email": "ap@initech.example"})
    assert created.status_code == 201, created.text
    client = created.json()
    assert client["currency"] == "USD"
    etag = (await http.get(f"/clients/{client['id']}", headers=headers)).headers["ETag"]
    patched = await http.patch(f"/clients/{client['id']}", headers={**headers, "If-Match": etag},
                               json={"currency": "GBP", "email": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["currency"] == "GBP" and patched.json()["email"] is None
    bad = await http.patch(f"/clients/{client['id']}", headers=headers, json={"email": "nope"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert (await http.delete(f"/clients/{client['id']}", headers=headers)).status_code == 204
    assert (await http.get("/clients", headers=headers)).json()["clients"] == []
