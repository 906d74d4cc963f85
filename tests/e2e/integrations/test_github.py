"""GitHub ⇄ Labs through the gateway, against FakeGitHub: an org connects GitHub with a token and
links a project to a repository; a developer opens then closes an issue on GitHub (signed
webhooks) and the task appears then is done in Labs; a delivery seen before changes nothing and a
forged one is refused; a manager moves a task to done and its issue closes on GitHub exactly once,
GitHub's echo applied as nothing; a change GitHub never delivered is healed by a sync."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

from labs_common.testing.fake_github import example

pytestmark = pytest.mark.e2e
query = database_of("integrations")


async def connected_project(http, suite, fake_github):
    """An org whose owner connected GitHub (as the bot account `labs-<hex>`), a repository on the
    fake and a project linked to it, known to integrations' read model."""
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    suffix = uuid.uuid4().hex[:8]
    bot, token = f"labs-{suffix}", f"ghp_{uuid.uuid4().hex}"
    fake_github.add_token(token, bot, email=f"{bot}@example.com")
    fake_github.add_user("dev", email=None)
    repo = fake_github.add_repo(f"acme-{suffix}", "site")
    connected = await http.post("/integrations/github/auth", headers=headers,
                                json={"access_token": token})
    assert connected.status_code == 201, connected.text
    assert connected.json()["account_name"] == bot
    project = await http.post("/projects", headers=headers, json={
        "name": f"Site {suffix}", "client_name": "Globex",
        "github_repo_url": f"https://github.com/{repo.full_name}"})
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]

    async def known():
        return await query(suite, "SELECT 1 FROM known_projects WHERE project_id = :id AND "
                           "github_repository = :repo", id=project_id,
                           repo=repo.full_name.lower())

    await eventually(known, "integrations heard of the linked project")
    return owner, headers, connected.json(), project_id, repo.full_name


async def task_of(http, headers, project_id: str, number: int) -> dict | None:
    found = await http.get(f"/projects/{project_id}/tasks", headers=headers,
                           params={"github_issue_number": number})
    assert found.status_code == 200, found.text
    tasks = found.json()["tasks"]
    return tasks[0] if tasks else None


def delivery_of(fake, number: int, action: str):
    return next((d for d in list(fake.deliveries) if d.event == "issues" and d.ok
                 and d.action == action and d.payload["issue"]["number"] == number), None)


async def applied(suite, delivery_id: str):
    rows = await query(suite, "SELECT applied_at, attempts, last_error FROM github_deliveries "
                       "WHERE delivery_id = :id", id=delivery_id)
    return rows if rows and rows[0].applied_at is not None else None


async def test_issues_opened_and_closed_on_github_become_a_task_done_in_labs(
        http, suite, fake_github):
    _, headers, _, project_id, repo = await connected_project(http, suite, fake_github)

    fake_github.create_issue(repo, "Login breaks on Safari", "Steps: open /login", user="dev",
                             notify=True)

    async def created():
        return await task_of(http, headers, project_id, 1)

    task = await eventually(created, "the issue became a task")
    assert (task["title"], task["description"], task["status"], task["github_issue_number"]) == (
        "Login breaks on Safari", "Steps: open /login", "todo", 1)

    fake_github.update_issue(repo, 1, state="closed", user="dev", notify=True)

    async def done():
        found = await task_of(http, headers, project_id, 1)
        return found if found and found["status"] == "done" else None

    task = await eventually(done, "closing the issue moved the task to done")
    closed = await eventually(lambda: asyncio.sleep(0, delivery_of(fake_github, 1, "closed")),
                              "the closed webhook was delivered")
    await eventually(lambda: applied(suite, closed.id), "the closed delivery was applied")

    # The same delivery again (same X-GitHub-Delivery): accepted at the door, changes nothing.
    again = fake_github.redeliver(closed)
    assert again.status_code == 200, again.text
    assert again.json() == {"received": True}
    (row,) = await applied(suite, closed.id)
    assert (row.attempts, row.last_error) == (1, None)
    same = await http.get(f"/tasks/{task['id']}", headers=headers)
    assert same.json()["updated_at"] == task["updated_at"]
    # Applying GitHub's changes asked nothing of GitHub: no PATCH of the issue.
    assert fake_github.calls("PATCH", f"/repos/{repo}/issues/1") == []


