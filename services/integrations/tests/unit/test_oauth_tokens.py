"""The one keeper of OAuth tokens (service_layer/oauth_tokens.py) on an in-memory store in place
of PostgreSQL, with a side whose refresh is counted: a token about to lapse is renewed once,
stored sealed, and two callers at once refresh once; one with time left, a personal token or a
platform nobody refreshes is used as it is; a refused token is renewed even without a lifetime
(Notion's); a refresh token another replica spent answers what that replica stored; a reconnect
meanwhile is not overwritten; a refused refresh names `refresh_token`. And its callers: the sync
worker renews before it checks and syncs, the link refresher reads again after a refusal."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.errors import InvalidArgument
from labs_common.testing.fakes import FakeUnitOfWork
from labs_integrations.adapters.link_repository import DueTarget
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain import connections as domain
from labs_integrations.domain.connections import Connection, ConnectionStatus, Credentials, Platform
from labs_integrations.domain.links import TargetFacts
from labs_integrations.service_layer import connections
from labs_integrations.service_layer.link_refresh import LinkRefresher
from labs_integrations.service_layer.oauth_tokens import OAuthTokens

VAULT = Vault({"k1": os.urandom(32)})
ORG = uuid.uuid4()


class Store:
    def __init__(self) -> None:
        self.rows: dict[Platform, tuple[Connection, bytes]] = {}
        self.writes = 0
        self.links: list[DueTarget] = []
        self.heard: list[tuple[str, TargetFacts]] = []
        self.postponed: list[tuple[str, str | None]] = []

    def connect(self, platform: Platform, secret: dict) -> Credentials:
        connection = Connection(
            id=uuid.uuid4(), org_id=ORG, platform=platform, status=ConnectionStatus.CONNECTED,
            account_name="acct", external_account_id="1", settings={},
            connected_by=uuid.uuid4(), connected_at=datetime.now(UTC))
        self.rows[platform] = (connection, connections.seal(VAULT, connection, secret))
        return Credentials(connection, secret)

    def secret(self, platform: Platform) -> dict:
        connection, sealed = self.rows[platform]
        return connections.open_secret(VAULT, connection, sealed)


class FakeConnections:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def of_platform(self, platform, *, lock=False):
        return self.store.rows.get(platform)

    async def replace_credentials(self, connection, sealed, key_id):
        self.store.rows[connection.platform] = (connection, sealed)
        self.store.writes += 1


class FakeLinks:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def claim_due(self, limit, lease, platforms):
        due, self.store.links = self.store.links, []
        return due

    async def heard(self, platform, key, facts, next_read):
        self.store.heard.append((key, facts))

    async def postpone(self, platform, key, next_read, *, error, failed):
        self.store.postponed.append((key, error))


def factory(store: Store):
    def build(scope):
        uow = FakeUnitOfWork(scope)
        uow.connections = FakeConnections(store)
        uow.links = FakeLinks(store)
        return uow

    return build


class Side:
    """A platform's refresh: counted, answering a new access token (and a new refresh token
    when they rotate), or refusing."""

    def __init__(self, *, lifetime: float | None = 3600, rotate: bool = True) -> None:
        self.lifetime, self.rotate = lifetime, rotate
        self.calls: list[dict] = []
        self.refuse = False
        self.before: callable = None

    async def refresh(self, secret: dict) -> dict:
        self.calls.append(secret)
        if self.before is not None:
            self.before()
        await asyncio.sleep(0)  # another caller may come meanwhile
        if self.refuse:
            raise InvalidArgument.on("refresh_token", "refused")
        fresh = {**secret, "access_token": f"at-{len(self.calls)}"}
        if self.lifetime is not None:
            fresh["expires_at"] = time.time() + self.lifetime
        if self.rotate:
            fresh["refresh_token"] = f"rt-{len(self.calls)}"
        return fresh


def oauth(expires_in: float | None, **extra) -> dict:
    secret = {"kind": "oauth", "access_token": "at-0", "refresh_token": "rt-0", **extra}
    if expires_in is not None:
        secret["expires_at"] = time.time() + expires_in
    return secret


async def test_a_token_about_to_lapse_is_renewed_once_and_stored_sealed():
    store, side = Store(), Side()
    tokens = OAuthTokens(factory(store), VAULT, {Platform.JIRA: side})
    stale = store.connect(Platform.JIRA, oauth(60, cloud_id="c1"))
    first, second = await asyncio.gather(tokens.fresh(stale), tokens.fresh(stale))
    assert len(side.calls) == 1 and store.writes == 1
    assert first.secret == second.secret == store.secret(Platform.JIRA)
    assert (first.access_token, first.secret["refresh_token"], first.secret["cloud_id"]) == (
        "at-1", "rt-1", "c1")
    again = await tokens.fresh(first)  # an hour left: used as it is
    assert again is first and len(side.calls) == 1


async def test_time_left_a_personal_token_or_an_unrefreshed_platform_are_used_as_they_are():
    store, side = Store(), Side()
    tokens = OAuthTokens(factory(store), VAULT, {Platform.ASANA: side},
                         margins={Platform.ASANA: timedelta(minutes=1)})
    plenty = store.connect(Platform.ASANA, oauth(300))  # five minutes, over this margin
    personal = store.connect(Platform.FIGMA, {"kind": "token", "access_token": "figd_x",
                                              "expires_at": time.time()})
    linear = store.connect(Platform.LINEAR, oauth(1))
    for credentials in (plenty, personal, linear):
        assert await tokens.fresh(credentials) is credentials
    assert await tokens.refreshed(personal) is None and await tokens.refreshed(linear) is None
    assert side.calls == [] and store.writes == 0


async def test_a_refused_token_is_renewed_even_when_its_platform_named_no_lifetime():
    store, side = Store(), Side(lifetime=None)
    tokens = OAuthTokens(factory(store), VAULT, {Platform.NOTION: side})
    notion = store.connect(Platform.NOTION, oauth(None, bot_id="b1"))
    assert await tokens.fresh(notion) is notion  # no lifetime: nothing lapses by the clock
    renewed = await tokens.refreshed(notion)
    assert renewed is not None and renewed.access_token == "at-1"
    assert "expires_at" not in renewed.secret and store.secret(Platform.NOTION)["bot_id"] == "b1"
    # Refused again while another caller had renewed it already: that renewal is the answer.
    assert (await tokens.refreshed(notion)).access_token == "at-1"
    assert len(side.calls) == 1


async def test_a_refresh_token_another_replica_spent_answers_what_it_stored():
    store, side = Store(), Side()
    tokens = OAuthTokens(factory(store), VAULT, {Platform.JIRA: side})
    stale = store.connect(Platform.JIRA, oauth(30))
    winner = {**stale.secret, "access_token": "at-other", "refresh_token": "rt-other",
              "expires_at": time.time() + 3600}

    def other_replica_first():
        store.rows[Platform.JIRA] = (stale.connection,
                                     connections.seal(VAULT, stale.connection, winner))

    side.before, side.refuse = other_replica_first, True
    answered = await tokens.fresh(stale)
    assert answered.secret == winner and store.writes == 0


async def test_a_reconnect_while_the_platform_was_asked_is_not_overwritten():
    store, side = Store(), Side()
    tokens = OAuthTokens(factory(store), VAULT, {Platform.ASANA: side})
    stale = store.connect(Platform.ASANA, oauth(30))
    reconnected = {"kind": "token", "access_token": "2/personal"}
    side.before = lambda: store.rows.__setitem__(Platform.ASANA, (
        stale.connection, connections.seal(VAULT, stale.connection, reconnected)))
    answered = await tokens.fresh(stale)
    assert answered.secret == reconnected == store.secret(Platform.ASANA)
    assert store.writes == 0


async def test_a_refused_refresh_names_the_refresh_token():
    store, side = Store(), Side()
    side.refuse = True
    tokens = OAuthTokens(factory(store), VAULT, {Platform.FIGMA: side})
    with pytest.raises(InvalidArgument) as refused:
        await tokens.fresh(store.connect(Platform.FIGMA, oauth(-5)))
    assert [e.field for e in refused.value.field_errors] == ["refresh_token"]
    assert store.secret(Platform.FIGMA)["access_token"] == "at-0"


class NotionPages:
    """A resolver that refuses every token but the renewed one."""

    def __init__(self) -> None:
        self.read_with: list[str] = []

    async def resolve(self, secret, key):
        self.read_with.append(secret["access_token"])
        if secret["access_token"] != "at-1":
            raise InvalidArgument.on("access_token", "Notion does not accept this token")
        return TargetFacts(title=f"Page {key}")


async def test_the_link_refresher_reads_again_with_a_renewed_token_after_a_refusal():
    store, side = Store(), Side(lifetime=None)
    tokens = OAuthTokens(factory(store), VAULT, {Platform.NOTION: side})
    store.connect(Platform.NOTION, oauth(None))
    store.links = [DueTarget(ORG, Platform.NOTION, "p1", 0),
                   DueTarget(ORG, Platform.NOTION, "p2", 0)]
    pages = NotionPages()
    refresher = LinkRefresher(factory(store), VAULT, {Platform.NOTION: pages},
                              timedelta(hours=1), tokens=tokens)
    assert await refresher.run_once() == 2
    assert [key for key, _ in store.heard] == ["p1", "p2"] and store.postponed == []
    assert pages.read_with == ["at-0", "at-1", "at-1"] and len(side.calls) == 1

    # A refresh the platform refuses: the targets wait, saying why, and nothing loops.
    side.refuse = True
    store.connect(Platform.NOTION, oauth(None))
    store.links, store.heard = [DueTarget(ORG, Platform.NOTION, "p3", 0)], []
    await refresher.run_once()
    assert store.heard == [] and store.postponed == [("p3", "refresh_token: refused")]


async def test_the_sync_worker_renews_a_lapsing_token_before_it_checks_and_imports():
    from labs_integrations.service_layer.syncs import SyncOutcome, SyncWorker

    store, side = Store(), Side()
    tokens = OAuthTokens(factory(store), VAULT, {Platform.ASANA: side})
    credentials = store.connect(Platform.ASANA, oauth(10))
    seen: list[str] = []

    class Asana:
        platform = Platform.ASANA

        async def identify(self, secret):
            seen.append(secret["access_token"])
            return domain.Account("Ana", "1")

    async def importer(found, queued):
        seen.append(found.access_token)
        return SyncOutcome(records=1)

    class Logs:
        async def finish(self, log):
            self.finished = log

    class Connections(FakeConnections):
        async def get(self, connection_id, *, lock=False):
            return credentials.connection

        async def synced(self, *args):
            pass

    def build(scope):
        uow = FakeUnitOfWork(scope)
        uow.connections, uow.sync_logs = Connections(store), Logs()
        return uow

    worker = SyncWorker(build, VAULT, {Platform.ASANA: Asana()}, {}, tokens)
    worker.add_importer(Platform.ASANA, importer)
    queued = domain.SyncLog(id=uuid.uuid4(), org_id=ORG, connection_id=credentials.connection.id,
                     trigger="import", status=domain.SyncStatus.IN_PROGRESS)
    await worker._run(queued)
    assert seen == ["at-1", "at-1"] and store.secret(Platform.ASANA)["access_token"] == "at-1"
