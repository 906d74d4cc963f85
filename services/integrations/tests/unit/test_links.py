"""Links' handlers, the link refresher and Figma's webhook inbox on an in-memory store in place of
PostgreSQL (no platform, no other service): a link stored once per task and target and
announced; viewers and clients refused; due targets read once for every link to them, a 429
putting the rest of the org's targets after Retry-After, an outage backing off, a platform
without a connection or resolver leaving titles empty with nothing wrong; a Figma delivery
verified by its passcode, kept once however often it comes, applied once as activity on each
linking task."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import (
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_integrations.adapters.link_repository import DueTarget
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain.connections import (
    Connection,
    ConnectionStatus,
    Platform,
)
from labs_integrations.domain.figma import passcode_hash
from labs_integrations.domain.link_commands import CreateLink, DeleteLink
from labs_integrations.domain.links import Link, TargetFacts, target_of
from labs_integrations.service_layer import connections, links
from labs_integrations.service_layer.figma_inbox import FigmaInbox
from labs_integrations.service_layer.link_refresh import LinkRefresher

VAULT = Vault({"k1": os.urandom(32)})
HOUR = timedelta(hours=1)
FILE = "https://www.figma.com/file/aBc123XyZ789qwe/Website"


class Store:
    """What PostgreSQL would hold, shared by every unit of work; `now` is the database's."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
        self.links: dict[uuid.UUID, dict] = {}
        self.connections: dict[tuple[uuid.UUID, Platform], tuple[Connection, bytes]] = {}
        self.hooks: dict[bytes, tuple[uuid.UUID, uuid.UUID]] = {}
        self.deliveries: dict[uuid.UUID, dict] = {}

    def connect(self, org_id: uuid.UUID, platform: Platform, secret: dict) -> Connection:
        connection = Connection(
            id=uuid.uuid4(), org_id=org_id, platform=platform,
            status=ConnectionStatus.CONNECTED, account_name="acct", external_account_id="1",
            settings={}, connected_by=uuid.uuid4(), connected_at=self.now)
        self.connections[(org_id, platform)] = (connection,
                                                connections.seal(VAULT, connection, secret))
        return connection


class FakeLinks:
    def __init__(self, store: Store, org_id: uuid.UUID | None) -> None:
        self.store, self.org_id = store, org_id

    def _mine(self):
        return [r for r in self.store.links.values() if r["link"].org_id == self.org_id]

    def _target(self, platform, key):
        return [r for r in self._mine()
                if (r["link"].platform, r["link"].target_key) == (platform, key)]

    async def add(self, link: Link):
        for row in self._mine():
            held = row["link"]
            if (held.task_id, held.project_id if held.task_id is None else None,
                held.platform, held.target_key) == (
                    link.task_id, link.project_id if link.task_id is None else None,
                    link.platform, link.target_key):
                return held, False
        link = replace(link, created_at=self.store.now)
        self.store.links[link.id] = {"link": link, "due_at": self.store.now, "attempts": 0,
                                     "last_error": None, "fetched_at": None}
        return link, True

    async def get(self, link_id):
        row = self.store.links.get(link_id)
        return row["link"] if row and row["link"].org_id == self.org_id else None

    async def delete(self, link_id):
        link = await self.get(link_id)
        if link is not None:
            del self.store.links[link_id]
        return link

    async def of_target(self, platform, key):
        return [r["link"] for r in self._target(platform, key)]

    async def heard(self, platform, key, facts: TargetFacts, next_read):
        for row in self._target(platform, key):
            row["link"] = replace(row["link"], title=facts.title,
                                  thumbnail_url=facts.thumbnail_url,
                                  changed_at=facts.changed_at or row["link"].changed_at)
            row.update(due_at=next_read, attempts=0, last_error=None, fetched_at=self.store.now)

    async def postpone(self, platform, key, next_read, *, error, failed):
        for row in self._target(platform, key):
            row.update(due_at=next_read, last_error=error,
                       attempts=row["attempts"] + (1 if failed else 0))

    async def file_changed(self, key, name, at):
        changed = []
        for row in self._target(Platform.FIGMA, key):
            row["link"] = replace(row["link"], title=name or row["link"].title,
                                  changed_at=max(filter(None, (row["link"].changed_at, at))))
            row.update(due_at=self.store.now)
            changed.append(row["link"])
        return changed

    async def claim_due(self, limit, lease, platforms):
        due = sorted((r for r in self.store.links.values() if r["due_at"] <= self.store.now
                      and r["link"].platform in platforms), key=lambda r: r["due_at"])[:limit]
        targets: dict = {}
        for row in due:
            row["due_at"] = self.store.now + lease
            link = row["link"]
            key = (link.org_id, link.platform, link.target_key)
            targets[key] = max(targets.get(key, 0), row["attempts"])
        return [DueTarget(org, platform, key, attempts) for (org, platform, key), attempts
                in sorted(targets.items(), key=lambda i: (str(i[0][0]), i[0][1], i[0][2]))]


