"""Connections' handlers against fakes (no PostgreSQL, no platform): roles, the OAuth state that
works once, credentials sealed so that only their own row opens them, reconnecting, deleting,
queued syncs, a Figma team changed making its webhooks due to move; and the vault's key
rotation."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import UTC, datetime

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, NotFound, PermissionDenied
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_integrations.adapters.vault import Vault, VaultError, aad, parse_keys
from labs_integrations.domain import commands
from labs_integrations.domain.connections import (
    Account,
    ConnectionStatus,
    Platform,
    SyncStatus,
    check_redirect_url,
    check_settings,
    check_token,
)
from labs_integrations.domain.read_model import repository_of
from labs_integrations.service_layer import connections


class FakeConnections:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, dict] = {}

    def _live(self):
        return [r for r in self.rows.values() if not r.get("deleted")]

    async def list(self):
        return [r["connection"] for r in self._live()]

    async def get(self, connection_id, *, lock=False):
        row = self.rows.get(connection_id)
        return row["connection"] if row and not row.get("deleted") else None

    async def of_platform(self, platform, *, lock=False):
        row = next((r for r in self._live() if r["connection"].platform is platform), None)
        return (row["connection"], row["sealed"]) if row else None

    async def add(self, connection, sealed, key_id):
        self.rows[connection.id] = {"connection": connection, "sealed": sealed, "key": key_id}

    async def replace_credentials(self, connection, sealed, key_id):
        self.rows[connection.id].update(sealed=sealed, key=key_id)

    async def save_settings(self, connection_id, settings):
        self.rows[connection_id]["connection"].settings = settings

    async def delete(self, connection_id, revoke):
        row = self.rows[connection_id]
        row.update(deleted=True, revoke=row["sealed"] if revoke else None, sealed=None)


class FakeStates:
    def __init__(self) -> None:
        self.states: dict[bytes, dict] = {}

    async def add(self, platform, state_hash, redirect_url, created_by, expires_at):
        self.states[state_hash] = {"platform": platform, "redirect_url": redirect_url,
                                   "expires_at": expires_at, "used": False}

    async def use(self, platform, state_hash, now):
        found = self.states.get(state_hash)
        if not found or found["used"] or found["platform"] is not platform \
                or found["expires_at"] <= now:
            return None
        found["used"] = True
        return found["redirect_url"]


class FakeSyncLogs:
    def __init__(self) -> None:
        self.logs = []

    async def running(self, connection_id):
        return next((log for log in self.logs if log.connection_id == connection_id
                     and log.status is SyncStatus.IN_PROGRESS), None)

    async def add(self, log):
        log.created_at = datetime.now(UTC)
        self.logs.append(log)
        return log


class FakeFigmaHooks:
    def __init__(self) -> None:
        self.team_changes: list[uuid.UUID] = []

    async def team_changed(self, connection_id):
        self.team_changes.append(connection_id)


class FakeIntegrationsUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.connections = FakeConnections()
        self.oauth_states = FakeStates()
        self.sync_logs = FakeSyncLogs()
        self.figma_hooks = FakeFigmaHooks()


def vault() -> Vault:
    return Vault({"k1": os.urandom(32)})


def uow_as(role: Role, **kwargs) -> FakeIntegrationsUnitOfWork:
    return FakeIntegrationsUnitOfWork(caller=a_caller(role, **kwargs))


GITHUB = Account(name="octocat", external_id="583231")


async def test_connecting_seals_the_token_to_its_row_and_announces_it():
    keys = vault()
    uow = uow_as(Role.ADMIN)
    made = await connections.connect(commands.Connect(
        Platform.GITHUB, GITHUB, {"access_token": "ghp_secret"}), uow, vault=keys)
    assert made.status is ConnectionStatus.CONNECTED and made.connected_by == uow.caller.user_id
    row = uow.connections.rows[made.id]
    assert b"ghp_secret" not in row["sealed"] and row["key"] == "k1"
    assert uow.outbox.types() == ["connection.created"]
    opened = await connections.credentials(uow, keys, Platform.GITHUB)
    assert opened is not None and opened.access_token == "ghp_secret"
    # Another row's associated data does not open it: a copied ciphertext is useless.
    with pytest.raises(VaultError):
        keys.open(row["sealed"], aad(made.org_id, uuid.uuid4(), "credentials"))


async def test_connecting_again_replaces_the_credentials_of_the_same_connection():
    keys = vault()
    uow = uow_as(Role.OWNER)
    first = await connections.connect(commands.Connect(
        Platform.GITHUB, GITHUB, {"access_token": "old"}), uow, vault=keys)
    second = await connections.connect(commands.Connect(
        Platform.GITHUB, Account("hubot", "2"), {"access_token": "new"}), uow, vault=keys)
    assert second.id == first.id and second.account_name == "hubot"
    assert (await connections.credentials(uow, keys, Platform.GITHUB)).access_token == "new"
    assert uow.outbox.types() == ["connection.created", "connection.updated"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER, Role.VIEWER, Role.CLIENT])
async def test_only_admins_connect(role):
    with pytest.raises(PermissionDenied):
        await connections.connect(commands.Connect(Platform.SLACK, GITHUB, {}), uow_as(role),
                                  vault=vault())


async def test_managers_read_connections_members_do_not():
    assert await connections.list_connections(commands.ListConnections(),
                                              uow_as(Role.MANAGER)) == []
    with pytest.raises(PermissionDenied):
        await connections.list_connections(commands.ListConnections(), uow_as(Role.MEMBER))


async def test_an_oauth_state_works_once_and_for_its_platform_only():
    uow = uow_as(Role.ADMIN)
    url, state = await connections.start_authorization(
        commands.StartAuthorization(Platform.GITHUB, "https://app.example/back"), uow,
        auth_url=lambda s, r: f"https://github.example/authorize?state={s}")
    assert url.endswith(state)
    with pytest.raises(InvalidArgument) as wrong_platform:
        await connections.spend_state(commands.SpendState(Platform.SLACK, state), uow)
    assert wrong_platform.value.field_errors[0].field == "state"
    assert await connections.spend_state(commands.SpendState(Platform.GITHUB, state),
                                         uow) == "https://app.example/back"
    with pytest.raises(InvalidArgument):
        await connections.spend_state(commands.SpendState(Platform.GITHUB, state), uow)


async def test_delete_destroys_the_credentials_and_queues_revocation():
    keys = vault()
    uow = uow_as(Role.ADMIN)
    made = await connections.connect(commands.Connect(
        Platform.SLACK, Account("Acme", "T1"), {"access_token": "xoxb"}), uow, vault=keys)
    await connections.delete_connection(commands.DeleteConnection(made.id), uow,
                                        revocable=frozenset({Platform.SLACK}))
    row = uow.connections.rows[made.id]
    assert row["sealed"] is None and row["revoke"] is not None
    assert await connections.credentials(uow, keys, Platform.SLACK) is None
    assert uow.outbox.types()[-1] == "connection.deleted"
    with pytest.raises(NotFound):
        await connections.delete_connection(commands.DeleteConnection(made.id), uow,
                                            revocable=frozenset())


async def test_a_sync_already_queued_is_the_answer():
    uow = uow_as(Role.ADMIN)
    made = await connections.connect(commands.Connect(
        Platform.GITHUB, GITHUB, {"access_token": "t"}), uow, vault=vault())
    first = await connections.start_sync(commands.StartSync(made.id), uow)
    again = await connections.start_sync(commands.StartSync(made.id), uow)
    assert again.id == first.id and first.status is SyncStatus.IN_PROGRESS
    with pytest.raises(NotFound):
        await connections.start_sync(commands.StartSync(uuid.uuid4()), uow)


async def test_a_figma_team_named_changed_or_cleared_makes_its_webhooks_due_to_move():
    uow = uow_as(Role.ADMIN)
    made = await connections.connect(commands.Connect(
        Platform.FIGMA, Account("eve", "9"), {"access_token": "figo", "kind": "oauth"}), uow,
        vault=vault())

    async def patch(settings):
        return await connections.update_settings(
            commands.UpdateSettings(made.id, settings, 10), uow)

    assert (await patch({"team_id": " 123 "})).settings == {"team_id": "123"}
    assert uow.figma_hooks.team_changes == [made.id]
    await patch({"team_id": "123"})  # the same team: nothing to move
    assert uow.figma_hooks.team_changes == [made.id]
    with pytest.raises(InvalidArgument) as refused:
        await patch({"team_id": "figma.com/files/team/456"})
    assert [e.field for e in refused.value.field_errors] == ["settings.team_id"]
    assert uow.connections.rows[made.id]["connection"].settings == {"team_id": "123"}
    await patch({"team_id": "456"})
    await patch({"team_id": None})
    assert uow.figma_hooks.team_changes == [made.id] * 3
    assert uow.outbox.types().count("connection.updated") == 4

    other = await connections.connect(commands.Connect(
        Platform.SLACK, Account("Acme", "T1"), {"access_token": "xoxb"}), uow, vault=vault())
    await connections.update_settings(
        commands.UpdateSettings(other.id, {"default_channel": "C1"}, 10), uow)
    assert uow.figma_hooks.team_changes == [made.id] * 3


def test_keys_rotate_the_first_seals_every_one_opens():
    old, new = os.urandom(32), os.urandom(32)
    sealed = Vault({"old": old}).seal(b"token", b"row")
    rotated = Vault(parse_keys(f"new:{base64.b64encode(new).decode()},"
                               f"old:{base64.b64encode(old).decode()}"))
    assert rotated.open(sealed, b"row") == b"token"
    assert rotated.key_id_of(rotated.seal(b"token", b"row")) == "new"
    with pytest.raises(VaultError):
        Vault({"new": new}).open(sealed, b"row")


def test_production_needs_real_keys():
    with pytest.raises(ValueError):
        Vault.from_settings("", "production")
    with pytest.raises(ValueError):
        parse_keys("k1:" + base64.b64encode(b"short").decode())
    assert Vault.from_settings("", "development").current_key_id == "dev"


@pytest.mark.parametrize(("url", "repository"), [
    ("https://github.com/Acme/Site", "acme/site"),
    ("https://github.com/acme/site.git", "acme/site"),
    ("git@github.com:acme/site.git", "acme/site"),
    ("https://github.com/acme/site/issues/4", "acme/site"),
    ("acme/site", "acme/site"),
    ("", None),
    ("https://gitlab.com/acme/site", None),
])
def test_a_project_names_its_repository_many_ways(url, repository):
    assert repository_of(url) == repository


def test_inputs_are_checked():
    with pytest.raises(InvalidArgument):
        check_redirect_url("javascript:alert(1)")
    with pytest.raises(InvalidArgument):
        check_redirect_url("https://user:pw@app.example/")
    with pytest.raises(InvalidArgument):
        check_token("two words")
    # A fuzzer's unicode "token" is a 422 (it could not even be sent in a header), by its field.
    with pytest.raises(InvalidArgument) as unicode_key:
        check_token("ghp_\u00e9\u4e2d", "api_key")
    assert unicode_key.value.field_errors[0].field == "api_key"
    assert check_token(" ghp_16C7e42F292c6912E7710c838347Ae178B4a ") == \
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    with pytest.raises(InvalidArgument):
        check_settings(Platform.SLACK, {"default_channel": 5}, 10)
    with pytest.raises(InvalidArgument):
        check_settings(Platform.GITHUB, {}, 64 * 1024)
    with pytest.raises(InvalidArgument) as client_audience:
        check_settings(Platform.SLACK, {"audience": "client"}, 10)
    assert client_audience.value.field_errors[0].field == "settings.audience"
    assert check_settings(Platform.SLACK, {"audience": "manager"}, 10) == {"audience": "manager"}
