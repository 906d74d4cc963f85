"""The client portal and search through the gateway: a client-role user sees its client's work
only, may comment and nothing else; search finds what the caller may see."""

from __future__ import annotations

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e


async def test_a_client_sees_its_projects_comments_and_cannot_write_anything_else(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    ours = (await http.post("/projects", headers=headers,
                            json={"name": "Portal site", "client_name": "Massive Dynamic"})).json()
    other = (await http.post("/projects", headers=headers,
                             json={"name": "Other work", "client_name": "Vandelay"})).json()
    task = (await http.post(f"/projects/{ours['id']}/tasks", headers=headers,
                            json={"title": "Approve mockups"})).json()
    other_task = (await http.post(f"/projects/{other['id']}/tasks", headers=headers,
                                  json={"title": "Internal"})).json()
    client = await join_as(http, owner, "client", client_id=ours["client_id"])
    client_headers = auth(client["access_token"])
    listed = (await http.get("/projects", headers=client_headers)).json()["projects"]
    assert [p["id"] for p in listed] == [ours["id"]]
    commented = await http.post(f"/tasks/{task['id']}/comments", headers=client_headers,
                                json={"body": "Mockups approved"})
    assert commented.status_code == 201, commented.text
    comments = (await http.get(f"/tasks/{task['id']}/comments", headers=headers)).json()
    assert [c["body"] for c in comments["comments"]] == ["Mockups approved"]
    refused = [
        await http.get(f"/projects/{other['id']}", headers=client_headers),
        await http.get(f"/tasks/{other_task['id']}", headers=client_headers),
        await http.patch(f"/projects/{ours['id']}", headers=client_headers, json={"name": "X"}),
        await http.post(f"/projects/{ours['id']}/tasks", headers=client_headers,
                        json={"title": "Sneaky"}),
        await http.patch(f"/tasks/{task['id']}", headers=client_headers, json={"title": "X"}),
        await http.delete(f"/tasks/{task['id']}", headers=client_headers),
        await http.post("/clients", headers=client_headers, json={"name": "Self"}),
        await http.post(f"/projects/{ours['id']}/sprints", headers=client_headers,
                        json={"name": "S", "start_date": "2026-01-01", "end_date": "2026-01-02"}),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused)
    found = (await http.get("/search", headers=client_headers,
                            params={"q": "work OR site"})).json()["results"]
    assert {r["id"] for r in found} == {ours["id"]}


async def test_search_finds_projects_tasks_and_comments_with_snippets(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={
        "name": "Analytics dashboard", "description": "Weekly revenue charts"})).json()
    task = (await http.post(f"/projects/{project['id']}/tasks", headers=headers, json={
        "title": "Revenue chart", "description": "Stacked bars per client"})).json()
    await http.post(f"/tasks/{task['id']}/comments", headers=headers,
                    json={"body": "Revenue should exclude VAT"})
    results = (await http.get("/search", headers=headers, params={"q": "revenue"})).json()
    assert {r["type"] for r in results["results"]} == {"project", "task", "comment"}
    assert all("<mark>" in r["snippet"].lower() for r in results["results"])
    # A task or a comment names the task to open; a project names none.
    assert {r["type"]: r["task_id"] for r in results["results"]} == {
        "project": None, "task": task["id"], "comment": task["id"]}
    missing_q = await http.get("/search", headers=headers)
    assert missing_q.status_code == 422 and missing_q.json()["errors"][0]["field"] == "q"