class FakeConnections:
    def __init__(self, store: Store, org_id) -> None:
        self.store, self.org_id = store, org_id

    async def of_platform(self, platform, *, lock=False):
        return self.store.connections.get((self.org_id, platform))


class FakeFigmaHooks:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def connection_of(self, hashed):
        return self.store.hooks.get(hashed)


class FakeFigmaDeliveries:
    def __init__(self, store: Store, org_id) -> None:
        self.store, self.org_id = store, org_id

    async def keep(self, delivery_key, event_type, file_key, payload):
        if any(d["org_id"] == self.org_id and d["delivery_key"] == delivery_key
               for d in self.store.deliveries.values()):
            return False
        delivery_id = uuid.uuid4()
        self.store.deliveries[delivery_id] = {
            "id": delivery_id, "org_id": self.org_id, "delivery_key": delivery_key,
            "event_type": event_type, "file_key": file_key, "payload": payload,
            "received_at": self.store.now, "applied_at": None, "attempts": 0}
        return True

    async def claim_due(self, limit, lease):
        due = [d for d in self.store.deliveries.values() if d["applied_at"] is None][:limit]
        for delivery in due:
            delivery["attempts"] += 1
        return [dict(d) for d in due]

    async def applied(self, delivery_id, error=None):
        self.store.deliveries[delivery_id].update(applied_at=self.store.now, last_error=error)


class Uow(FakeUnitOfWork):
    store: Store

    def _start(self) -> None:
        org = self.scope.org_id
        self.links = FakeLinks(self.store, org)
        self.connections = FakeConnections(self.store, org)
        self.figma_hooks = FakeFigmaHooks(self.store)
        self.figma_deliveries = FakeFigmaDeliveries(self.store, org)


def factory(store: Store):
    """A unit-of-work factory on `store`; every unit of work it made is in `.made`."""
    made: list[Uow] = []

    def build(scope: Scope) -> Uow:
        uow = Uow.__new__(Uow)
        uow.store = store
        Uow.__init__(uow, scope)
        made.append(uow)
        return uow

    build.made = made  # type: ignore[attr-defined]
    return build


def events(build) -> list:
    return [event for uow in build.made for event in uow.outbox.events]


def create(caller, url: str = FILE, *, task_id=None, project_id=None):
    return CreateLink(project_id=project_id or uuid.uuid4(), task_id=task_id,
                      target=target_of(url))


# --- the handlers --------------------------------------------------------------------------------

async def test_a_member_links_a_task_and_the_link_is_announced_on_its_project():
    store, caller = Store(), a_caller(Role.MEMBER)
    uow = factory(store)(Scope.of_caller(caller))
    project, task = uuid.uuid4(), uuid.uuid4()
    link, created = await links.create_link(create(caller, task_id=task, project_id=project),
                                            uow)
    assert created and (link.task_id, link.project_id, link.title) == (task, project, None)
    assert (link.platform, link.target_key) == (Platform.FIGMA, "aBc123XyZ789qwe")
    assert link.created_by == caller.user_id
    (event,) = uow.outbox.events
    assert (event.type, event.project_id) == ("link.created", str(project))


async def test_the_same_target_again_is_the_existing_link_and_nothing_is_announced():
    store, caller = Store(), a_caller(Role.MANAGER)
    uow = factory(store)(Scope.of_caller(caller))
    project, task = uuid.uuid4(), uuid.uuid4()
    first, _ = await links.create_link(create(caller, task_id=task, project_id=project), uow)
    again, created = await links.create_link(create(
        caller, FILE.replace("Website", "Website?node-id=4-2"), task_id=task,
        project_id=project), uow)
    assert (again.id, created) == (first.id, False)
    # The project itself may link the same file: another link.
    own, created = await links.create_link(create(caller, project_id=project), uow)
    assert created and own.id != first.id and own.task_id is None
    assert uow.outbox.types() == ["link.created", "link.created"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLIENT])
async def test_viewers_and_clients_may_not_link_or_unlink(role):
    store = Store()
    uow = factory(store)(Scope.of_caller(a_caller(role)))
    with pytest.raises(PermissionDenied):
        await links.create_link(create(None, task_id=uuid.uuid4()), uow)
    with pytest.raises(PermissionDenied):
        await links.delete_link(DeleteLink(uuid.uuid4()), uow)
    assert store.links == {} and uow.outbox.events == []


