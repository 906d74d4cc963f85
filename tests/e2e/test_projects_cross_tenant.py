"""The cross-tenant matrix: every projects-area endpoint called with another organization's ids
answers 404, and nothing of theirs changes."""

from __future__ import annotations

import pytest
from e2e_helpers import auth, sign_up

pytestmark = pytest.mark.e2e

UPLOAD = {"multipart": True}  # marks the one attempt sent as a multipart upload


async def their_world(http) -> dict:
    """An organization with one of everything the projects area owns."""
    theirs = await sign_up(http, org="Theirs")
    headers = auth(theirs["access_token"])
    client = (await http.post("/clients", headers=headers, json={"name": "Their client"})).json()
    project = (await http.post("/projects", headers=headers,
                               json={"name": "Their project", "client_id": client["id"]})).json()
    task = (await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                            json={"title": "Their task"})).json()
    sprint = (await http.post(f"/projects/{project['id']}/sprints", headers=headers, json={
        "name": "Their sprint", "start_date": "2026-01-05", "end_date": "2026-01-16"})).json()
    comment = (await http.post(f"/tasks/{task['id']}/comments", headers=headers,
                               json={"body": "Their comment"})).json()
    stored = (await http.post(f"/projects/{project['id']}/files", headers=headers,
                              files={"file": ("theirs.txt", b"their words", "text/plain")})).json()
    return {"session": theirs, "client": client, "project": project, "task": task,
            "sprint": sprint, "comment": comment, "file": stored}


def attempts(world: dict) -> list[tuple[str, str, dict | None]]:
    client, project, task = world["client"]["id"], world["project"]["id"], world["task"]["id"]
    sprint, comment = world["sprint"]["id"], world["comment"]["id"]
    return [
        ("GET", f"/clients/{client}", None),
        ("PATCH", f"/clients/{client}", {"name": "Mine now"}),
        ("DELETE", f"/clients/{client}", None),
        ("GET", f"/projects/{project}", None),
        ("PATCH", f"/projects/{project}", {"name": "Mine now"}),
        ("DELETE", f"/projects/{project}", None),
        ("GET", f"/projects/{project}/tasks", None),
        ("POST", f"/projects/{project}/tasks", {"title": "Planted"}),
        ("POST", f"/projects/{project}/tasks/bulk",
         {"task_ids": [task], "changes": {"status": "done"}}),
        ("GET", f"/tasks/{task}", None),
        ("PATCH", f"/tasks/{task}", {"title": "Mine now"}),
        ("DELETE", f"/tasks/{task}", None),
        ("GET", f"/projects/{project}/sprints", None),
        ("POST", f"/projects/{project}/sprints",
         {"name": "Planted", "start_date": "2026-02-02", "end_date": "2026-02-13"}),
        ("GET", f"/sprints/{sprint}", None),
        ("PATCH", f"/sprints/{sprint}", {"name": "Mine now"}),
        ("GET", f"/tasks/{task}/comments", None),
        ("POST", f"/tasks/{task}/comments", {"body": "Planted"}),
        ("PATCH", f"/comments/{comment}", {"body": "Mine now"}),
        ("DELETE", f"/comments/{comment}", None),
        ("GET", f"/projects/{project}/files", None),
        ("POST", f"/projects/{project}/files", UPLOAD),
        ("GET", f"/files/{world['file']['id']}", None),
        ("GET", f"/files/{world['file']['id']}/content", None),
    ]


async def test_every_projects_endpoint_answers_404_for_another_orgs_ids(http):
    world = await their_world(http)
    ours = await sign_up(http, org="Ours")
    headers = auth(ours["access_token"])
    answers = {}
    for method, path, body in attempts(world):
        if body is UPLOAD:
            response = await http.post(path, headers=headers,
                                       files={"file": ("planted.txt", b"x", "text/plain")})
        else:
            response = await http.request(method, path, headers=headers, json=body)
        answers[f"{method} {path}"] = response.status_code
    assert answers == dict.fromkeys(answers, 404)
    # Lists and search never show their objects either.
    project_id = world["project"]["id"]
    assert (await http.get("/projects", headers=headers)).json()["projects"] == []
    assert (await http.get("/clients", headers=headers)).json()["clients"] == []
    assert (await http.get("/projects", headers=headers,
                           params={"client_id": world["client"]["id"]})).json()["projects"] == []
    assert (await http.get("/search", headers=headers,
                           params={"q": "their"})).json()["results"] == []
    activity = (await http.get("/activity", headers=headers,
                               params={"project_id": project_id})).json()
    assert activity["activities"] == []
    # Nothing of theirs changed.
    their_headers = auth(world["session"]["access_token"])
    project = (await http.get(f"/projects/{project_id}", headers=their_headers)).json()
    assert (project["name"], project["status"]) == ("Their project", "planning")
    tasks = (await http.get(f"/projects/{project_id}/tasks", headers=their_headers)).json()
    assert [(t["title"], t["status"]) for t in tasks["tasks"]] == [("Their task", "backlog")]
    comments = (await http.get(f"/tasks/{world['task']['id']}/comments",
                               headers=their_headers)).json()["comments"]
    assert [c["body"] for c in comments] == ["Their comment"]
    their_files = (await http.get(f"/projects/{project_id}/files",
                                  headers=their_headers)).json()["files"]
    assert [f["name"] for f in their_files] == ["theirs.txt"]
