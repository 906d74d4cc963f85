"""Figma's webhooks through the gateway, against FakeFigma: connecting Figma with a team
registers that team's FILE_UPDATE and FILE_COMMENT webhooks (with the connection's own passcode,
this suite's gateway their endpoint); a file saved in Figma renames its links at once and is
activity on the linking task's project; a comment is activity on each task that links the file,
seen by the agency's people and never by a client; a repeated delivery changes nothing; a wrong
or missing passcode is refused like a bad GitHub signature; an OAuth connection (which names no
team) gets the webhooks of the team an admin names in its settings, moved when it changes and
deleted when it is cleared."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

from integrations.conftest import FIGMA_APP
from integrations.test_links import connect_figma, org_with_task, titled
from integrations.test_oauth_connections import REDIRECT, connect_by_consent, fields

pytestmark = pytest.mark.e2e
query = database_of("integrations")


async def registered(fake_figma, team: str):
    async def both():
        hooks = [h for h in list(fake_figma.webhooks.values()) if h["team_id"] == team]
        return hooks if sorted(h["event_type"] for h in hooks) == [
            "FILE_COMMENT", "FILE_UPDATE"] else None

    return await eventually(both, "Labs registered the team's webhooks")


async def figma_activity(http, headers, project_id: str, action: str) -> list[dict]:
    found = await http.get("/activity", headers=headers, params={"project_id": project_id})
    assert found.status_code == 200, found.text
    return [a for a in found.json()["activities"] if a["action"] == action]


async def linked_file(http, suite, fake_figma):
    owner, headers, project, task = await org_with_task(http)
    team, _ = await connect_figma(http, headers, fake_figma)
    hooks = await registered(fake_figma, team)
    key = fake_figma.add_file(team, "Website")
    link = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                           json={"url": f"https://www.figma.com/file/{key}/Website"})
    assert link.status_code == 201, link.text
    await titled(http, headers, f"/tasks/{task['id']}", link.json()["id"], "Website")
    return owner, headers, project, task, key, hooks


async def test_connecting_figma_registers_the_teams_webhooks_with_a_passcode_of_its_own(
        http, suite, fake_figma):
    _, headers, _, _ = await org_with_task(http)
    team, connection = await connect_figma(http, headers, fake_figma)
    hooks = await registered(fake_figma, team)
    assert {h["endpoint"] for h in hooks} == {
        f"{suite.gateway_url}/api/v1/webhooks/figma"}
    (passcode,) = {h["passcode"] for h in hooks}
    assert passcode not in str(connection)
    # Figma's PING on creation was answered.
    await eventually(lambda: asyncio.sleep(0, [d for d in list(fake_figma.deliveries)
                                               if d.payload["event_type"] == "PING"
                                               and d.webhook_id in {h["id"] for h in hooks}
                                               and d.ok]),
                     "the PINGs were accepted")
    # The passcode is kept as its hash, and sealed; never in the clear.
    (row,) = await query(suite, "SELECT passcode, passcode_hash FROM figma_hooks "
                         "WHERE connection_id = :id", id=connection["id"])
    assert passcode.encode() not in bytes(row.passcode)
    # Connecting again (a new token) adds no second set of webhooks.
    await connect_figma(http, headers, fake_figma, team=team)
    await eventually(lambda: query(suite, "SELECT 1 FROM figma_hooks f JOIN connections c "
                                   "ON c.id = f.connection_id WHERE f.connection_id = :id "
                                   "AND f.registered_for = c.connected_at", id=connection["id"]),
                     "the reconnect was registered")
    assert len([h for h in fake_figma.webhooks.values() if h["team_id"] == team]) == 2


async def test_a_file_update_renames_its_links_and_is_activity_on_the_tasks_project(
        http, suite, fake_figma):
    _, headers, project, task, key, _ = await linked_file(http, suite, fake_figma)
    own = await http.post(f"/projects/{project['id']}/links", headers=headers,
                          json={"url": f"https://www.figma.com/design/{key}"})
    assert own.status_code == 201, own.text

    (sent,) = fake_figma.update_file(key, name="Website v2")
    assert sent.ok, sent.status
    link = (await http.get(f"/tasks/{task['id']}/links", headers=headers)).json()["links"][0]
    await titled(http, headers, f"/tasks/{task['id']}", link["id"], "Website v2")
    await titled(http, headers, f"/projects/{project['id']}", own.json()["id"], "Website v2")

    async def announced():
        found = await figma_activity(http, headers, project["id"], "figma.file_updated")
        return found if len(found) == 2 else None

    updates = await eventually(announced, "the update is in the feed")
    assert sorted(a["metadata"].get("task_id", "") for a in updates) == ["", task["id"]]
    assert {a["project_id"] for a in updates} == {project["id"]}
    assert {a["metadata"]["file_name"] for a in updates} == {"Website v2"}


async def test_a_comment_is_activity_on_the_linking_task_for_staff_never_for_a_client(
        http, suite, fake_figma):
    owner, headers, project, task, key, _ = await linked_file(http, suite, fake_figma)
    other = (await http.post("/projects", headers=headers, json={
        "name": "Elsewhere", "client_name": "Vandelay"})).json()
    member = auth((await join_as(http, owner, "member"))["access_token"])
    client = auth((await join_as(http, owner, "client",
                                 client_id=project["client_id"]))["access_token"])
    other_client = auth((await join_as(http, owner, "client",
                                       client_id=other["client_id"]))["access_token"])

    (sent,) = fake_figma.comment(key, "Make the logo bigger", handle="dana")
    assert sent.ok, sent.status

    async def commented():
        return await figma_activity(http, member, project["id"], "figma.commented")

    (entry,) = await eventually(commented, "the comment is in the task project's feed")
    assert entry["project_id"] == project["id"]
    assert entry["metadata"]["task_id"] == task["id"]
    assert (entry["metadata"]["text"], entry["metadata"]["author"]) == (
        "Make the logo bigger", "dana")
    assert entry["metadata"]["file_key"] == key
    # What is said in Figma is the agency's: no client sees it, its project's or another's.
    for who in (client, other_client):
        found = await http.get("/activity", headers=who, params={"project_id": project["id"]})
        assert found.status_code == 200, found.text
        assert [a for a in found.json()["activities"]
                if a["action"].startswith("figma.")] == []

    # Figma's retry of the same delivery: answered, and nothing changes.
    again = fake_figma.redeliver(sent)
    assert again.ok, again.status
    rows = await query(suite, "SELECT count(*) AS n FROM figma_deliveries "
                       "WHERE delivery_key = :k", k=f"FILE_COMMENT:{key}:"
                       f"{sent.payload['comment_id']}")
    assert rows[0].n == 1
    assert len(await commented()) == 1


async def test_a_wrong_or_missing_passcode_is_refused_like_a_bad_signature(
        http, suite, fake_figma):
    _, _, _, _, key, hooks = await linked_file(http, suite, fake_figma)
    url = f"{suite.gateway_url}/api/v1/webhooks/figma"
    update = {"event_type": "FILE_UPDATE", "file_key": key, "file_name": "Forged",
              "protocol_version": "2", "retries": 0, "timestamp": "2026-05-01T10:00:00Z",
              "webhook_id": hooks[0]["id"]}
    for payload in ({**update, "passcode": "not-the-passcode"}, update):
        refused = fake_figma.deliver(payload, url)
        assert refused.status == 401
    forged = await http.post("/webhooks/figma", json={**update, "passcode": uuid.uuid4().hex})
    assert forged.status_code == 401, forged.text
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["reason"] == "FIGMA_PASSCODE_INVALID"
    not_json = await http.post("/webhooks/figma", content=b"{not json",
                               headers={"Content-Type": "application/json"})
    assert not_json.status_code in (400, 422), not_json.text
    assert await query(suite, "SELECT 1 FROM figma_deliveries WHERE file_key = :k "
                       "AND payload->>'file_name' = 'Forged'", k=key) == []


async def test_an_admin_names_the_team_of_an_oauth_connection_and_its_webhooks_follow(
        http, suite, fake_figma):
    owner, headers, _, _ = await org_with_task(http)
    first, second = (str(uuid.uuid4().int % 10**12) for _ in range(2))
    fay = fake_figma.add_user(f"fay-{uuid.uuid4().hex[:4]}", teams=(first, second))
    connection = await connect_by_consent(
        http, headers, "figma", lambda: fake_figma.oauth.authorize(FIGMA_APP[0], fay, REDIRECT),
        fake_figma)
    path, endpoint = f"/integrations/{connection['id']}", \
        f"{suite.gateway_url}/api/v1/webhooks/figma"

    def of_team(team: str) -> list[dict]:
        return [h for h in list(fake_figma.webhooks.values()) if h["team_id"] == team]

    async def settings() -> dict:
        listed = await http.get("/integrations", headers=headers)
        return next(c for c in listed.json()["integrations"]
                    if c["id"] == connection["id"])["settings"]

    # Only an admin of the org names it (the role check comes before the settings').
    member = auth((await join_as(http, owner, "member"))["access_token"])
    manager = auth((await join_as(http, owner, "manager"))["access_token"])
    stranger = auth((await sign_up(http, "Other Agency"))["access_token"])
    for who, status in ((member, 403), (manager, 403), (stranger, 404)):
        refused = await http.patch(path, headers=who, json={"settings": {"team_id": first}})
        assert refused.status_code == status, refused.text
    assert await settings() == {} and of_team(first) == []

    named = await http.patch(path, headers=headers, json={"settings": {"team_id": first}})
    assert named.status_code == 200, named.text
    assert named.json()["settings"] == {"team_id": first}
    hooks = await registered(fake_figma, first)
    assert {h["endpoint"] for h in hooks} == {endpoint}
    (passcode,) = {h["passcode"] for h in hooks}

    # A team id that is no Figma team's, or a key Figma's settings do not have: 422 naming
    # it, and nothing changed.
    for wrong, field in (({"team_id": f"figma.com/files/team/{second}"}, "settings.team_id"),
                         ({"team_id": int(second)}, "settings.team_id"),
                         ({"team_id": second, "team": second}, "settings.team")):
        bad = await http.patch(path, headers=headers, json={"settings": wrong})
        assert bad.status_code == 422 and fields(bad) == [field], bad.text
    assert await settings() == {"team_id": first}
    assert sorted(h["id"] for h in of_team(first)) == sorted(h["id"] for h in hooks)

    # Another team: the first team's webhooks are deleted, the new team's made (same passcode).
    moved = await http.patch(path, headers=headers, json={"settings": {"team_id": second}})
    assert moved.status_code == 200, moved.text
    now = await registered(fake_figma, second)
    assert {(h["endpoint"], h["passcode"]) for h in now} == {(endpoint, passcode)}
    await eventually(lambda: asyncio.sleep(0, not of_team(first)),
                     "the first team's webhooks were deleted")
    assert not {h["id"] for h in hooks} & set(fake_figma.webhooks)

    # Cleared: no team, no webhooks.
    cleared = await http.patch(path, headers=headers, json={"settings": {"team_id": None}})
    assert cleared.status_code == 200, cleared.text
    await eventually(lambda: asyncio.sleep(0, not of_team(second)),
                     "the second team's webhooks were deleted")
    assert of_team(first) == []