async def test_forged_or_incomplete_webhooks_are_refused(http, suite, fake_github):
    _, _, _, _, repo = await connected_project(http, suite, fake_github)
    payload = example("issues", "opened")
    payload["repository"]["full_name"] = repo
    forged = fake_github.deliver("issues", payload, secret="not-the-webhook-secret")
    assert forged.status_code == 401, forged.text
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["reason"] == "GITHUB_SIGNATURE_INVALID"
    body = b'{"zen": "Design for failure."}'
    unsigned = await http.post("/webhooks/github", content=body, headers={
        "X-GitHub-Event": "ping", "X-GitHub-Delivery": str(uuid.uuid4()),
        "Content-Type": "application/json"})
    assert unsigned.status_code == 401, unsigned.text
    no_event = await http.post("/webhooks/github", content=body, headers={
        "X-GitHub-Delivery": str(uuid.uuid4()), "Content-Type": "application/json",
        "X-Hub-Signature-256": fake_github.signed(body)})
    assert no_event.status_code == 400, no_event.text
    ping = await http.post("/webhooks/github", content=body, headers={
        "X-GitHub-Event": "ping", "X-GitHub-Delivery": str(uuid.uuid4()),
        "Content-Type": "application/json", "X-Hub-Signature-256": fake_github.signed(body)})
    assert ping.status_code == 200, ping.text
    assert ping.json() == {"received": True}


async def test_a_manager_moving_a_task_to_done_closes_its_issue_once(http, suite, fake_github):
    owner, headers, _, project_id, repo = await connected_project(http, suite, fake_github)
    manager = await join_as(http, owner, "manager")
    as_manager = auth(manager["access_token"])
    fake_github.create_issue(repo, "Add dark mode", "Please", user="dev", notify=True)

    async def created():
        return await task_of(http, headers, project_id, 1)

    task = await eventually(created, "the issue became a task")
    moved = await http.patch(f"/tasks/{task['id']}", headers=as_manager,
                             json={"status": "done"})
    assert moved.status_code == 200, moved.text
    path = f"/repos/{repo}/issues/1"

    async def closed_on_github():
        return fake_github.issue(repo, 1).state == "closed"

    await eventually(closed_on_github, "the issue closed on GitHub")
    echo = await eventually(lambda: asyncio.sleep(0, delivery_of(fake_github, 1, "closed")),
                            "GitHub's webhook about our change was delivered")
    await eventually(lambda: applied(suite, echo.id), "the echo was applied")
    # The echo changed nothing in Labs, so nothing went back to GitHub: one PATCH in all.
    after = await http.get(f"/tasks/{task['id']}", headers=headers)
    assert after.json()["status"] == "done"
    assert after.json()["updated_at"] == moved.json()["updated_at"]
    assert len(fake_github.calls("PATCH", path)) == 1
    pushes = await query(suite, "SELECT status, attempts FROM github_issue_pushes p JOIN "
                         "github_issue_links l ON l.id = p.link_id WHERE l.task_id = :id",
                         id=task["id"])
    assert [(p.status, p.attempts) for p in pushes] == [("done", 1)]

    # Renamed in Labs: the issue's title follows.
    renamed = await http.patch(f"/tasks/{task['id']}", headers=as_manager,
                               json={"title": "Dark mode"})
    assert renamed.status_code == 200, renamed.text

    async def retitled():
        return fake_github.issue(repo, 1).title == "Dark mode"

    await eventually(retitled, "the issue's title followed the task's")
    assert len(fake_github.calls("PATCH", path)) == 2


async def sync_log(http, headers, connection_id: str, job_id: str | None = None):
    """The finished sync log `job_id` (else the connection's latest), or None."""
    logs = await http.get(f"/integrations/{connection_id}/sync-logs", headers=headers)
    assert logs.status_code == 200, logs.text
    found = [log for log in logs.json()["sync_logs"] if job_id in (None, log["id"])]
    return found[0] if found and found[0]["status"] in ("success", "failed") else None


