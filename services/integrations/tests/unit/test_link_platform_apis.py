"""Figma's and Notion's API clients and connection sides against their fakes at the HTTP
boundary (no PostgreSQL): the auth headers each platform takes (Figma's X-Figma-Token or
Bearer, Notion's Bearer with Notion-Version), what a file or page says (name, thumbnail or
cover, last change), a refused token naming `access_token`, what the token cannot see not
found, a 429 surfacing its Retry-After; and Figma's team webhooks put in place once, with the
connection's passcode, whatever is retried, moved to the team its settings name next (the old
team's deleted) and deleted once it names none."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from labs_common.errors import InvalidArgument, NotFound, Unavailable
from labs_common.testing.fake_figma import FakeFigma
from labs_common.testing.fake_notion import FakeNotion
from labs_integrations.adapters.figma_api import FigmaApi
from labs_integrations.adapters.figma_side import FigmaSide
from labs_integrations.adapters.link_repository import FigmaHook
from labs_integrations.adapters.notion_api import NotionApi, page_image, page_title
from labs_integrations.adapters.notion_side import NotionSide
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.adapters.vault import Vault, aad
from labs_integrations.config import Settings
from labs_integrations.service_layer.figma_hooks import PASSCODE, FigmaHookKeeper

VAULT = Vault({"k1": os.urandom(32)})
ENDPOINT = "https://labs.example/api/v1/webhooks/figma"


@pytest.fixture(scope="module")
def figma():
    with FakeFigma() as fake:
        yield fake


@pytest.fixture(scope="module")
def notion():
    with FakeNotion() as fake:
        yield fake


def settings(figma=None, notion=None) -> Settings:
    return Settings(figma_api_url=figma.url if figma else "http://127.0.0.1:9",
                    notion_api_url=notion.url if notion else "http://127.0.0.1:9",
                    figma_webhook_url=ENDPOINT)


def token() -> str:
    return f"figd_{uuid.uuid4().hex}"


# --- Figma ----------------------------------------------------------------------------------------

async def test_figma_reads_a_file_with_a_personal_token_or_an_oauth_one(figma):
    personal, oauth = token(), token()
    figma.add_token(personal, "ana", teams=("100",))
    figma.add_token(oauth, "ben", teams=("100",), oauth=True)
    key = figma.add_file("100", "Website", thumbnail_url="https://thumbs.example/w.png")
    api = FigmaApi(settings(figma))
    facts = await api.file({"access_token": personal, "kind": "token"}, key)
    assert (facts.title, facts.thumbnail_url) == ("Website", "https://thumbs.example/w.png")
    assert facts.changed_at is not None and facts.changed_at.tzinfo is UTC
    (asked,) = [c for c in figma.calls("GET", f"/v1/files/{key}")
                if c.headers.get("x-figma-token") == personal]
    assert asked.params == {"depth": "1"}
    assert (await api.file({"access_token": oauth, "kind": "oauth"}, key)).title == "Website"
    assert any(c.headers.get("authorization") == f"Bearer {oauth}"
               for c in figma.calls("GET", f"/v1/files/{key}"))


async def test_figma_refuses_a_bad_token_hides_another_teams_file_and_throttles(figma):
    mine = token()
    figma.add_token(mine, "cy", teams=("200",))
    theirs = figma.add_file("201", "Not ours")
    api = FigmaApi(settings(figma))
    with pytest.raises(InvalidArgument) as refused:
        await api.file({"access_token": "figd_nope"}, theirs)
    assert [e.field for e in refused.value.field_errors] == ["access_token"]
    with pytest.raises(NotFound):
        await api.file({"access_token": mine}, theirs)
    figma.throttle(1, retry_after=42)
    with pytest.raises(Throttled) as throttled:
        await api.me({"access_token": mine})
    assert throttled.value.retry_after == 42


async def test_connecting_figma_checks_the_token_and_the_team_id(figma):
    mine = token()
    user = figma.add_token(mine, "dee", teams=("300",))
    side = FigmaSide(settings(figma))
    account = await side.identify({"access_token": mine, "account_id": "300"})
    assert (account.name, account.external_id) == ("dee", user.id)
    with pytest.raises(InvalidArgument) as refused:
        await side.identify({"access_token": mine, "account_id": "team-300"})
    assert [e.field for e in refused.value.field_errors] == ["account_id"]
    with pytest.raises(InvalidArgument) as refused:
        await side.identify({"access_token": "figd_unknown"})
    assert [e.field for e in refused.value.field_errors] == ["access_token"]
    figma.throttle(1)
    with pytest.raises(Unavailable):
        await side.identify({"access_token": mine})
    assert side.authorization_url("state", "https://console.example/back").startswith(
        "https://www.figma.com/oauth?")  # OAuth as well, since tokens keep working


class Store:
    def __init__(self, hook: FigmaHook) -> None:
        self.hook, self.registered = hook, []


class HookUow:
    """Just enough of a unit of work for the keeper's registration step."""

    def __init__(self, store) -> None:
        self.store = store
        self.figma_hooks = self

    def __call__(self, _scope):
        return self

    async def __aenter__(self):
        return self

    async def __aexit__(self, *_):
        return None

    async def commit(self):
        return None

    async def registered(self, hook, team_id, ids, error=None):
        self.store.registered.append((team_id, ids, error))

    async def failed(self, hook_id, error, retry_at):
        self.store.registered.append(("failed", error))


