"""Every reference a write names is checked inside the caller's organization: a task, a user, a
resource, a client or a project that is not one of the org's (or another org's) is a 422 naming
the field, and nothing is written."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e


def fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


async def _org(http, name: str) -> dict:
    owner = await sign_up(http, org=name)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers,
                               json={"name": f"Site {uuid.uuid4().hex[:6]}",
                                     "status": "active"})).json()
    task = (await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                            json={"title": "Wireframes"})).json()
    client = (await http.post("/clients", headers=headers,
                              json={"name": f"Client {uuid.uuid4().hex[:6]}"})).json()
    resource = (await http.post("/resources", headers=headers, json={
        "name": "Dana", "seniority_level": "mid", "billing_rate": "100"})).json()
    return {"owner": owner, "headers": headers, "project": project, "task": task,
            "client": client, "resource": resource, "user_id": owner["user"]["id"]}


async def test_a_time_entry_names_a_task_of_its_project_in_the_org(http):
    a, b = await _org(http, "A"), await _org(http, "B")
    headers, project = a["headers"], a["project"]
    other = (await http.post("/projects", headers=headers, json={"name": "Other"})).json()
    elsewhere = (await http.post(f"/projects/{other['id']}/tasks", headers=headers,
                                 json={"title": "Elsewhere"})).json()
    path = f"/projects/{project['id']}/time-entries"
    body = {"hours": 1, "date_worked": "2026-01-05"}
    for task_id in (str(uuid.uuid4()), b["task"]["id"], elsewhere["id"]):
        assert fields(await http.post(path, headers=headers,
                                      json={**body, "task_id": task_id})) == ["task_id"]
    good = await http.post(path, headers=headers, json={**body, "task_id": a["task"]["id"]})
    assert good.status_code == 201, good.text
    listed = (await http.get(path, headers=headers)).json()["time_entries"]
    assert [e["id"] for e in listed] == [good.json()["id"]]
    entry = good.json()["id"]
    assert fields(await http.patch(f"/time-entries/{entry}", headers=headers,
                                   json={"task_id": b["task"]["id"]})) == ["task_id"]
    assert fields(await http.post("/timers/start", headers=headers, json={
        "project_id": project["id"], "task_id": b["task"]["id"]})) == ["task_id"]
    assert (await http.get("/timers/current", headers=headers)).status_code == 404


async def test_a_resource_links_only_a_member_of_the_org(http):
    a, b = await _org(http, "A"), await _org(http, "B")
    body = {"name": "Eve", "seniority_level": "mid", "billing_rate": "100"}
    for user_id in (b["user_id"], str(uuid.uuid4())):
        assert fields(await http.post("/resources", headers=a["headers"],
                                      json={**body, "user_id": user_id})) == ["user_id"]
        assert fields(await http.patch(f"/resources/{a['resource']['id']}", headers=a["headers"],
                                       json={"user_id": user_id})) == ["user_id"]
    member = await join_as(http, a["owner"], "member")
    linked = await http.post("/resources", headers=a["headers"],
                             json={**body, "user_id": member["user"]["id"]})
    assert linked.status_code == 201, linked.text


async def test_tasks_and_projects_name_people_and_clients_of_the_org(http):
    a, b = await _org(http, "A"), await _org(http, "B")
    headers, project = a["headers"], a["project"]
    assert fields(await http.post(f"/projects/{project['id']}/tasks", headers=headers, json={
        "title": "X", "assignee_id": b["user_id"]})) == ["assignee_id"]
    assert fields(await http.patch(f"/tasks/{a['task']['id']}", headers=headers,
                                   json={"assignee_id": b["user_id"]})) == ["assignee_id"]
    bulk = fields(await http.post(f"/projects/{project['id']}/tasks/bulk", headers=headers,
                                  json={"task_ids": [a["task"]["id"]],
                                        "changes": {"assignee_id": b["user_id"]}}))
    assert [f.rsplit(".", 1)[-1] for f in bulk] == ["assignee_id"]
    assert fields(await http.post(f"/projects/{project['id']}/tasks", headers=headers, json={
        "title": "X", "parent_task_id": b["task"]["id"]})) == ["parent_task_id"]
    assert fields(await http.post("/projects", headers=headers, json={
        "name": "X", "project_manager_id": b["user_id"]})) == ["project_manager_id"]
    assert fields(await http.patch(f"/projects/{project['id']}", headers=headers,
                                   json={"project_manager_id": b["user_id"]})
                  ) == ["project_manager_id"]
    assert fields(await http.post("/projects", headers=headers, json={
        "name": "X", "client_id": b["client"]["id"]})) == ["client_id"]
    manager = await http.patch(f"/tasks/{a['task']['id']}", headers=headers,
                               json={"assignee_id": a["user_id"]})
    assert manager.status_code == 200, manager.text


async def test_an_allocation_names_a_resource_and_a_project_of_the_org(http):
    a, b = await _org(http, "A"), await _org(http, "B")
    body = {"resource_id": a["resource"]["id"], "project_id": a["project"]["id"],
            "allocated_hours": 10, "start_date": "2026-03-02", "end_date": "2026-03-27"}
    assert fields(await http.post("/allocations", headers=a["headers"], json={
        **body, "resource_id": b["resource"]["id"]})) == ["resource_id"]
    assert fields(await http.post("/allocations", headers=a["headers"], json={
        **body, "project_id": b["project"]["id"]})) == ["project_id"]
    made = await http.post("/allocations", headers=a["headers"], json=body)
    assert made.status_code == 201, made.text
    assert fields(await http.patch(f"/allocations/{made.json()['id']}", headers=a["headers"],
                                   json={"project_id": b["project"]["id"]})) == ["project_id"]
