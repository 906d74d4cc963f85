"""The OAuth of Jira, Asana, Figma and Notion against their fakes on this machine (no
PostgreSQL, no NATS): each consent URL as the platform documents it; a code exchanged once, by
the app's credentials, for tokens that name their expiry; the account read with them; a
refresh as each platform answers it (Jira's and Notion's spending the refresh token, Asana's
and Figma's keeping it); a bad, reused or foreign code, a wrong client secret, a refused refresh
named as their field; an unreachable token endpoint Unavailable; a revoked grant refused."""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from labs_common.errors import InvalidArgument, Unavailable
from labs_common.testing.fake_asana import FakeAsana
from labs_common.testing.fake_figma import FakeFigma
from labs_common.testing.fake_jira import FakeJira
from labs_common.testing.fake_notion import FakeNotion
from labs_integrations.adapters.asana_side import AsanaSide
from labs_integrations.adapters.figma_side import FigmaSide
from labs_integrations.adapters.jira_side import JiraSide
from labs_integrations.adapters.notion_side import NotionSide
from labs_integrations.config import Settings

APP = ("labs-client", "labs-secret")
BACK = "https://labs.example/integrations/back"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def oauth(secret: dict) -> dict:
    return {**secret, "kind": "oauth"}  # as the callback stores it


async def refused_field(call) -> str:
    with pytest.raises(InvalidArgument) as refused:
        await call
    return next(e.field for e in refused.value.field_errors)


def running(name: str, fake_class):
    """A module fixture `name`: the fake started, Labs' app registered with it."""

    @pytest.fixture(scope="module", name=name)
    def fake():
        with fake_class() as started:
            started.oauth.add_app(*APP)
            yield started

    return fake


asana_fake = running("asana", FakeAsana)
figma_fake = running("figma", FakeFigma)
notion_fake = running("notion", FakeNotion)
jira_fake = running("jira", FakeJira)


async def test_asana_consents_exchanges_refreshes_and_revokes(asana):
    side = AsanaSide(Settings(asana_api_url=asana.url, asana_oauth_url=asana.url,
                              asana_client_id=APP[0], asana_client_secret=APP[1]))
    url = side.authorization_url("st4te", BACK)
    assert url.startswith(f"{asana.url}/-/oauth_authorize?")
    assert query_of(url) == {"client_id": APP[0], "redirect_uri": BACK,
                             "response_type": "code", "state": "st4te"}
    ana = asana.add_user("Ana Lima", f"ana-{uuid.uuid4().hex[:6]}@acme.test")
    code = asana.oauth.authorize(APP[0], ana, BACK)
    secret = oauth(await side.exchange(code, BACK))
    assert secret["expires_at"] == pytest.approx(time.time() + 3600, abs=30)
    assert secret["refresh_token"] and secret["redirect_uri"] == BACK
    assert (await side.identify(secret)).external_id == ana
    assert await refused_field(side.exchange(code, BACK)) == "code"  # a code works once
    other = asana.oauth.authorize(APP[0], ana, "https://elsewhere.example/")
    assert await refused_field(side.exchange(other, BACK)) == "code"  # not its redirect URI

    fresh = await side.refresh(secret)
    assert fresh["access_token"] != secret["access_token"]
    assert fresh["refresh_token"] == secret["refresh_token"]  # Asana keeps it
    asked = asana.requests.calls("POST", "/-/oauth_token")[-1].params
    assert (asked["grant_type"], asked["redirect_uri"], asked["client_secret"]) == (
        "refresh_token", BACK, APP[1])
    await side.revoke(fresh, {})
    assert await refused_field(side.refresh(fresh)) == "refresh_token"
    assert await refused_field(side.identify(fresh)) == "access_token"


async def test_asana_refuses_a_wrong_client_secret_and_an_unreachable_one_is_unavailable(asana):
    wrong = AsanaSide(Settings(asana_oauth_url=asana.url, asana_client_id=APP[0],
                               asana_client_secret="not-it"))
    code = asana.oauth.authorize(APP[0], asana.add_user("B", "b@acme.test"))
    assert await refused_field(wrong.exchange(code, BACK)) == "code"
    with pytest.raises(Unavailable):
        await AsanaSide(Settings(asana_oauth_url="http://127.0.0.1:9")).exchange(code, BACK)


async def test_figma_signs_the_app_in_by_basic_and_refreshes_at_its_own_endpoint(figma):
    side = FigmaSide(Settings(figma_api_url=figma.url, figma_client_id=APP[0],
                              figma_client_secret=APP[1]))
    url = side.authorization_url("st4te", BACK)
    assert url.startswith("https://www.figma.com/oauth?")
    assert query_of(url) == {"client_id": APP[0], "redirect_uri": BACK,
                             "scope": "current_user:read file_content:read webhooks:read "
                                      "webhooks:write", "state": "st4te",
                             "response_type": "code"}
    eve = figma.add_user("eve", teams=("77",))
    secret = oauth(await side.exchange(figma.oauth.authorize(APP[0], eve, BACK), BACK))
    asked = figma.requests.calls("POST", "/v1/oauth/token")[-1]
    assert asked.headers["authorization"].startswith("Basic ") and "client_secret" not in \
        asked.params and asked.params["grant_type"] == "authorization_code"
    assert secret["expires_at"] == pytest.approx(time.time() + 90 * 24 * 3600, abs=30)
    assert (await side.identify(secret)).external_id == eve.id  # as Bearer
    key = figma.add_file("77", "Website")
    assert (await side.api.file(secret, key)).title == "Website"

    fresh = await side.refresh(secret)
    assert figma.requests.calls("POST", "/v1/oauth/refresh")[-1].params["refresh_token"] == \
        secret["refresh_token"]
    assert fresh["access_token"] != secret["access_token"]
    assert fresh["refresh_token"] == secret["refresh_token"]  # Figma keeps it
    assert await refused_field(side.exchange("not-a-code", BACK)) == "code"
    assert await refused_field(side.refresh({**secret, "refresh_token": "x"})) == \
        "refresh_token"