async def test_the_keeper_registers_the_teams_webhooks_once_with_the_passcode(figma, monkeypatch):
    from labs_integrations.service_layer import figma_hooks

    mine = token()
    figma.add_token(mine, "eve", teams=("400",))
    org, hook_id = uuid.uuid4(), uuid.uuid4()
    sealed = VAULT.seal(b"the-passcode", aad(org, hook_id, PASSCODE))
    hook = FigmaHook(id=hook_id, org_id=org, connection_id=uuid.uuid4(), passcode=sealed,
                     team_id=None, webhook_ids=[], connected_at=datetime.now(UTC))
    secret = {"access_token": mine, "kind": "token", "account_id": "400"}
    connection = type("C", (), {"id": hook.connection_id, "settings": {}})()

    async def found(_uow, _vault, _platform):
        return type("F", (), {"connection": connection, "secret": secret})()

    monkeypatch.setattr(figma_hooks, "credentials", found)
    store = Store(hook)
    keeper = FigmaHookKeeper(HookUow(store), VAULT, FigmaApi(settings(figma)), ENDPOINT)
    # An earlier connection's webhook to this Labs, with a passcode nobody accepts any more.
    figma.webhooks["1"] = {"id": "1", "team_id": "400", "event_type": "FILE_UPDATE",
                           "endpoint": ENDPOINT, "passcode": "old", "status": "ACTIVE"}
    await keeper._register(hook)
    await keeper._register(hook)  # a retry (or a reconnect) adds nothing
    ours = [h for h in figma.webhooks.values() if h["team_id"] == "400"]
    assert sorted(h["event_type"] for h in ours) == ["FILE_COMMENT", "FILE_UPDATE"]
    assert {h["passcode"] for h in ours} == {"the-passcode"}
    assert {h["endpoint"] for h in ours} == {ENDPOINT}
    (first, second) = store.registered
    assert first[0] == "400" and first == second and len(first[1]) == 2

    # Deleting the connection deletes what Labs registered with it.
    await FigmaSide(settings(figma)).revoke(secret, {})
    assert [h for h in figma.webhooks.values() if h["team_id"] == "400"] == []