async def test_deleting_a_link_announces_it_and_another_orgs_is_not_found():
    store, caller = Store(), a_caller(Role.MEMBER)
    build = factory(store)
    link, _ = await links.create_link(create(caller, task_id=uuid.uuid4()),
                                      build(Scope.of_caller(caller)))
    stranger = build(Scope.of_caller(a_caller(Role.OWNER)))
    with pytest.raises(NotFound):
        await links.delete_link(DeleteLink(link.id), stranger)
    uow = build(Scope.of_caller(caller))
    await links.delete_link(DeleteLink(link.id), uow)
    assert store.links == {} and uow.outbox.types() == ["link.deleted"]
    with pytest.raises(NotFound):
        await links.delete_link(DeleteLink(link.id), build(Scope.of_caller(caller)))


# --- the refresher -------------------------------------------------------------------------------

class Resolver:
    """Answers `facts` by key, or raises what `fails` says for a key; counts its reads."""

    def __init__(self, facts: dict[str, TargetFacts] | None = None,
                 fails: dict[str, Exception] | None = None) -> None:
        self.facts, self.fails, self.reads = facts or {}, fails or {}, []

    async def resolve(self, secret, key):
        self.reads.append((secret["access_token"], key))
        if key in self.fails:
            raise self.fails[key]
        return self.facts[key]


async def linked(store: Store, caller, *urls: str, task_id=None) -> list[Link]:
    made = []
    for url in urls:
        link, _ = await links.create_link(create(caller, url, task_id=task_id or uuid.uuid4()),
                                          factory(store)(Scope.of_caller(caller)))
        made.append(link)
    return made


def row(store: Store, link: Link) -> dict:
    return store.links[link.id]


async def test_due_links_get_their_targets_facts_read_once_for_every_link_to_it():
    store, caller = Store(), a_caller(Role.MEMBER)
    store.connect(caller.org_id, Platform.FIGMA, {"access_token": "figd_1", "kind": "token"})
    one, two = await linked(store, caller, FILE, FILE)  # two tasks, one file
    changed = datetime(2026, 4, 30, 8, tzinfo=UTC)
    resolver = Resolver({"aBc123XyZ789qwe": TargetFacts("Website", "https://t/1.png",
                                                        changed)})
    refresher = LinkRefresher(factory(store), VAULT, {Platform.FIGMA: resolver}, HOUR,
                              clock=lambda: store.now)
    assert await refresher.run_once() == 1  # one target
    assert resolver.reads == [("figd_1", "aBc123XyZ789qwe")]
    for link in (one, two):
        held = row(store, link)
        assert (held["link"].title, held["link"].thumbnail_url, held["link"].changed_at) == (
            "Website", "https://t/1.png", changed)
        assert held["due_at"] == store.now + HOUR and held["last_error"] is None
    assert await refresher.run_once() == 0  # nothing due until the next refresh
    store.now += HOUR
    assert await refresher.run_once() == 1 and len(resolver.reads) == 2


async def test_a_429_puts_the_rest_of_the_orgs_targets_after_its_retry_after():
    store, caller = Store(), a_caller(Role.MEMBER)
    store.connect(caller.org_id, Platform.FIGMA, {"access_token": "figd_1", "kind": "token"})
    keys = ("aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3")
    made = await linked(store, caller, *(f"https://figma.com/file/{k}" for k in keys))
    resolver = Resolver({keys[0]: TargetFacts("First")},
                        fails={keys[1]: Throttled("Figma", 90)})
    refresher = LinkRefresher(factory(store), VAULT, {Platform.FIGMA: resolver}, HOUR,
                              clock=lambda: store.now)
    await refresher.run_once()
    assert [key for _, key in resolver.reads] == list(keys[:2])  # the third never asked
    assert row(store, made[0])["link"].title == "First"
    for link in made[1:]:
        assert row(store, link)["due_at"] == store.now + timedelta(seconds=90)
        assert row(store, link)["attempts"] == 0 and row(store, link)["link"].title is None


async def test_an_outage_backs_off_and_a_target_it_cannot_see_says_why():
    store, caller = Store(), a_caller(Role.MEMBER)
    store.connect(caller.org_id, Platform.NOTION, {"access_token": "secret_1"})
    hidden, down = await linked(store, caller, f"https://notion.so/x-{'1' * 32}",
                                f"https://notion.so/y-{'2' * 32}")
    resolver = Resolver(fails={
        hidden.target_key: NotFound("Notion shows this integration no page"),
        down.target_key: Unavailable("Notion answered 502")})
    refresher = LinkRefresher(factory(store), VAULT, {Platform.NOTION: resolver}, HOUR,
                              clock=lambda: store.now)
    await refresher.run_once()
    assert row(store, hidden)["due_at"] == store.now + HOUR
    assert "no page" in row(store, hidden)["last_error"]
    assert row(store, hidden)["attempts"] == 0
    assert row(store, down)["due_at"] == store.now + timedelta(minutes=1)
    assert row(store, down)["attempts"] == 1
    store.now += timedelta(minutes=1)
    await refresher.run_once()
    assert row(store, down)["due_at"] == store.now + timedelta(minutes=2)


