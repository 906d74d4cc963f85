"""Jira and Asana imports through the gateway, against a fake Jira Cloud site and a fake Asana
that page, throttle and refuse tokens as the platforms do: a JQL query's 150 issues (two pages
of Jira's search) and an Asana project's tasks become tasks with their status, assignee (by
email) and estimate; an issue changed on the platform and imported again updates its task, and
nothing is made twice; only admins import, another org's connection is not found, and a wrong
project, source or platform is named."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e

query = database_of("integrations")


async def finished_job(http, headers, connection_id: str, job_id: str) -> dict:
    async def finished():
        logs = await http.get(f"/integrations/{connection_id}/sync-logs", headers=headers)
        assert logs.status_code == 200, logs.text
        found = [log for log in logs.json()["sync_logs"] if log["id"] == job_id]
        return found[0] if found and found[0]["status"] != "in_progress" else None

    return await eventually(finished, "the import finished", timeout=90)


async def run_import(http, headers, connection_id: str, project_id: str, source: str) -> dict:
    started = await http.post(f"/integrations/{connection_id}/import", headers=headers,
                              json={"project_id": project_id, "source": source})
    assert started.status_code == 202, started.text
    log = await finished_job(http, headers, connection_id, started.json()["job_id"])
    assert log["trigger"] == "import", log
    return log


async def tasks_of(http, headers, project_id: str) -> dict[str, dict]:
    """The project's tasks by title."""
    found, cursor = {}, None
    while True:
        page = await http.get(f"/projects/{project_id}/tasks", headers=headers, params={
            "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        found.update({task["title"]: task for task in page.json()["tasks"]})
        cursor = page.json().get("next_cursor")
        if not cursor:
            return found


async def an_org(http, suite) -> tuple[dict, dict, dict, str]:
    """An owner, a member integrations' read model knows by email, and a project."""
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    dev = await join_as(http, owner, "member")
    project = await http.post("/projects", headers=headers, json={
        "name": f"Relaunch {uuid.uuid4().hex[:6]}", "client_name": "Acme"})
    assert project.status_code == 201, project.text

    async def known():
        return await query(suite, "SELECT 1 FROM known_members WHERE email = :email",
                           email=dev["user"]["email"].lower())

    await eventually(known, "integrations heard of the member")
    return owner, headers, dev, project.json()["id"]


async def connect_jira(http, headers, fake_jira) -> tuple[dict, object]:
    email = f"ana-{uuid.uuid4().hex[:6]}@acme.test"
    ana = fake_jira.add_user(email, token=f"jira-{uuid.uuid4().hex}", name="Ana Lima")
    refused = await http.post("/integrations/jira/auth", headers=headers,
                              json={"access_token": "not-the-token", "account_id": email})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]
    no_email = await http.post("/integrations/jira/auth", headers=headers,
                               json={"access_token": ana.token})
    assert no_email.status_code == 422, no_email.text
    assert [e["field"] for e in no_email.json()["errors"]] == ["account_id"]
    connected = await http.post("/integrations/jira/auth", headers=headers,
                                json={"access_token": ana.token, "account_id": email})
    assert connected.status_code == 201, connected.text
    assert connected.json()["account_name"] == "Ana Lima" and ana.token not in connected.text
    return connected.json(), ana


async def test_a_jql_querys_issues_become_tasks_and_a_reimport_updates_them(
        http, suite, fake_jira):
    _owner, headers, dev, project_id = await an_org(http, suite)
    connection, _ana = await connect_jira(http, headers, fake_jira)
    jira_dev = fake_jira.add_user(dev["user"]["email"], token=uuid.uuid4().hex, name="Dev")
    stranger = fake_jira.add_user(f"sam-{uuid.uuid4().hex[:6]}@elsewhere.test", token="x")
    key = "W" + uuid.uuid4().hex[:5].upper()
    statuses = ("To Do", "In Progress", "Done")
    for n in range(150):
        fake_jira.add_issue(key, f"Issue {n}", status=statuses[n % 3],
                            description=f"About issue {n}",
                            assignee=jira_dev if n % 2 == 0 else (stranger if n == 1 else None),
                            estimate_seconds=1800 * (n % 4) or None)
    fake_jira.add_issue(key + "X", "Not asked for")

    log = await run_import(http, headers, connection["id"], project_id, f"project = {key}")
    assert log["status"] == "success" and log["records_synced"] == 150, log
    assert stranger.email in (log["error_message"] or "")  # nobody in Labs: left unassigned
    asked = [c for c in fake_jira.calls("/rest/api/3/search/jql")
             if c.params.get("jql") == f"project = {key}"]
    assert len(asked) == 2 and asked[1].params.get("nextPageToken")  # two pages of 100

    tasks = await tasks_of(http, headers, project_id)
    assert len(tasks) == 150 and "Not asked for" not in tasks
    assert (tasks["Issue 0"]["status"], tasks["Issue 1"]["status"],
            tasks["Issue 2"]["status"]) == ("todo", "in_progress", "done")
    assert tasks["Issue 4"]["assignee_id"] == dev["user"]["id"]
    assert tasks["Issue 1"]["assignee_id"] is None and tasks["Issue 3"]["assignee_id"] is None
    assert (tasks["Issue 3"]["estimated_hours"], tasks["Issue 4"]["estimated_hours"]) == \
        (1.5, None)
    assert tasks["Issue 5"]["description"] == "About issue 5"

    # Changed in Jira, imported again (Jira asks to slow down once): updated, nothing doubled.
    fake_jira.edit_issue(f"{key}-8", summary="Issue 7, renamed", status="Done", assignee=None,
                         estimate_seconds=5 * 3600)
    throttled = fake_jira.throttled
    fake_jira.throttle(1, retry_after=1)
    again = await run_import(http, headers, connection["id"], project_id, f"project = {key}")
    assert again["status"] == "success" and again["records_synced"] == 150, again
    assert fake_jira.throttled == throttled + 1
    tasks_after = await tasks_of(http, headers, project_id)
    assert len(tasks_after) == 150 and "Issue 7" not in tasks_after
    renamed = tasks_after["Issue 7, renamed"]
    assert renamed["id"] == tasks["Issue 7"]["id"]
    assert (renamed["status"], renamed["assignee_id"], renamed["estimated_hours"]) == \
        ("done", None, 5.0)


async def test_an_asana_projects_tasks_become_tasks_and_a_reimport_updates_them(
        http, suite, fake_asana):
    _owner, headers, dev, project_id = await an_org(http, suite)
    token = f"2/{uuid.uuid4().hex}"
    fake_asana.add_user("Ana Lima", f"ana-{uuid.uuid4().hex[:6]}@acme.test", token=token)
    refused = await http.post("/integrations/asana/auth", headers=headers,
                              json={"access_token": "2/not-a-token"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]
    connected = await http.post("/integrations/asana/auth", headers=headers,
                                json={"access_token": token})
    assert connected.status_code == 201, connected.text
    connection = connected.json()
    assert connection["account_name"] == "Ana Lima" and token not in connected.text

    asana_dev = fake_asana.add_user("Dev", dev["user"]["email"])
    board = fake_asana.add_project("Relaunch", sections=("To do", "In progress", "Done"))
    sections = ("To do", "In progress", "Done")
    gids = [fake_asana.add_task(board, f"Card {n}", notes=f"Notes {n}", section=sections[n % 3],
                                completed=n % 10 == 9,
                                assignee=asana_dev if n % 2 == 0 else None,
                                estimate_hours=n % 5 or None) for n in range(120)]
    refused = await http.post(f"/integrations/{connection['id']}/import", headers=headers,
                              json={"project_id": project_id, "source": "project = WEB"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["source"]

    log = await run_import(http, headers, connection["id"], project_id, board)
    assert log["status"] == "success" and log["records_synced"] == 120, log
    assert len(fake_asana.calls(f"/projects/{board}/tasks")) == 2  # 100 a page
    tasks = await tasks_of(http, headers, project_id)
    assert len(tasks) == 120
    assert [tasks[f"Card {n}"]["status"] for n in (0, 1, 2, 9)] == \
        ["todo", "in_progress", "done", "done"]
    assert tasks["Card 2"]["assignee_id"] == dev["user"]["id"]
    assert tasks["Card 1"]["assignee_id"] is None
    assert (tasks["Card 3"]["estimated_hours"], tasks["Card 5"]["estimated_hours"]) == (3.0, None)
    assert tasks["Card 4"]["description"] == "Notes 4"

    fake_asana.edit_task(gids[4], name="Card 4, done", completed=True, assignee=None)
    fake_asana.throttle(1, retry_after=1)
    again = await run_import(http, headers, connection["id"], project_id, board)
    assert again["status"] == "success" and again["records_synced"] == 120, again
    tasks_after = await tasks_of(http, headers, project_id)
    assert len(tasks_after) == 120
    done = tasks_after["Card 4, done"]
    assert done["id"] == tasks["Card 4"]["id"]
    assert (done["status"], done["assignee_id"]) == ("done", None)


async def test_only_admins_import_and_wrong_projects_sources_and_platforms_are_named(
        http, suite, fake_jira, fake_harvest):
    owner, headers, _dev, project_id = await an_org(http, suite)
    connection, _ana = await connect_jira(http, headers, fake_jira)
    path = f"/integrations/{connection['id']}/import"
    body = {"project_id": project_id, "source": "project = NONE"}
    for role in ("member", "viewer", "manager"):
        someone = await join_as(http, owner, role)
        refused = await http.post(path, headers=auth(someone["access_token"]), json=body)
        assert refused.status_code == 403, (role, refused.text)
    other = await sign_up(http, org="Other Studio")
    hidden = await http.post(path, headers=auth(other["access_token"]), json=body)
    assert hidden.status_code == 404, hidden.text

    wrong = await http.post(path, headers=headers, json={"project_id": "nope", "source": ""})
    assert wrong.status_code == 422, wrong.text
    assert sorted(e["field"] for e in wrong.json()["errors"]) == ["project_id", "source"]
    unknown = await http.post(path, headers=headers,
                              json={"project_id": str(uuid.uuid4()), "source": "project = X"})
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["project_id"]

    # A query Jira refuses fails the job, with Jira's words in its log.
    log = await run_import(http, headers, connection["id"], project_id, "sprint = 4")
    assert log["status"] == "failed" and "sprint" in (log["error_message"] or ""), log

    account_id = str(uuid.uuid4().int % 10**7)
    harvest_token = f"pat-{uuid.uuid4().hex}"
    fake_harvest.add_account(account_id, "Acme Harvest", token=harvest_token)
    harvest = await http.post("/integrations/harvest/auth", headers=headers,
                              json={"access_token": harvest_token, "account_id": account_id})
    assert harvest.status_code == 201, harvest.text
    not_a_source = await http.post(f"/integrations/{harvest.json()['id']}/import",
                                   headers=headers, json=body)
    assert not_a_source.status_code == 409, not_a_source.text
    assert "Jira and Asana" in not_a_source.json()["detail"]
