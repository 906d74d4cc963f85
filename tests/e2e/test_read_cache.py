"""The gateway's read cache seen from outside (gateway/README.md, "Read cache"): an answer kept for
one reader is never another's, a write is read at once by everyone of the organization, a change
announced only as an event (a margin worked out by forecasting, a resource's rates) is read once
it arrives. This suite keeps answers for an hour, so nothing here passes by expiry."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from e2e_helpers import auth, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e


async def _project(http, headers) -> dict:
    created = await http.post("/projects", headers=headers, json={
        "name": f"Cached {uuid.uuid4().hex[:6]}", "client_name": "Acme",
        "budget_type": "time_and_materials", "billing_rate_override": "150.00"})
    assert created.status_code == 201, created.text
    return created.json()


async def test_each_reader_keeps_its_own_view_and_a_write_is_read_at_once_by_all(http):
    owner = await sign_up(http)
    member = await join_as(http, owner, "member")
    client_id = (await http.post("/clients", headers=auth(owner["access_token"]),
                                 json={"name": "Portal Co"})).json()["id"]
    client = await join_as(http, owner, "client", client_id=client_id)
    project = await _project(http, auth(owner["access_token"]))
    readers = {"owner": auth(owner["access_token"]), "member": auth(member["access_token"]),
               "client": auth(client["access_token"])}

    async def listed() -> dict[str, dict]:
        views = {}
        for name, headers in readers.items():
            answer = await http.get("/projects", headers=headers)
            assert answer.status_code == 200, answer.text
            views[name] = {p["id"]: p for p in answer.json()["projects"]}
        return views

    # Forecasting announces the new project's first margin a moment after it is created; that
    # event rightly retires what was kept, so wait for it before comparing two reads.
    async def margin_known():
        found = await http.get(f"/projects/{project['id']}", headers=readers["owner"])
        return found.json().get("margin") is not None

    await eventually(margin_known, "forecasting's first margin of the project")
    first, second = await listed(), await listed()
    assert second == first
    assert project["id"] in first["owner"] and project["id"] in first["member"]
    assert "margin" in first["owner"][project["id"]]
    assert "margin" not in first["member"][project["id"]]  # financials: manager and up
    assert first["client"] == {}  # Acme's project is not Portal Co's

    renamed = await http.patch(f"/projects/{project['id']}", headers=readers["owner"],
                               json={"name": "Renamed at once"})
    assert renamed.status_code == 200, renamed.text
    after = await listed()  # no waiting: the write went through this gateway
    assert after["owner"][project["id"]]["name"] == "Renamed at once"
    assert after["member"][project["id"]]["name"] == "Renamed at once"
    single = await http.get(f"/projects/{project['id']}", headers=readers["member"])
    assert single.json()["name"] == "Renamed at once"


async def test_a_change_made_behind_the_gateway_is_read_once_its_event_arrives(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    person = await http.post("/resources", headers=headers, json={
        "name": "Olive Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": "150.00", "cost_rate": "60.00", "currency": "USD"})
    assert person.status_code == 201, person.text
    project = await _project(http, headers)
    kept = await http.get(f"/projects/{project['id']}", headers=headers)  # now in the cache
    assert kept.status_code == 200, kept.text
    entry = await http.post(f"/projects/{project['id']}/time-entries", headers=headers,
                            json={"hours": 2, "date_worked": str(date.today()), "billable": True})
    assert entry.status_code == 201, entry.text

    # The entry's write is this gateway's, but its margin is forecasting's, announced later
    # as project.margin_updated: only that event can retire the answers kept meanwhile.
    async def counted():
        margin = (await http.get(f"/projects/{project['id']}", headers=headers)).json()["margin"]
        return margin if margin and margin["hours_logged"] == 2 else None

    margin = await eventually(counted, "the project's margin counting the entry", timeout=30)
    assert margin["revenue"] == "300.00"
