"""Links through the gateway, against the fakes of Figma, Notion and GitHub: an org connects
Figma and Notion (tokens checked first), links a Figma file and a Notion page to a task and to a
project, and their titles, thumbnails and last changes arrive after the answer; a GitHub issue
link gets its title from the GitHub connection; a link whose platform has no connection stays
untitled with nothing wrong; an edit is seen again (a 429 waited out); the same target twice is
one link; a bad URL is a 422 naming `url`; delete is 204 and gone; viewers and clients read but
do not link; another org's task, project or link is a 404 everywhere."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e
query = database_of("integrations")


async def org_with_task(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await http.post("/projects", headers=headers, json={
        "name": f"Rebrand {uuid.uuid4().hex[:6]}", "client_name": "Globex"})
    assert project.status_code == 201, project.text
    task = await http.post(f"/projects/{project.json()['id']}/tasks", headers=headers,
                           json={"title": "Home page design"})
    assert task.status_code == 201, task.text
    return owner, headers, project.json(), task.json()


async def connect_figma(http, headers, fake_figma, team: str | None = None):
    token, team = f"figd_{uuid.uuid4().hex}", team or str(uuid.uuid4().int % 10**12)
    fake_figma.add_token(token, f"designer-{uuid.uuid4().hex[:4]}", teams=(team,))
    refused = await http.post("/integrations/figma/auth", headers=headers,
                              json={"access_token": "figd_not-a-token-figma-issued"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]
    connected = await http.post("/integrations/figma/auth", headers=headers,
                                json={"access_token": token, "account_id": team})
    assert connected.status_code == 201, connected.text
    assert connected.json()["platform"] == "figma" and token not in connected.text
    return team, connected.json()


async def connect_notion(http, headers, fake_notion) -> str:
    secret = f"secret_{uuid.uuid4().hex}"
    fake_notion.add_integration(secret, workspace="Globex wiki")
    refused = await http.post("/integrations/notion/auth", headers=headers,
                              json={"access_token": "secret_unknown"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]
    connected = await http.post("/integrations/notion/auth", headers=headers,
                                json={"access_token": secret})
    assert connected.status_code == 201, connected.text
    assert connected.json()["account_name"] == "Globex wiki"
    return secret


async def links_of(http, headers, path: str) -> list[dict]:
    found = await http.get(f"{path}/links", headers=headers)
    assert found.status_code == 200, found.text
    return found.json()["links"]


async def titled(http, headers, path: str, link_id: str, title: str) -> dict:
    async def arrived():
        return next((link for link in await links_of(http, headers, path)
                     if link["id"] == link_id and link["title"] == title), None)

    return await eventually(arrived, f"{title!r} arrived on {path}")


async def test_figma_files_and_notion_pages_linked_get_their_titles_thumbnails_and_changes(
        http, suite, fake_figma, fake_notion):
    _, headers, project, task = await org_with_task(http)
    team, _ = await connect_figma(http, headers, fake_figma)
    secret = await connect_notion(http, headers, fake_notion)
    key = fake_figma.add_file(team, "Website redesign",
                              thumbnail_url="https://thumbs.example/site.png")
    page = fake_notion.add_page("Creative brief", shared_with=(secret,),
                                cover="https://files.example/brief-cover.png")
    task_path, project_path = f"/tasks/{task['id']}", f"/projects/{project['id']}"

    figma = await http.post(f"{task_path}/links", headers=headers, json={
        "url": f"https://www.figma.com/design/{key}/Website-redesign?node-id=1-2"})
    assert figma.status_code == 201, figma.text
    body = figma.json()
    assert (body["platform"], body["url"], body["title"], body["updated_at"]) == (
        "figma", f"https://www.figma.com/design/{key}", None, None)
    assert (body["task_id"], body["project_id"]) == (task["id"], project["id"])
    notion = await http.post(f"{project_path}/links", headers=headers,
                             json={"url": fake_notion.url_of(page)})
    assert notion.status_code == 201, notion.text
    assert notion.json()["platform"] == "notion" and notion.json()["task_id"] is None

    shown = await titled(http, headers, task_path, body["id"], "Website redesign")
    assert shown["thumbnail_url"] == "https://thumbs.example/site.png"
    assert shown["updated_at"] is not None
    shown = await titled(http, headers, project_path, notion.json()["id"], "Creative brief")
    assert shown["thumbnail_url"] == "https://files.example/brief-cover.png"
    assert shown["updated_at"] is not None
    # The project's list is its own links, not its tasks'; the task's, its own.
    assert [link["id"] for link in await links_of(http, headers, project_path)] == [
        notion.json()["id"]]
    assert [link["id"] for link in await links_of(http, headers, task_path)] == [body["id"]]
    # Notion was asked as it requires: Bearer and Notion-Version.
    asked = fake_notion.calls(f"/v1/pages/{page}")[-1]
    assert asked.headers["notion-version"] == "2022-06-28"

    # The same file again, by another URL of it: the existing link (200), nothing new.
    again = await http.post(f"{task_path}/links", headers=headers,
                            json={"url": f"figma.com/file/{key}"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == body["id"]
    assert len(await links_of(http, headers, task_path)) == 1

    # Kept fresh: an edit in Notion is read again, a 429 on the way waited out.
    throttled = fake_notion.throttled
    fake_notion.throttle(2, retry_after=1)
    fake_notion.edit_page(page, title="Creative brief v2")
    await titled(http, headers, project_path, notion.json()["id"], "Creative brief v2")
    assert fake_notion.throttled == throttled + 2


async def test_a_github_issue_link_gets_its_title_from_the_github_connection(
        http, fake_github):
    _, headers, _, task = await org_with_task(http)
    login, token = f"labs-{uuid.uuid4().hex[:8]}", f"ghp_{uuid.uuid4().hex}"
    fake_github.add_token(token, login, email=f"{login}@example.com")
    repo = fake_github.add_repo(f"acme-{uuid.uuid4().hex[:6]}", "site")
    issue = fake_github.create_issue(repo.full_name, "Checkout breaks on Safari")
    connected = await http.post("/integrations/github/auth", headers=headers,
                                json={"access_token": token})
    assert connected.status_code == 201, connected.text
    created = await http.post(f"/tasks/{task['id']}/links", headers=headers, json={
        "url": f"https://github.com/{repo.full_name}/issues/{issue['number']}"})
    assert created.status_code == 201, created.text
    assert created.json()["platform"] == "github"
    shown = await titled(http, headers, f"/tasks/{task['id']}", created.json()["id"],
                         "Checkout breaks on Safari")
    assert shown["updated_at"] is not None and shown["thumbnail_url"] is None


async def test_a_link_whose_platform_has_no_connection_stays_untitled_with_nothing_wrong(
        http, suite, fake_figma):
    _, headers, _, task = await org_with_task(http)  # nothing connected
    made = []
    for url in (f"https://www.figma.com/file/{uuid.uuid4().hex[:22]}/x",
                "https://linear.app/acme/issue/ENG-42/fix-login"):
        created = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                                  json={"url": url})
        assert created.status_code == 201, created.text
        made.append(created.json())
    assert made[1]["platform"] == "linear" and made[1]["url"] == (
        "https://linear.app/acme/issue/ENG-42")

    async def looked_at():  # the Figma link was looked at and put off; Linear is not connected
        rows = await query(suite, "SELECT due_at > now() + interval '1 second' AS later "
                           "FROM links WHERE id = :id", id=made[0]["id"])
        return rows and rows[0].later

    await eventually(looked_at, "the refresher looked at the Figma link")
    rows = await query(suite, "SELECT title, last_error FROM links WHERE task_id = :task",
                       task=task["id"])
    assert [(r.title, r.last_error) for r in rows] == [(None, None), (None, None)]
    assert [link["title"] for link in await links_of(http, headers, f"/tasks/{task['id']}")
            ] == [None, None]


async def test_a_bad_url_or_body_is_a_422_naming_each_field_and_writes_nothing(http, suite):
    _, headers, project, task = await org_with_task(http)
    for url in ("https://example.com/file/abc", "https://github.com/acme/site/pull/3",
                "https://www.figma.com/files/team/123", "not a url"):
        refused = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                                  json={"url": url})
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["url"]
        assert "Figma file" in refused.json()["errors"][0]["message"]
    for body in ({}, {"url": "https://figma.com/file/abcdefgh1234", "title": "mine"}):
        refused = await http.post(f"/projects/{project['id']}/links", headers=headers,
                                  json=body)
        assert refused.status_code == 422, refused.text
    rows = await query(suite, "SELECT count(*) AS n FROM links WHERE project_id = :p",
                       p=project["id"])
    assert rows[0].n == 0


async def test_delete_is_204_and_the_link_is_gone(http, suite):
    _, headers, _, task = await org_with_task(http)
    created = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                              json={"url": "https://linear.app/acme/issue/ENG-7"})
    link_id = created.json()["id"]
    deleted = await http.delete(f"/links/{link_id}", headers=headers)
    assert deleted.status_code == 204, deleted.text
    assert await links_of(http, headers, f"/tasks/{task['id']}") == []
    again = await http.delete(f"/links/{link_id}", headers=headers)
    assert again.status_code == 404, again.text
    assert await query(suite, "SELECT 1 FROM links WHERE id = :id", id=link_id) == []


async def test_a_deleted_tasks_links_go_with_it(http, suite):
    _, headers, _, task = await org_with_task(http)
    created = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                              json={"url": "https://linear.app/acme/issue/ENG-8"})
    assert created.status_code == 201, created.text
    assert (await http.delete(f"/tasks/{task['id']}", headers=headers)).status_code == 204

    async def gone():
        return await query(suite, "SELECT 1 FROM links WHERE task_id = :t",
                           t=task["id"]) == []

    await eventually(gone, "the deleted task's links were removed")


async def test_members_link_viewers_and_clients_read_only(http):
    owner, headers, project, task = await org_with_task(http)
    other = (await http.post("/projects", headers=headers, json={
        "name": "Other work", "client_name": "Vandelay"})).json()
    other_task = (await http.post(f"/projects/{other['id']}/tasks", headers=headers,
                                  json={"title": "Internal"})).json()
    member = auth((await join_as(http, owner, "member"))["access_token"])
    viewer = auth((await join_as(http, owner, "viewer"))["access_token"])
    client = auth((await join_as(http, owner, "client",
                                 client_id=project["client_id"]))["access_token"])
    url = {"url": "https://linear.app/acme/issue/ENG-9"}

    created = await http.post(f"/tasks/{task['id']}/links", headers=member, json=url)
    assert created.status_code == 201, created.text
    link_id = created.json()["id"]
    for who in (viewer, client):
        for path in (f"/tasks/{task['id']}/links", f"/projects/{project['id']}/links"):
            refused = await http.post(path, headers=who, json=url)
            assert refused.status_code == 403, refused.text
        assert (await http.delete(f"/links/{link_id}", headers=who)).status_code == 403
        assert [link["id"] for link in await links_of(http, who, f"/tasks/{task['id']}")] == [
            link_id]
    # A client sees nothing of another client's project: not found, not forbidden.
    for path in (f"/tasks/{other_task['id']}/links", f"/projects/{other['id']}/links"):
        assert (await http.get(path, headers=client)).status_code == 404
        assert (await http.post(path, headers=client, json=url)).status_code == 404
    theirs = await http.post(f"/projects/{other['id']}/links", headers=headers, json=url)
    assert (await http.delete(f"/links/{theirs.json()['id']}", headers=client)
            ).status_code == 404
    assert (await http.delete(f"/links/{link_id}", headers=member)).status_code == 204


async def test_another_orgs_task_project_and_link_are_not_found_on_every_endpoint(http):
    _, headers, project, task = await org_with_task(http)
    created = await http.post(f"/projects/{project['id']}/links", headers=headers,
                              json={"url": "https://linear.app/acme/issue/ENG-10"})
    link_id = created.json()["id"]
    stranger = auth((await sign_up(http, org="Elsewhere"))["access_token"])
    url = {"url": "https://linear.app/acme/issue/ENG-11"}
    answers = [
        await http.post(f"/tasks/{task['id']}/links", headers=stranger, json=url),
        await http.get(f"/tasks/{task['id']}/links", headers=stranger),
        await http.post(f"/projects/{project['id']}/links", headers=stranger, json=url),
        await http.get(f"/projects/{project['id']}/links", headers=stranger),
        await http.delete(f"/links/{link_id}", headers=stranger),
        await http.get(f"/tasks/{uuid.uuid4()}/links", headers=headers),
        await http.delete(f"/links/{uuid.uuid4()}", headers=headers),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers), [a.text for a in answers]
    assert len(await links_of(http, headers, f"/projects/{project['id']}")) == 1
