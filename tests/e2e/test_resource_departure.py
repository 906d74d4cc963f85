"""DELETE /resources/{id} through the gateway: the person leaves capacity and new bookings from
their end date on, keeps history and rates; GET /resources filters; roles and other tenants."""

from __future__ import annotations

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

PERSON = {"name": "Grace Hopper", "seniority_level": "senior", "billing_rate": "160.00",
          "cost_rate": "70.00", "skills": ["cobol"]}


async def test_a_person_who_leaves_has_no_capacity_or_bookings_from_their_end_date(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    grace = (await http.post("/resources", headers=headers, json=PERSON)).json()
    assert grace["is_active"] is True and grace["end_date"] is None
    project = (await http.post("/projects", headers=headers, json={"name": "Mainframe"})).json()
    booked = await http.post("/allocations", headers=headers, json={
        "resource_id": grace["id"], "project_id": project["id"], "allocated_hours": 40,
        "start_date": "2027-02-01", "end_date": "2027-02-26"})
    assert booked.status_code == 201, booked.text

    left = await http.request("DELETE", f"/resources/{grace['id']}", headers=headers,
                              json={"end_date": "2027-02-10"})
    assert left.status_code == 204, left.text

    found = (await http.get(f"/resources/{grace['id']}", headers=headers)).json()
    assert found["end_date"] == "2027-02-10" and found["cost_rate"] == "70.00"
    weeks = (await http.get("/capacity/overview", headers=headers, params={
        "start_week": "2027-02-01", "weeks": 3})).json()["weeks"]
    assert [w["total_available_hours"] for w in weeks] == [40, 16, 0]
    assert [w["total_allocated_hours"] for w in weeks] == [40, 16, 0]
    allocation = (await http.get(f"/resources/{grace['id']}/allocations", headers=headers,
                                 params={"start_week": "2027-02-01", "weeks": 4})).json()
    assert [a["end_date"] for a in allocation["allocations"]] == ["2027-02-09"]
    refused = await http.post("/allocations", headers=headers, json={
        "resource_id": grace["id"], "project_id": project["id"], "allocated_hours": 8,
        "start_date": "2027-02-08", "end_date": "2027-02-12"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["end_date"]

    today_gone = (await http.post("/resources", headers=headers,
                                  json={**PERSON, "name": "Alan", "skills": []})).json()
    assert (await http.delete(f"/resources/{today_gone['id']}", headers=headers)).status_code == 204
    listed = await http.get("/resources", headers=headers, params={"is_active": "false"})
    assert {r["name"] for r in listed.json()["resources"]} == {"Alan"}
    active = await http.get("/resources", headers=headers, params={"is_active": "true"})
    assert {r["name"] for r in active.json()["resources"]} == {"Grace Hopper"}
    cobol = await http.get("/resources", headers=headers, params={"skill": "cobol"})
    assert [r["name"] for r in cobol.json()["resources"]] == ["Grace Hopper"]
    bad = await http.get("/resources", headers=headers, params={"seniority_level": "wizard"})
    assert bad.status_code == 422


async def test_only_managers_deactivate_and_another_org_gets_404(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    person = (await http.post("/resources", headers=headers, json=PERSON)).json()
    client = (await http.post("/clients", headers=headers, json={"name": "Bank"})).json()
    for role, expected in (("member", 403), ("viewer", 403), ("client", 403)):
        extra = {"client_id": client["id"]} if role == "client" else {}
        someone = await join_as(http, owner, role, **extra)
        answer = await http.delete(f"/resources/{person['id']}",
                                   headers=auth(someone["access_token"]))
        assert answer.status_code == expected, (role, answer.text)
    manager = await join_as(http, owner, "manager")
    other = await sign_up(http, org="Elsewhere")
    hidden = await http.delete(f"/resources/{person['id']}", headers=auth(other["access_token"]))
    assert hidden.status_code == 404
    malformed = await http.delete(f"/resources/{person['id']}", headers=headers,
                                  params={"end_date": "soon"})
    assert malformed.status_code == 422
    still = (await http.get(f"/resources/{person['id']}", headers=headers)).json()
    assert still["is_active"] is True
    done = await http.delete(f"/resources/{person['id']}", headers=auth(manager["access_token"]),
                             params={"end_date": "2030-01-01"})
    assert done.status_code == 204
    assert (await http.get(f"/resources/{person['id']}", headers=headers)).json()[
        "end_date"] == "2030-01-01"