async def test_a_change_github_never_delivered_is_healed_by_a_sync(http, suite, fake_github):
    _, headers, connection, project_id, repo = await connected_project(
        http, suite, fake_github)
    # The sync every connection gets when it is made, out of the way first.
    await eventually(lambda: sync_log(http, headers, connection["id"]), "the first sync ran")
    fake_github.create_issue(repo, "Slow search", "", user="dev", notify=True)

    async def created():
        return await task_of(http, headers, project_id, 1)

    task = await eventually(created, "the issue became a task")
    # Changed on GitHub with no webhook (a missed delivery), and one never delivered at all.
    fake_github.update_issue(repo, 1, title="Slow search on mobile", state="closed", user="dev")
    fake_github.create_issue(repo, "Typo on pricing", "In the footer", user="dev")
    fake_github.create_issue(repo, "A pull request", user="dev", pull_request=True)

    job = await http.post(f"/integrations/{connection['id']}/sync", headers=headers)
    assert job.status_code == 202, job.text
    log = await eventually(lambda: sync_log(http, headers, connection["id"],
                                            job.json()["job_id"]), "the sync finished")
    assert (log["status"], log["records_synced"], log["error_message"]) == ("success", 2, None)
    status = await http.get(f"/integrations/{connection['id']}/sync-status", headers=headers)
    assert status.json()["status"] == "success"
    healed = await task_of(http, headers, project_id, 1)
    assert (healed["id"], healed["title"], healed["status"]) == (
        task["id"], "Slow search on mobile", "done")
    new = await task_of(http, headers, project_id, 2)
    assert (new["title"], new["description"]) == ("Typo on pricing", "In the footer")
    assert await task_of(http, headers, project_id, 3) is None  # pull requests are no tasks
    # Bringing Labs in line asked nothing of GitHub.
    assert fake_github.calls("PATCH", f"/repos/{repo}/issues/1") == []


def about(payload: dict, repo: str) -> dict:
    """A recorded example made to be about `repo`."""
    payload["repository"]["full_name"] = repo
    payload["repository"]["name"] = repo.split("/")[1]
    return payload


async def test_comments_merged_pull_requests_and_pushes(http, suite, fake_github):
    _, headers, connection, project_id, repo = await connected_project(
        http, suite, fake_github)
    bot = connection["account_name"]
    fake_github.create_issue(repo, "Checkout fails", "500 on pay", user="dev", notify=True)

    async def created():
        return await task_of(http, headers, project_id, 1)

    task = await eventually(created, "the issue became a task")
    fake_github.add_comment(repo, 1, "Happens on Firefox too", user="dev", notify=True)
    fake_github.add_comment(repo, 1, "Posted from Labs", user=bot, notify=True)

    async def commented():
        listed = await http.get(f"/tasks/{task['id']}/comments", headers=headers)
        assert listed.status_code == 200, listed.text
        return listed.json()["comments"] or None

    comments = await eventually(commented, "the comment reached the task")

    pull = about(example("pull_request", "closed", merged=True), repo)
    # Merged now (GitHub then closes issue 1 itself; the fake leaves it open, as a
    # reconciler could read it in between).
    pull["pull_request"].update(number=7, title="Fix checkout", body="This Closes #1.",
                                merged_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"))
    merged = fake_github.deliver("pull_request", pull)
    assert merged.status_code == 200, merged.text
    push = about(example("push"), repo)
    push["commits"] = [dict(push["head_commit"], message="Fix checkout\n\nCloses #1")]
    pushed = fake_github.deliver("push", push)
    assert pushed.status_code == 200, pushed.text

    async def done():
        found = await task_of(http, headers, project_id, 1)
        return found if found and found["status"] == "done" else None

    closed_task = await eventually(done, "the merged pull request moved the task to done")

    async def activity():
        found = await http.get("/activity", headers=headers, params={"project_id": project_id})
        assert found.status_code == 200, found.text
        actions = {a["action"]: a for a in found.json()["activities"]}
        return actions if {"github.pull_request", "github.push"} <= set(actions) else None

    actions = await eventually(activity, "the pull request and the push are in the feed")
    assert actions["github.pull_request"]["metadata"]["closes"] == [1]
    assert actions["github.pull_request"]["metadata"]["merged"] is True
    (commit,) = actions["github.push"]["metadata"]["commits"]
    assert commit["message"] == "Fix checkout"  # the first line
    # Only the developer's comment: the connection's own account's is our echo.
    listed = await http.get(f"/tasks/{task['id']}/comments", headers=headers)
    assert [c["body"] for c in listed.json()["comments"]] == [
        "dev on GitHub: Happens on Firefox too"]
    assert len(comments) == 1

    # GitHub closes the issue after the merge: an echo of what Labs did already.
    fake_github.update_issue(repo, 1, state="closed", user="dev", notify=True)
    echo = await eventually(lambda: asyncio.sleep(0, delivery_of(fake_github, 1, "closed")),
                            "GitHub's closed webhook was delivered")
    await eventually(lambda: applied(suite, echo.id), "the closed webhook was applied")
    after = await http.get(f"/tasks/{task['id']}", headers=headers)
    assert after.json()["updated_at"] == closed_task["updated_at"]
    assert fake_github.calls("PATCH", f"/repos/{repo}/issues/1") == []