async def test_the_keeper_moves_the_webhooks_to_the_team_the_settings_name(figma, monkeypatch):
    from labs_integrations.service_layer import figma_hooks

    mine = token()
    figma.add_token(mine, "fay", teams=("600", "601"), oauth=True)
    org, hook_id = uuid.uuid4(), uuid.uuid4()
    sealed = VAULT.seal(b"the-passcode", aad(org, hook_id, PASSCODE))
    hook = FigmaHook(id=hook_id, org_id=org, connection_id=uuid.uuid4(), passcode=sealed,
                     team_id=None, webhook_ids=[], connected_at=datetime.now(UTC))
    # An OAuth connection: its token names no team, its settings do.
    secret = {"access_token": mine, "kind": "oauth"}
    connection = type("C", (), {"id": hook.connection_id, "settings": {"team_id": "600"}})()

    async def found(_uow, _vault, _platform):
        return type("F", (), {"connection": connection, "secret": secret})()

    monkeypatch.setattr(figma_hooks, "credentials", found)
    store = Store(hook)
    keeper = FigmaHookKeeper(HookUow(store), VAULT, FigmaApi(settings(figma)), ENDPOINT)

    def ours(team):
        return sorted(h["event_type"] for h in figma.webhooks.values()
                      if h["team_id"] == team and h["endpoint"] == ENDPOINT)

    async def register():
        nonlocal hook
        await keeper._register(hook)
        team, ids, error = store.registered[-1]
        assert error is None
        hook = replace(hook, team_id=team, webhook_ids=ids)  # what the next claim reads

    await register()
    assert ours("600") == ["FILE_COMMENT", "FILE_UPDATE"]
    first = set(hook.webhook_ids)
    connection.settings = {"team_id": "601"}
    await register()
    assert (ours("600"), ours("601")) == ([], ["FILE_COMMENT", "FILE_UPDATE"])
    assert hook.team_id == "601" and not first & set(hook.webhook_ids)
    assert {figma.webhooks[i]["passcode"] for i in hook.webhook_ids} == {"the-passcode"}
    connection.settings = {"team_id": None}  # cleared: none left
    await register()
    assert ours("601") == [] and store.registered[-1] == (None, [], None)
    asked = len(figma.requests)
    await register()  # nothing named, nothing registered before: Figma is not asked
    assert len(figma.requests) == asked

    # Deleting the connection deletes what it registered for the team its settings name.
    connection.settings = {"team_id": "601"}
    await register()
    await FigmaSide(settings(figma)).revoke(secret, connection.settings)
    assert ours("601") == []


# --- Notion ---------------------------------------------------------------------------------------

async def test_notion_reads_a_shared_pages_title_cover_and_last_edit(notion):
    secret = f"secret_{uuid.uuid4().hex}"
    notion.add_integration(secret, workspace="Acme")
    page = notion.add_page("Project brief", shared_with=(secret,),
                           cover="https://files.example/cover.png")
    facts = await NotionApi(settings(notion=notion)).page({"access_token": secret}, page)
    assert (facts.title, facts.thumbnail_url) == ("Project brief",
                                                  "https://files.example/cover.png")
    assert facts.changed_at is not None
    asked = notion.calls(f"/v1/pages/{page}")[-1]
    assert asked.headers["notion-version"] == "2022-06-28"
    assert asked.headers["authorization"] == f"Bearer {secret}"


async def test_notion_hides_unshared_pages_refuses_bad_tokens_and_throttles(notion):
    secret = f"secret_{uuid.uuid4().hex}"
    notion.add_integration(secret)
    hidden = notion.add_page("Private")
    api = NotionApi(settings(notion=notion))
    with pytest.raises(NotFound, match="no page"):
        await api.page({"access_token": secret}, hidden)
    with pytest.raises(InvalidArgument) as refused:
        await api.page({"access_token": "secret_nope"}, hidden)
    assert [e.field for e in refused.value.field_errors] == ["access_token"]
    notion.throttle(1, retry_after=7)
    with pytest.raises(Throttled) as throttled:
        await api.me({"access_token": secret})
    assert throttled.value.retry_after == 7


async def test_connecting_notion_names_the_integrations_workspace(notion):
    secret = f"secret_{uuid.uuid4().hex}"
    bot = notion.add_integration(secret, workspace="Globex HQ")
    account = await NotionSide(settings(notion=notion)).identify({"access_token": secret})
    assert (account.name, account.external_id) == ("Globex HQ", bot.id)
    with pytest.raises(InvalidArgument):
        await NotionSide(settings(notion=notion)).identify({"access_token": "secret_x"})


def test_a_pages_title_is_its_title_property_and_its_preview_a_file_not_an_emoji():
    page = {"properties": {"Name": {"type": "title", "title": [{"plain_text": "A "},
                                                                {"plain_text": "B"}]},
                           "Tags": {"type": "multi_select"}},
            "cover": None, "icon": {"type": "emoji", "emoji": "🎨"}}
    assert page_title(page) == "A B" and page_image(page) is None
    page["icon"] = {"type": "external", "external": {"url": "https://i.example/x.svg"}}
    assert page_image(page) == "https://i.example/x.svg"
    page["cover"] = {"type": "file", "file": {"url": "https://s3.example/c.png"}}
    assert page_image(page) == "https://s3.example/c.png"
    assert page_title({"properties": {}}) == ""