async def test_notion_grants_are_user_level_and_each_refresh_spends_its_token(notion):
    side = NotionSide(Settings(notion_api_url=notion.url, notion_client_id=APP[0],
                               notion_client_secret=APP[1]))
    url = side.authorization_url("st4te", BACK)
    assert url.startswith(f"{notion.url}/v1/oauth/authorize?")
    assert query_of(url) == {"client_id": APP[0], "response_type": "code", "owner": "user",
                             "redirect_uri": BACK, "state": "st4te"}
    bot = notion.add_public_bot(workspace="Globex wiki")
    page = notion.add_page("Brief", shared_with=(bot.id,))
    secret = oauth(await side.exchange(notion.authorize(APP[0], bot, BACK), BACK))
    asked = notion.requests.calls("POST", "/v1/oauth/token")[-1]
    assert asked.json == {"grant_type": "authorization_code", "code": asked.json["code"],
                          "redirect_uri": BACK}
    assert asked.headers["authorization"].startswith("Basic ")
    assert asked.headers["notion-version"]
    assert (secret["bot_id"], secret["workspace_name"]) == (bot.id, "Globex wiki")
    assert "expires_at" not in secret  # Notion names no lifetime
    assert (await side.identify(secret)).name == "Globex wiki"
    assert (await side.api.page(secret, page)).title == "Brief"

    notion.oauth.lapse()
    assert await refused_field(side.api.page(secret, page)) == "access_token"
    fresh = await side.refresh(secret)
    assert fresh["refresh_token"] != secret["refresh_token"]
    assert (await side.api.page(fresh, page)).title == "Brief"
    assert await refused_field(side.refresh(secret)) == "refresh_token"  # spent
    await side.revoke(fresh, {})
    assert await refused_field(side.identify(fresh)) == "access_token"


async def test_jira_reads_the_consented_site_through_the_gateway(jira):
    # No LABS_JIRA_API_URL: an OAuth connection needs none.
    side = JiraSide(Settings(jira_oauth_url=jira.url, atlassian_api_url=jira.url,
                             jira_client_id=APP[0], jira_client_secret=APP[1]))
    url = side.authorization_url("st4te", BACK)
    assert url.startswith(f"{jira.url}/authorize?")
    assert query_of(url) == {"client_id": APP[0], "audience": "api.atlassian.com",
                             "scope": "read:jira-work read:jira-user offline_access",
                             "redirect_uri": BACK, "state": "st4te", "response_type": "code",
                             "prompt": "consent"}
    ana = jira.add_user(f"ana-{uuid.uuid4().hex[:6]}@acme.test", token="unused", name="Ana")
    key = "O" + uuid.uuid4().hex[:5].upper()
    jira.add_issue(key, "Through the gateway", assignee=ana)
    secret = oauth(await side.exchange(jira.authorize(APP[0], ana, BACK), BACK))
    assert (secret["cloud_id"], secret["site_url"]) == (jira.cloud_id, jira.site_url)
    assert secret["expires_at"] == pytest.approx(time.time() + 3600, abs=30)
    account = await side.identify(secret)
    assert (account.name, account.external_id) == ("Ana", ana.account_id)
    pages = [page async for page in side.api.search(secret, f"project = {key}")]
    assert [issue["fields"]["summary"] for issue in pages[0]] == ["Through the gateway"]
    assert jira.calls(f"/ex/jira/{jira.cloud_id}/rest/api/3/search/jql")[-1].headers[
        "authorization"] == f"Bearer {secret['access_token']}"

    fresh = await side.refresh(secret)
    assert fresh["refresh_token"] != secret["refresh_token"] and fresh["cloud_id"] == \
        jira.cloud_id
    assert await refused_field(side.refresh(secret)) == "refresh_token"  # rotated: spent
    jira.oauth.lapse()
    assert await refused_field(side.identify(fresh)) == "access_token"
    assert await refused_field(side.exchange("not-a-code", BACK)) == "code"


async def test_a_jira_consent_without_a_jira_site_is_refused_on_the_code(jira, monkeypatch):
    side = JiraSide(Settings(jira_oauth_url=jira.url, atlassian_api_url=jira.url,
                             jira_client_id=APP[0], jira_client_secret=APP[1]))

    async def only_confluence(_token):
        return [{"id": "c0", "url": "https://acme.atlassian.net/wiki",
                 "scopes": ["read:confluence-content.all"]}]

    monkeypatch.setattr(side.api, "sites", only_confluence)
    user = jira.add_user(f"cy-{uuid.uuid4().hex[:6]}@acme.test", token="t")
    assert await refused_field(side.exchange(jira.authorize(APP[0], user), BACK)) == "code"
