"""Linear ⇄ Labs through the gateway, against FakeLinear: an org connects Linear with an API key
(a refused one is a 422 on `api_key`) and maps a Linear team to a project (bad settings and
another org's project refused); signed webhooks make and change the task, a replayed delivery
changes nothing, a forged or stale one is refused as GitHub's route refuses them; a manager's
status change reaches Linear once and Linear's echo changes nothing; a missed webhook is caught by
a sync; a deleted issue cancels (never deletes) its task; roles and other orgs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e
query = database_of("integrations")


def team_key() -> str:
    return "T" + uuid.uuid4().hex[:5].upper()


async def connect(http, headers, fake_linear) -> dict:
    """Linear connected with a new user's API key; the sync every connection gets at once has
    run (before any mapping, so the first sync a test asks for is the first read)."""
    key = f"lin_api_{uuid.uuid4().hex}"
    fake_linear.add_user("Olive Owner", f"olive-{uuid.uuid4().hex[:6]}@acme.test", api_key=key)
    connected = await http.post("/integrations/linear/auth", headers=headers,
                                json={"api_key": key})
    assert connected.status_code == 201, connected.text
    connection = connected.json()
    await eventually(lambda: sync_log(http, headers, connection["id"]), "the first sync ran")
    return connection


async def project_known(http, suite, headers, name: str = "Site") -> str:
    made = await http.post("/projects", headers=headers,
                           json={"name": f"{name} {uuid.uuid4().hex[:6]}",
                                 "client_name": "Globex"})
    assert made.status_code == 201, made.text
    project_id = made.json()["id"]
    await eventually(lambda: query(suite, "SELECT 1 FROM known_projects WHERE project_id = :id",
                                   id=project_id), "integrations heard of the project")
    return project_id


async def mapped_org(http, suite, fake_linear):
    """An org that connected Linear and maps a new team of the fake to a new project."""
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    connection = await connect(http, headers, fake_linear)
    project_id = await project_known(http, suite, headers)
    key = team_key()
    team_id = fake_linear.add_team(key)
    mapped = await http.patch(f"/integrations/{connection['id']}", headers=headers,
                              json={"settings": {"teams": {key: project_id}}})
    assert mapped.status_code == 200, mapped.text
    return owner, headers, connection, project_id, key, team_id


async def task_of(http, suite, headers, issue_id: str) -> dict | None:
    rows = await query(suite, "SELECT task_id FROM linear_issue_links WHERE issue_id = :id",
                       id=issue_id)
    if not rows:
        return None
    found = await http.get(f"/tasks/{rows[0].task_id}", headers=headers)
    return found.json() if found.status_code == 200 else None


async def applied(suite, delivery_id: str):
    rows = await query(suite, "SELECT applied_at, attempts, last_error FROM linear_deliveries "
                       "WHERE delivery_id = :id", id=delivery_id)
    return rows if rows and rows[0].applied_at is not None else None


async def sync_log(http, headers, connection_id: str, job_id: str | None = None):
    logs = await http.get(f"/integrations/{connection_id}/sync-logs", headers=headers)
    assert logs.status_code == 200, logs.text
    found = [log for log in logs.json()["sync_logs"] if job_id in (None, log["id"])]
    return found[0] if found and found[0]["status"] in ("success", "failed") else None


async def test_connecting_checks_the_key_and_settings_name_only_this_org_s_projects(
        http, suite, fake_linear):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    refused = await http.post("/integrations/linear/auth", headers=headers,
                              json={"api_key": "lin_api_never-issued"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["api_key"]
    connection = await connect(http, headers, fake_linear)
    assert (connection["platform"], connection["account_name"]) == (
        "linear", fake_linear.organization["name"])
    project_id = await project_known(http, suite, headers)
    other = await sign_up(http, org="Elsewhere")
    theirs = await project_known(http, suite, auth(other["access_token"]))

    bad = await http.patch(f"/integrations/{connection['id']}", headers=headers, json={
        "settings": {"teams": {"ENG": "not-a-project", "no key!": project_id},
                     "projects": "all", "repositories": []}})
    assert bad.status_code == 422, bad.text
    assert sorted(e["field"] for e in bad.json()["errors"]) == [
        "settings.projects", "settings.repositories", "settings.teams.ENG",
        "settings.teams.no key!"]
    linear_project = str(uuid.uuid4())
    foreign = await http.patch(f"/integrations/{connection['id']}", headers=headers, json={
        "settings": {"teams": {"ENG": theirs}, "projects": {linear_project: str(uuid.uuid4())}}})
    assert foreign.status_code == 422, foreign.text
    assert sorted(e["field"] for e in foreign.json()["errors"]) == [
        "settings.projects." + linear_project, "settings.teams.ENG"]
    good = await http.patch(f"/integrations/{connection['id']}", headers=headers, json={
        "settings": {"teams": {"eng": project_id}}})
    assert good.status_code == 200, good.text
    assert good.json()["settings"] == {"teams": {"ENG": project_id}}


async def test_signed_webhooks_make_and_change_the_task_and_a_replay_changes_nothing(
        http, suite, fake_linear):
    owner, headers, _, project_id, key, _ = await mapped_org(http, suite, fake_linear)
    dev = await join_as(http, owner, "member")
    email = dev["user"]["email"]
    await eventually(lambda: query(suite, "SELECT 1 FROM known_members WHERE email = :e",
                                   e=email.lower()), "integrations heard of the member")
    linear_dev = fake_linear.add_user("Dev Eloper", email)
    sent = len(fake_linear.deliveries)
    issue_id = fake_linear.create_issue(key, "Login breaks on Safari", "Steps: open /login",
                                        state="Backlog", assignee=linear_dev, estimate=3)

    task = await eventually(lambda: task_of(http, suite, headers, issue_id),
                            "the issue became a task")
    assert (task["project_id"], task["title"], task["description"], task["status"],
            task["story_points"], task["assignee_id"], task["estimated_hours"]) == (
        project_id, "Login breaks on Safari", "Steps: open /login", "todo", 3,
        dev["user"]["id"], None)

    fake_linear.update_issue(issue_id, title="Login breaks on Safari 17", state="In Progress")
    update = await fake_linear.wait_delivered("update", issue_id, after=sent)

    async def changed():
        found = await task_of(http, suite, headers, issue_id)
        return found if found and found["status"] == "in_progress" else None

    task = await eventually(changed, "the edit reached the task")
    assert task["title"] == "Login breaks on Safari 17"
    await eventually(lambda: applied(suite, update.id), "the update delivery was applied")

    # The same delivery again (same Linear-Delivery, bytes and signature): accepted at the
    # door, changes nothing.
    again = fake_linear.redeliver(update)
    assert again.status_code == 200, again.text
    assert again.json() == {"received": True}
    (row,) = await applied(suite, update.id)
    assert (row.attempts, row.last_error) == (1, None)
    same = await http.get(f"/tasks/{task['id']}", headers=headers)
    assert same.json()["updated_at"] == task["updated_at"]
    # Applying Linear's changes asked nothing of Linear.
    assert [m for m in fake_linear.mutations if m["id"] == issue_id] == []


async def test_forged_stale_or_incomplete_webhooks_are_refused(http, suite, fake_linear):
    _, _, _, _, key, _ = await mapped_org(http, suite, fake_linear)
    issue_id = fake_linear.create_issue(key, "Quiet", notify=False)
    forged = fake_linear.deliver(fake_linear.webhook("update", issue_id, secret="not-it"))
    assert forged.status_code == 401, forged.text
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["reason"] == "LINEAR_SIGNATURE_INVALID"
    stale = fake_linear.deliver(fake_linear.webhook(
        "update", issue_id, sent_at=datetime.now(UTC) - timedelta(seconds=90)))
    assert stale.status_code == 401, stale.text
    assert "webhookTimestamp" in stale.json()["detail"]
    good = fake_linear.webhook("create", issue_id)
    unsigned = await http.post("/webhooks/linear", content=good.body, headers={
        "Content-Type": "application/json", "Linear-Delivery": good.id})
    assert unsigned.status_code == 401, unsigned.text
    no_delivery = await http.post("/webhooks/linear", content=good.body, headers={
        "Content-Type": "application/json", "Linear-Signature": good.headers["Linear-Signature"]})
    assert no_delivery.status_code == 400, no_delivery.text
    assert await query(suite, "SELECT 1 FROM linear_deliveries WHERE delivery_id = :id",
                       id=good.id) == []
    # None of them made a task.
    assert await query(suite, "SELECT 1 FROM linear_issue_links WHERE issue_id = :id",
                       id=issue_id) == []


async def test_a_manager_s_status_change_reaches_linear_once_and_its_echo_changes_nothing(
        http, suite, fake_linear):
    owner, headers, _, _, key, team_id = await mapped_org(http, suite, fake_linear)
    manager = await join_as(http, owner, "manager")
    as_manager = auth(manager["access_token"])
    issue_id = fake_linear.create_issue(key, "Add dark mode", "Please")
    task = await eventually(lambda: task_of(http, suite, headers, issue_id),
                            "the issue became a task")
    sent = len(fake_linear.deliveries)

    moved = await http.patch(f"/tasks/{task['id']}", headers=as_manager,
                             json={"status": "done"})
    assert moved.status_code == 200, moved.text

    async def done_on_linear():
        return fake_linear.issue(issue_id)["state"]["name"] == "Done"

    await eventually(done_on_linear, "the issue moved to Done on Linear")
    done = fake_linear.state(team_id, "Done")["id"]
    assert [m["input"] for m in fake_linear.mutations if m["id"] == issue_id] == [
        {"stateId": done}]
    echo = await fake_linear.wait_delivered("update", issue_id, after=sent)
    await eventually(lambda: applied(suite, echo.id), "Linear's echo was applied")
    # The echo changed nothing in Labs, so nothing went back to Linear: one issueUpdate.
    after = await http.get(f"/tasks/{task['id']}", headers=headers)
    assert (after.json()["status"], after.json()["updated_at"]) == (
        "done", moved.json()["updated_at"])
    assert len([m for m in fake_linear.mutations if m["id"] == issue_id]) == 1
    pushes = await query(suite, "SELECT p.status, p.attempts FROM linear_issue_pushes p JOIN "
                         "linear_issue_links l ON l.id = p.link_id WHERE l.task_id = :id",
                         id=task["id"])
    assert [(p.status, p.attempts) for p in pushes] == [("done", 1)]

    renamed = await http.patch(f"/tasks/{task['id']}", headers=as_manager,
                               json={"title": "Dark mode", "status": "in_review"})
    assert renamed.status_code == 200, renamed.text

    async def followed():
        issue = fake_linear.issue(issue_id)
        return (issue["title"], issue["state"]["name"]) == ("Dark mode", "In Review")

    await eventually(followed, "the title and status followed the task's")
    assert len([m for m in fake_linear.mutations if m["id"] == issue_id]) == 2


async def test_a_missed_webhook_is_caught_by_a_sync_and_a_deleted_issue_cancels_its_task(
        http, suite, fake_linear):
    _, headers, connection, project_id, key, _ = await mapped_org(http, suite, fake_linear)
    issue_id = fake_linear.create_issue(key, "Slow search")
    task = await eventually(lambda: task_of(http, suite, headers, issue_id),
                            "the issue became a task")
    # Changed in Linear with no webhook (a missed delivery), one never delivered at all, and
    # finished history Labs never linked.
    fake_linear.update_issue(issue_id, title="Slow search on mobile", state="Done",
                             notify=False)
    new_id = fake_linear.create_issue(key, "Typo on pricing", "In the footer", notify=False)
    old_id = fake_linear.create_issue(key, "Shipped last year", state="Done", notify=False)

    job = await http.post(f"/integrations/{connection['id']}/sync", headers=headers)
    assert job.status_code == 202, job.text
    log = await eventually(lambda: sync_log(http, headers, connection["id"],
                                            job.json()["job_id"]), "the sync finished")
    assert (log["status"], log["records_synced"], log["error_message"]) == ("success", 2, None)
    healed = await task_of(http, suite, headers, issue_id)
    assert (healed["id"], healed["title"], healed["status"]) == (
        task["id"], "Slow search on mobile", "done")
    new = await task_of(http, suite, headers, new_id)
    assert (new["project_id"], new["title"], new["description"]) == (
        project_id, "Typo on pricing", "In the footer")
    assert await task_of(http, suite, headers, old_id) is None
    assert [m for m in fake_linear.mutations if m["id"] in (issue_id, new_id)] == []
    # A second sync finds everything in line.
    again = await http.post(f"/integrations/{connection['id']}/sync", headers=headers)
    log = await eventually(lambda: sync_log(http, headers, connection["id"],
                                            again.json()["job_id"]), "the second sync finished")
    assert (log["status"], log["records_synced"]) == ("success", 0)

    # Deleted in Linear: the task is cancelled and says why, never deleted.
    fake_linear.remove_issue(new_id)

    async def marked():
        found = await http.get(f"/tasks/{new['id']}", headers=headers)
        comments = await http.get(f"/tasks/{new['id']}/comments", headers=headers)
        return comments.json()["comments"] if found.json()["status"] == "cancelled" else None

    (note,) = await eventually(marked, "the deleted issue cancelled its task and said why")
    assert "deleted in Linear" in note["body"]

    async def removal_in_activity():  # the feed records the event after the task changed
        activity = await http.get("/activity", headers=headers,
                                  params={"project_id": project_id})
        return [a for a in activity.json()["activities"]
                if a["action"] == "linear.issue_synced" and a["metadata"].get("removed")]

    await eventually(removal_in_activity, "the removal is in the project's activity")


async def test_roles_and_other_orgs(http, suite, fake_linear):
    owner, _, connection, _, _, _ = await mapped_org(http, suite, fake_linear)
    member = auth((await join_as(http, owner, "member"))["access_token"])
    manager = auth((await join_as(http, owner, "manager"))["access_token"])
    path = f"/integrations/{connection['id']}"
    key = f"lin_api_{uuid.uuid4().hex}"
    fake_linear.add_user("Mem Ber", f"mem-{uuid.uuid4().hex[:6]}@acme.test", api_key=key)
    assert (await http.post("/integrations/linear/auth", headers=member,
                            json={"api_key": key})).status_code == 403
    assert (await http.post("/integrations/linear/auth", headers=manager,
                            json={"api_key": key})).status_code == 403
    for who in (member, manager):
        assert (await http.patch(path, headers=who, json={"settings": {}})).status_code == 403
        assert (await http.post(f"{path}/sync", headers=who)).status_code == 403
    assert (await http.get(f"{path}/sync-logs", headers=member)).status_code == 403
    assert (await http.get(f"{path}/sync-logs", headers=manager)).status_code == 200

    stranger = auth((await sign_up(http, org="Other Agency"))["access_token"])
    for method, url, body in (("PATCH", path, {"settings": {}}), ("POST", f"{path}/sync", None),
                              ("GET", f"{path}/sync-status", None),
                              ("GET", f"{path}/sync-logs", None), ("DELETE", path, None)):
        answer = await http.request(method, url, headers=stranger, json=body)
        assert answer.status_code == 404, (method, url, answer.text)
    listed = await http.get("/integrations", headers=stranger)
    assert listed.json()["integrations"] == []


async def test_linear_oauth_connects_the_workspace_of_whoever_consented(http, fake_linear):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    started = await http.post("/integrations/linear/auth", headers=headers,
                              json={"redirect_url": "https://console.example/back"})
    assert started.status_code == 200, started.text
    auth_url, state = started.json()["auth_url"], started.json()["state"]
    asked = parse_qs(urlsplit(auth_url).query)
    assert auth_url.startswith("https://linear.app/oauth/authorize?")
    assert (asked["client_id"], asked["state"], asked["scope"]) == (
        ["e2e-linear-client"], [state], ["read,write"])
    user = fake_linear.add_user("Oauth User", f"oauth-{uuid.uuid4().hex[:6]}@acme.test")
    code = fake_linear.authorize("e2e-linear-client", user)
    done = await http.post("/integrations/linear/callback", headers=headers,
                           json={"code": code, "state": state})
    assert done.status_code == 200, done.text
    assert (done.json()["platform"], done.json()["account_name"]) == (
        "linear", fake_linear.organization["name"])


async def test_a_linear_issue_linked_to_a_task_gets_its_title_from_the_connection(
        http, suite, fake_linear):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    await connect(http, headers, fake_linear)
    project_id = await project_known(http, suite, headers)
    task = await http.post(f"/projects/{project_id}/tasks", headers=headers,
                           json={"title": "Ship the login fix"})
    assert task.status_code == 201, task.text
    key = team_key()
    fake_linear.add_team(key)
    issue_id = fake_linear.create_issue(key, "Login fails on Safari", notify=False)
    identifier = fake_linear.issue(issue_id)["identifier"]
    linked = await http.post(f"/tasks/{task.json()['id']}/links", headers=headers, json={
        "url": f"https://linear.app/acme/issue/{identifier}/login-fails"})
    assert linked.status_code == 201, linked.text
    assert linked.json()["platform"] == "linear" and linked.json()["title"] is None

    async def titled():
        listed = await http.get(f"/tasks/{task.json()['id']}/links", headers=headers)
        found = listed.json()["links"]
        return found if found and found[0]["title"] else None

    shown = (await eventually(titled, "the Linear issue's title was read"))[0]
    assert shown["title"] == "Login fails on Safari" and shown["updated_at"] is not None
