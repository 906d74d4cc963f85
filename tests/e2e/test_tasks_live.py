"""Tasks and sprints through the gateway, watched live over a WebSocket subscribed to the
project's room."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e


def ws_url(suite) -> str:
    return suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"


async def test_a_team_runs_a_sprint_and_watches_the_board_change_live(suite, http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    member = await join_as(http, owner, "member")
    project = (await http.post("/projects", headers=headers,
                               json={"name": "App", "status": "active"})).json()
    sprint = await http.post(f"/projects/{project['id']}/sprints", headers=headers, json={
        "name": "Sprint 1", "start_date": "2026-03-02", "end_date": "2026-03-13",
        "status": "active"})
    assert sprint.status_code == 201, sprint.text
    async with websockets.connect(f"{ws_url(suite)}?token={owner['access_token']}") as socket:
        await socket.send(json.dumps({"type": "subscribe", "project_id": project["id"]}))
        created = await http.post(f"/projects/{project['id']}/tasks", headers=headers, json={
            "title": "Login screen", "status": "todo", "assignee_id": member["user"]["id"],
            "story_points": 5, "sprint_id": sprint.json()["id"], "estimated_hours": 6.5})
        assert created.status_code == 201, created.text
        task = created.json()
        event = await receive_until(socket, lambda m: m["type"] == "task:created")
        assert event["data"] == task  # the task as REST created it
        assert event["data"]["project_id"] == project["id"]
        done = await http.patch(f"/tasks/{task['id']}", headers=headers, json={"status": "done"})
        assert done.status_code == 200 and done.json()["completed_at"]
        updated = await receive_until(socket, lambda m: m["type"] == "task:updated")
        assert updated["data"] == done.json()
        points = (await http.get(f"/sprints/{sprint.json()['id']}", headers=headers)).json()
        assert (points["total_points"], points["completed_points"]) == (5, 5)
        assert (await http.delete(f"/tasks/{task['id']}", headers=headers)).status_code == 204
        deleted = await receive_until(socket, lambda m: m["type"] == "task:deleted")
        assert deleted["data"]["task_id"] == task["id"]
    second = await http.post(f"/projects/{project['id']}/sprints", headers=headers, json={
        "name": "Sprint 2", "start_date": "2026-03-16", "end_date": "2026-03-27",
        "status": "active"})
    assert second.status_code == 409


async def test_bulk_updates_are_all_or_nothing_and_bad_task_input_names_the_field(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Ops"})).json()
    ids = [(await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                            json={"title": f"T{i}"})).json()["id"] for i in range(3)]
    refused = await http.post(f"/projects/{project['id']}/tasks/bulk", headers=headers, json={
        "task_ids": ids, "changes": {"assignee_id": "6f1c1b7e-64a4-4b4e-9d7e-8a1c6a3f1e11"}})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "assignee_id"
    bulk = await http.post(f"/projects/{project['id']}/tasks/bulk", headers=headers, json={
        "task_ids": ids, "changes": {"status": "in_progress", "priority": "high"}})
    assert bulk.status_code == 200, bulk.text
    assert {(t["status"], t["priority"]) for t in bulk.json()["tasks"]} == {
        ("in_progress", "high")}
    listed = (await http.get(f"/projects/{project['id']}/tasks", headers=headers,
                             params={"status": "in_progress"})).json()["tasks"]
    assert [t["position"] for t in listed] == [0, 1, 2]
    for field, body in {"title": {"title": ""}, "story_points": {"title": "x", "story_points": -1},
                        "due_date": {"title": "x", "due_date": "tomorrow"},
                        "type": {"title": "x", "type": "epic"}}.items():
        response = await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                                   json=body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field
    assert len((await http.get(f"/projects/{project['id']}/tasks",
                               headers=headers)).json()["tasks"]) == 3


async def test_the_activity_feed_tells_the_whole_story(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Story"})).json()
    task = (await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                            json={"title": "Chapter one"})).json()
    await http.patch(f"/tasks/{task['id']}", headers=headers, json={"status": "done"})
    wanted = {"organization.created", "member.joined", "project.created", "task.created",
              "task.updated"}
    deadline = time.monotonic() + 20
    while True:
        feed = (await http.get("/activity", headers=headers)).json()
        if wanted <= {a["action"] for a in feed["activities"]} or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert wanted <= {a["action"] for a in feed["activities"]}
    # Newest first (forecasting's own updates of the project may land in between).
    actions = [a["action"] for a in feed["activities"]]
    assert actions.index("task.updated") < actions.index("task.created")
    assert actions.index("task.created") < actions.index("project.created")
    tasks_only = (await http.get("/activity", headers=headers,
                                 params={"entity_type": "task"})).json()["activities"]
    assert {a["entity_id"] for a in tasks_only} == {task["id"]}
    assert all(a["project_id"] == project["id"] for a in tasks_only)


async def test_project_creation_and_status_changes_reach_the_org_live(suite, http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    async with websockets.connect(f"{ws_url(suite)}?token={owner['access_token']}") as socket:
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
        project = (await http.post("/projects", headers=headers,
                                   json={"name": "Go live"})).json()
        created = await receive_until(socket, lambda m: m["type"] == "project:created")
        assert created["data"] == project | {"project_id": project["id"]}  # as REST created it
        await http.patch(f"/projects/{project['id']}", headers=headers, json={"status": "active"})
        changed = await receive_until(socket, lambda m: m["type"] == "project:status:changed")
        assert (changed["data"]["id"], changed["data"]["status"]) == (project["id"], "active")
        assert changed["data"]["project_id"] == project["id"]
