"""Connections through the gateway: a token checked with the platform before it is stored, OAuth
with a state that works once, settings, syncs and their logs, deletion that revokes at the
platform; credentials never answered and sealed at rest; roles and other tenants."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e
query = database_of("integrations")


def github_token(fake, login: str) -> str:
    token = f"ghp_{uuid.uuid4().hex}"
    fake.add_token(token, login, email=f"{login}@example.com")
    return token


async def test_a_token_is_checked_stored_sealed_and_never_answered(http, suite, fake_github):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    refused = await http.post("/integrations/github/auth", headers=headers,
                              json={"access_token": "ghp_not-a-token-github-issued"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]

    token = github_token(fake_github, f"octo-{uuid.uuid4().hex[:6]}")
    connected = await http.post("/integrations/github/auth", headers=headers,
                                json={"access_token": token})
    assert connected.status_code == 201, connected.text
    body = connected.json()
    assert body["platform"] == "github" and body["status"] == "connected"
    assert body["account_name"].startswith("octo-")
    assert token not in connected.text

    listed = await http.get("/integrations", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["integrations"]] == [body["id"]]
    assert token not in listed.text

    # What a dump of the table would hold.
    (row,) = await query(suite, "SELECT credentials, credentials_key_id FROM connections "
                         "WHERE id = :id", id=body["id"])
    assert row.credentials_key_id == "e2e-1"
    assert token.encode() not in bytes(row.credentials)


async def test_oauth_state_works_once(http, fake_github):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    login = f"oauth-{uuid.uuid4().hex[:6]}"
    fake_github.oauth_user = login
    started = await http.post("/integrations/github/auth", headers=headers,
                              json={"redirect_url": "https://console.example/integrations/back"})
    assert started.status_code == 200, started.text
    auth_url, state = started.json()["auth_url"], started.json()["state"]
    assert parse_qs(urlsplit(auth_url).query)["state"] == [state]

    async with httpx.AsyncClient() as browser:  # the user approving on GitHub
        consent = await browser.get(auth_url, follow_redirects=False)
    assert consent.status_code == 302
    back = parse_qs(urlsplit(consent.headers["location"]).query)
    assert back["state"] == [state]

    done = await http.post("/integrations/github/callback", headers=headers,
                           json={"code": back["code"][0], "state": state})
    assert done.status_code == 200, done.text
    assert done.json()["account_name"] == login

    again = await http.post("/integrations/github/callback", headers=headers,
                            json={"code": back["code"][0], "state": state})
    assert again.status_code == 422, again.text
    assert [e["field"] for e in again.json()["errors"]] == ["state"]
    forged = await http.post("/integrations/github/callback", headers=headers,
                             json={"code": "x", "state": "never-issued"})
    assert forged.status_code == 422


async def test_settings_sync_and_delete_revoking_at_the_platform(http, fake_slack):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    team = f"T{uuid.uuid4().hex[:8].upper()}"
    bot = f"xoxb-{uuid.uuid4().hex}"
    fake_slack.add_workspace(bot, team, "Acme Workspace")
    connected = await http.post("/integrations/slack/auth", headers=headers,
                                json={"access_token": bot})
    assert connected.status_code == 201, connected.text
    connection = connected.json()
    assert connection["account_name"] == "Acme Workspace"

    changed = await http.patch(f"/integrations/{connection['id']}", headers=headers,
                               json={"settings": {"default_channel": "C0GENERAL"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"] == {"default_channel": "C0GENERAL"}
    bad = await http.patch(f"/integrations/{connection['id']}", headers=headers,
                           json={"settings": {"default_channel": ""}})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["settings.default_channel"]

    job = await http.post(f"/integrations/{connection['id']}/sync", headers=headers)
    assert job.status_code == 202, job.text

    async def finished():
        status = await http.get(f"/integrations/{connection['id']}/sync-status",
                                headers=headers)
        assert status.status_code == 200, status.text
        return status.json() if status.json()["status"] == "success" else None

    await eventually(finished, "the sync succeeded")
    logs = await http.get(f"/integrations/{connection['id']}/sync-logs", headers=headers)
    assert logs.status_code == 200, logs.text
    # The one asked for, beside the first sync a new connection gets on its own; newest first.
    shown = logs.json()["sync_logs"]
    assert job.json()["job_id"] in {log["id"] for log in shown}
    assert all(log["status"] == "success" for log in shown)
    assert [log["started_at"] for log in shown] == sorted(
        (log["started_at"] for log in shown), reverse=True)

    gone = await http.delete(f"/integrations/{connection['id']}", headers=headers)
    assert gone.status_code == 204, gone.text
    assert (await http.get("/integrations", headers=headers)).json()["integrations"] == []

    async def revoked():
        return [c for c in fake_slack.api_calls("auth.revoke")
                if bot in str(c.headers) or c.params.get("token") == bot]

    await eventually(revoked, "the bot token revoked at Slack")


async def test_roles_and_other_tenants(http, fake_github):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    token = github_token(fake_github, f"octo-{uuid.uuid4().hex[:6]}")
    connection = (await http.post("/integrations/github/auth", headers=headers,
                                  json={"access_token": token})).json()
    manager = await join_as(http, owner, "manager")
    member = await join_as(http, owner, "member")
    viewer = await join_as(http, owner, "viewer")

    assert (await http.get("/integrations", headers=auth(manager["access_token"]))
            ).status_code == 200
    for who in (member, viewer):
        assert (await http.get("/integrations", headers=auth(who["access_token"]))
                ).status_code == 403
    for path, body in ((f"/integrations/{connection['id']}/sync", None),
                       ("/integrations/github/auth", {"access_token": token})):
        assert (await http.post(path, headers=auth(manager["access_token"]), json=body)
                ).status_code == 403
    assert (await http.delete(f"/integrations/{connection['id']}",
                              headers=auth(manager["access_token"]))).status_code == 403
    for who, method, path, body in (
            (manager, "PATCH", f"/integrations/{connection['id']}", {"settings": {}}),
            (manager, "POST", "/integrations/github/callback", {"code": "c", "state": "s"}),
            (member, "GET", f"/integrations/{connection['id']}/sync-status", None),
            (member, "GET", f"/integrations/{connection['id']}/sync-logs", None)):
        answer = await http.request(method, path, headers=auth(who["access_token"]), json=body)
        assert answer.status_code == 403, (method, path, answer.text)

    other = auth((await sign_up(http, "Other Agency"))["access_token"])
    for method, path in (("GET", f"/integrations/{connection['id']}/sync-status"),
                         ("GET", f"/integrations/{connection['id']}/sync-logs"),
                         ("POST", f"/integrations/{connection['id']}/sync"),
                         ("PATCH", f"/integrations/{connection['id']}"),
                         ("DELETE", f"/integrations/{connection['id']}")):
        answer = await http.request(method, path, headers=other,
                                    json={"settings": {}} if method == "PATCH" else None)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await http.get("/integrations", headers=headers)).json()["integrations"][0][
        "id"] == connection["id"]


async def test_a_slack_workspace_answers_for_one_organization(http, fake_slack):
    team = f"T{uuid.uuid4().hex[:8].upper()}"
    bot = f"xoxb-{uuid.uuid4().hex}"
    fake_slack.add_workspace(bot, team, "Shared Workspace")
    first = auth((await sign_up(http, "First Agency"))["access_token"])
    second = auth((await sign_up(http, "Second Agency"))["access_token"])
    connected = await http.post("/integrations/slack/auth", headers=first,
                                json={"access_token": bot})
    assert connected.status_code == 201, connected.text
    taken = await http.post("/integrations/slack/auth", headers=second,
                            json={"access_token": bot})
    assert taken.status_code == 409, taken.text
    assert (await http.get("/integrations", headers=second)).json()["integrations"] == []
    # Its own organization may connect it again (new credentials), and once it lets go, the
    # other may take it.
    again = await http.post("/integrations/slack/auth", headers=first,
                            json={"access_token": bot})
    assert again.status_code == 201 and again.json()["id"] == connected.json()["id"]
    assert (await http.delete(f"/integrations/{connected.json()['id']}", headers=first)
            ).status_code == 204
    reinstalled = f"xoxb-{uuid.uuid4().hex}"  # the first bot token is revoked with the delete
    fake_slack.add_workspace(reinstalled, team, "Shared Workspace")
    moved = await http.post("/integrations/slack/auth", headers=second,
                            json={"access_token": reinstalled})
    assert moved.status_code == 201, moved.text


async def test_slack_installs_by_oauth(http, fake_slack):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    team = f"T{uuid.uuid4().hex[:8].upper()}"
    fake_slack.add_workspace(f"xoxb-{uuid.uuid4().hex}", team, "OAuth Workspace")
    started = await http.post("/integrations/slack/auth", headers=headers,
                              json={"redirect_url": "https://console.example/slack/back"})
    assert started.status_code == 200, started.text
    query_of = parse_qs(urlsplit(started.json()["auth_url"]).query)
    assert query_of["state"] == [started.json()["state"]]
    assert "commands" in query_of["scope"][0]
    code = fake_slack.authorize(team)  # the admin approving the install on Slack's page
    done = await http.post("/integrations/slack/callback", headers=headers,
                           json={"code": code, "state": started.json()["state"]})
    assert done.status_code == 200, done.text
    assert done.json()["platform"] == "slack" and done.json()["account_name"] == "OAuth Workspace"
    spent = await http.post("/integrations/slack/callback", headers=headers,
                            json={"code": code, "state": started.json()["state"]})
    assert spent.status_code == 422