async def test_a_token_the_platform_refuses_is_not_asked_again_for_the_other_targets():
    store, caller = Store(), a_caller(Role.MEMBER)
    store.connect(caller.org_id, Platform.FIGMA, {"access_token": "revoked"})
    made = await linked(store, caller, "https://figma.com/file/aaaaaaaaaa1",
                        "https://figma.com/file/bbbbbbbbbb2")
    refused = InvalidArgument.on("access_token", "Figma does not accept this token")
    resolver = Resolver(fails={"aaaaaaaaaa1": refused, "bbbbbbbbbb2": refused})
    await LinkRefresher(factory(store), VAULT, {Platform.FIGMA: resolver}, HOUR,
                        clock=lambda: store.now).run_once()
    assert len(resolver.reads) == 1
    assert all(row(store, link)["due_at"] == store.now + HOUR for link in made)
    assert all("does not accept" in row(store, link)["last_error"] for link in made)


async def test_without_a_connection_or_a_resolver_titles_stay_empty_and_nothing_is_wrong():
    store, caller = Store(), a_caller(Role.MEMBER)
    figma, linear = await linked(store, caller, FILE,
                                 "https://linear.app/acme/issue/ENG-1/x")
    resolver = Resolver()
    refresher = LinkRefresher(factory(store), VAULT, {Platform.FIGMA: resolver}, HOUR,
                              clock=lambda: store.now)
    assert await refresher.run_once() == 1  # Linear's link is not even claimed
    assert resolver.reads == []
    assert row(store, figma)["due_at"] == store.now + HOUR
    assert row(store, figma)["last_error"] is None and row(store, figma)["link"].title is None
    assert row(store, linear)["due_at"] == store.now and row(store, linear)["last_error"] is None


# --- Figma's webhook inbox -----------------------------------------------------------------------

def delivery(**fields) -> bytes:
    return json.dumps({"event_type": "FILE_UPDATE", "file_key": "aBc123XyZ789qwe",
                       "file_name": "Website v2", "passcode": "pass-1", "retries": 0,
                       "protocol_version": "2", "timestamp": "2026-05-01T10:00:00Z",
                       "webhook_id": "22", **fields}).encode()


async def test_a_figma_delivery_is_verified_kept_once_and_applied_once_on_each_link():
    store, caller = Store(), a_caller(Role.MEMBER)
    store.hooks[passcode_hash("pass-1")] = (caller.org_id, uuid.uuid4())
    task = uuid.uuid4()
    (on_task,) = await linked(store, caller, FILE, task_id=task)
    elsewhere = Store()  # another org links the same file: it hears nothing
    build = factory(store)
    woken: list[str] = []
    inbox = FigmaInbox(build, wake=lambda: woken.append("inbox"),
                       wake_refresh=lambda: woken.append("refresh"))

    for forged in (delivery(passcode="guess"), delivery(passcode=None)):
        with pytest.raises(Unauthenticated):
            await inbox.receive(forged)
    with pytest.raises(InvalidArgument):
        await inbox.receive(b"not json")
    assert await inbox.receive(delivery()) is True
    assert await inbox.receive(delivery(retries=1)) is False  # Figma's retry: the same one
    assert await inbox.receive(json.dumps({"event_type": "PING", "passcode": "pass-1"})
                               .encode()) is False
    (kept,) = store.deliveries.values()
    assert "passcode" not in kept["payload"]

    assert await inbox.apply_due() == 1
    assert await inbox.apply_due() == 0
    assert row(store, on_task)["link"].title == "Website v2"
    assert row(store, on_task)["link"].changed_at == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert woken == ["inbox", "refresh"]
    updated = [e for e in events(build) if e.type == "figma.file_updated"]
    assert [(e.project_id) for e in updated] == [str(on_task.project_id)]
    assert elsewhere.links == {}

    comment = delivery(event_type="FILE_COMMENT", comment_id="901",
                       comment=[{"text": "Nice"}], triggered_by={"handle": "dana"})
    assert await inbox.receive(comment) is True
    await inbox.apply_due()
    (commented,) = [e for e in events(build) if e.type == "figma.commented"]
    assert commented.project_id == str(on_task.project_id)
    from labs.integrations.v1 import events_pb2

    payload = events_pb2.FigmaCommented()
    commented.payload.Unpack(payload)
    assert (payload.task_id, payload.text, payload.author, payload.comment_id) == (
        str(task), "Nice", "dana", "901")
