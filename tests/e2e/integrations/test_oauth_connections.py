"""OAuth connections of Jira, Asana, Figma and Notion through the gateway, against the fakes'
authorization servers: each `auth_url` is the platform's consent page with Labs' app and the
state; the callback with the consent's code makes the connection of the account that consented
(a bad code is a 422 naming `code`, a state used once is a 422 naming `state`); a token that
lapses is renewed before an import (Jira, Asana) or a link's read (Figma) uses it, and one
Notion refuses is renewed once and read again; only admins start or finish a consent, another
org sees nothing of it, and deleting the connection revokes the grant where the platform can."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_helpers import auth, eventually, join_as, sign_up

from integrations.conftest import ASANA_APP, FIGMA_APP, JIRA_APP, NOTION_APP
from integrations.test_imports import an_org, run_import, tasks_of
from integrations.test_links import org_with_task, titled

pytestmark = pytest.mark.e2e

REDIRECT = "https://console.example/integrations/back"
# Under the 10 minutes before its expiry at which Labs renews a token: the next use renews it.
SHORT_LIFETIME = 300


async def start(http, headers, platform: str) -> tuple[str, dict[str, str], str]:
    """The consent page's URL, its query, and the state."""
    started = await http.post(f"/integrations/{platform}/auth", headers=headers,
                              json={"redirect_url": REDIRECT})
    assert started.status_code == 200, started.text
    url, state = started.json()["auth_url"], started.json()["state"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert (query["client_id"], query["state"], query["redirect_uri"]) == (
        query["client_id"], state, REDIRECT)
    return url, query, state


def fields(answer) -> list[str]:
    return [e["field"] for e in answer.json()["errors"]]


async def connect_by_consent(http, headers, platform: str, consent, fake) -> dict:
    """A bad code is refused (its state spent with it); the consent's code connects; its state
    does not work twice. The fake's tokens last SHORT_LIFETIME meanwhile."""
    _url, _query, state = await start(http, headers, platform)
    bad = await http.post(f"/integrations/{platform}/callback", headers=headers,
                          json={"code": "not-a-code-it-issued", "state": state})
    assert bad.status_code == 422 and fields(bad) == ["code"], bad.text
    _url, _query, state = await start(http, headers, platform)
    lifetime, fake.oauth.token_lifetime = fake.oauth.token_lifetime, \
        SHORT_LIFETIME if fake.oauth.token_lifetime else None
    try:
        code = consent()
        done = await http.post(f"/integrations/{platform}/callback", headers=headers,
                               json={"code": code, "state": state})
    finally:
        fake.oauth.token_lifetime = lifetime
    assert done.status_code == 200, done.text
    assert done.json()["platform"] == platform and code not in done.text
    again = await http.post(f"/integrations/{platform}/callback", headers=headers,
                            json={"code": code, "state": state})
    assert again.status_code == 422 and fields(again) == ["state"], again.text
    return done.json()


async def test_jira_connects_by_consent_and_an_import_renews_its_lapsing_token(
        http, suite, fake_jira):
    _owner, headers, dev, project_id = await an_org(http, suite)
    url, query, _state = await start(http, headers, "jira")
    assert url.startswith(f"{fake_jira.url}/authorize?")
    assert (query["client_id"], query["audience"], query["scope"], query["prompt"],
            query["response_type"]) == (JIRA_APP[0], "api.atlassian.com",
                                        "read:jira-work read:jira-user offline_access",
                                        "consent", "code")
    ana = fake_jira.add_user(f"ana-{uuid.uuid4().hex[:6]}@acme.test", token=uuid.uuid4().hex,
                             name="Ana Consent")
    connection = await connect_by_consent(
        http, headers, "jira", lambda: fake_jira.authorize(JIRA_APP[0], ana, REDIRECT),
        fake_jira)
    assert connection["account_name"] == "Ana Consent"

    jira_dev = fake_jira.add_user(dev["user"]["email"], token=uuid.uuid4().hex, name="Dev")
    key = "J" + uuid.uuid4().hex[:5].upper()
    fake_jira.add_issue(key, "Consented issue", status="In Progress", assignee=jira_dev)
    fake_jira.add_issue(key, "Another one")
    refreshed = fake_jira.oauth.refreshed
    fake_jira.oauth.lapse()  # the consent's token no longer works: only a renewed one does
    log = await run_import(http, headers, connection["id"], project_id, f"project = {key}")
    assert log["status"] == "success" and log["records_synced"] == 2, log
    assert fake_jira.oauth.refreshed == refreshed + 1
    assert fake_jira.calls(f"/ex/jira/{fake_jira.cloud_id}/rest/api/3/search/jql")
    tasks = await tasks_of(http, headers, project_id)
    assert tasks["Consented issue"]["assignee_id"] == dev["user"]["id"]
    assert tasks["Consented issue"]["status"] == "in_progress"
    # Renewed once: the next import uses the stored token as it is.
    again = await run_import(http, headers, connection["id"], project_id, f"project = {key}")
    assert again["status"] == "success" and fake_jira.oauth.refreshed == refreshed + 1


async def test_asana_connects_by_consent_and_an_import_renews_its_lapsing_token(
        http, suite, fake_asana):
    _owner, headers, _dev, project_id = await an_org(http, suite)
    url, query, _state = await start(http, headers, "asana")
    assert url.startswith(f"{fake_asana.url}/-/oauth_authorize?")
    assert (query["client_id"], query["response_type"]) == (ASANA_APP[0], "code")
    ana = fake_asana.add_user("Ana Asana", f"ana-{uuid.uuid4().hex[:6]}@acme.test")
    connection = await connect_by_consent(
        http, headers, "asana", lambda: fake_asana.oauth.authorize(ASANA_APP[0], ana, REDIRECT),
        fake_asana)
    assert connection["account_name"] == "Ana Asana"

    board = fake_asana.add_project("Consented board", sections=("To do", "Done"))
    fake_asana.add_task(board, "Card A", section="Done", completed=True)
    fake_asana.add_task(board, "Card B")
    refreshed = fake_asana.oauth.refreshed
    fake_asana.oauth.lapse()
    log = await run_import(http, headers, connection["id"], project_id, board)
    assert log["status"] == "success" and log["records_synced"] == 2, log
    assert fake_asana.oauth.refreshed == refreshed + 1
    asked = [c for c in fake_asana.requests.calls("POST", "/-/oauth_token")
             if c.params.get("grant_type") == "refresh_token"][-1].params
    assert (asked["client_id"], asked["redirect_uri"]) == (ASANA_APP[0], REDIRECT)
    tasks = await tasks_of(http, headers, project_id)
    assert (tasks["Card A"]["status"], tasks["Card B"]["status"]) == ("done", "todo")


async def test_figma_connects_by_consent_and_a_link_read_renews_its_lapsing_token(
        http, fake_figma):
    _owner, headers, _project, task = await org_with_task(http)
    url, query, _state = await start(http, headers, "figma")
    assert url.startswith("https://www.figma.com/oauth?")
    assert (query["client_id"], query["scope"], query["response_type"]) == (
        FIGMA_APP[0], "current_user:read file_content:read webhooks:read webhooks:write",
        "code")
    team = str(uuid.uuid4().int % 10**12)
    eve = fake_figma.add_user(f"eve-{uuid.uuid4().hex[:4]}", teams=(team,))
    connection = await connect_by_consent(
        http, headers, "figma", lambda: fake_figma.oauth.authorize(FIGMA_APP[0], eve, REDIRECT),
        fake_figma)
    assert connection["account_name"] == eve.handle

    key = fake_figma.add_file(team, "Consented design")
    refreshed = fake_figma.oauth.refreshed
    fake_figma.oauth.lapse()
    linked = await http.post(f"/tasks/{task['id']}/links", headers=headers,
                             json={"url": f"https://www.figma.com/design/{key}/Consented"})
    assert linked.status_code == 201, linked.text
    await titled(http, headers, f"/tasks/{task['id']}", linked.json()["id"], "Consented design")
    assert fake_figma.oauth.refreshed == refreshed + 1
    assert fake_figma.calls("POST", "/v1/oauth/refresh")


async def test_notion_connects_by_consent_and_a_refused_token_is_renewed_once(
        http, fake_notion):
    _owner, headers, project, _task = await org_with_task(http)
    url, query, _state = await start(http, headers, "notion")
    assert url.startswith(f"{fake_notion.url}/v1/oauth/authorize?")
    assert (query["client_id"], query["owner"], query["response_type"]) == (
        NOTION_APP[0], "user", "code")
    bot = fake_notion.add_public_bot(workspace=f"Wiki {uuid.uuid4().hex[:4]}")
    connection = await connect_by_consent(
        http, headers, "notion", lambda: fake_notion.authorize(NOTION_APP[0], bot, REDIRECT),
        fake_notion)
    assert connection["account_name"] == bot.workspace

    page = fake_notion.add_page("Consented brief", shared_with=(bot.id,))
    refreshed = fake_notion.oauth.refreshed
    fake_notion.oauth.lapse()  # Notion names no lifetime: it refuses the token, then renewed
    linked = await http.post(f"/projects/{project['id']}/links", headers=headers,
                             json={"url": fake_notion.url_of(page)})
    assert linked.status_code == 201, linked.text
    path = f"/projects/{project['id']}"
    await titled(http, headers, path, linked.json()["id"], "Consented brief")
    assert fake_notion.oauth.refreshed == refreshed + 1
    # The rotated refresh token was stored: the renewed token keeps working, renewed once.
    fake_notion.edit_page(page, title="Consented brief v2")
    await titled(http, headers, path, linked.json()["id"], "Consented brief v2")
    assert fake_notion.oauth.refreshed == refreshed + 1


async def test_only_admins_consent_other_orgs_see_nothing_and_deleting_revokes(
        http, fake_asana):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    for role in ("member", "manager"):
        someone = auth((await join_as(http, owner, role))["access_token"])
        for platform in ("jira", "asana", "figma", "notion"):
            refused = await http.post(f"/integrations/{platform}/auth", headers=someone,
                                      json={"redirect_url": REDIRECT})
            assert refused.status_code == 403, (role, platform, refused.text)
        _url, _query, state = await start(http, headers, "asana")
        finish = await http.post("/integrations/asana/callback", headers=someone,
                                 json={"code": "any", "state": state})
        assert finish.status_code == 403, (role, finish.text)

    ana = fake_asana.add_user("Ana Admin", f"ana-{uuid.uuid4().hex[:6]}@acme.test")
    connection = await connect_by_consent(
        http, headers, "asana", lambda: fake_asana.oauth.authorize(ASANA_APP[0], ana, REDIRECT),
        fake_asana)
    stranger = auth((await sign_up(http, org="Other Agency"))["access_token"])
    path = f"/integrations/{connection['id']}"
    for method, url in (("GET", f"{path}/sync-status"), ("POST", f"{path}/sync"),
                        ("DELETE", path)):
        hidden = await http.request(method, url, headers=stranger)
        assert hidden.status_code == 404, (method, url, hidden.text)
    assert (await http.get("/integrations", headers=stranger)).json()["integrations"] == []
    # A state is the org's and the platform's it was issued for.
    _url, _query, state = await start(http, headers, "asana")
    elsewhere = await http.post("/integrations/notion/callback", headers=headers,
                                json={"code": "any", "state": state})
    assert elsewhere.status_code == 422 and fields(elsewhere) == ["state"], elsewhere.text

    grants = len(fake_asana.oauth.refresh_tokens)
    deleted = await http.delete(path, headers=headers)
    assert deleted.status_code == 204, deleted.text

    async def revoked():
        return len(fake_asana.oauth.refresh_tokens) < grants

    await eventually(revoked, "the Asana grant was revoked")
    assert fake_asana.requests.calls("POST", "/-/oauth_revoke")[-1].params["client_id"] == \
        ASANA_APP[0]
