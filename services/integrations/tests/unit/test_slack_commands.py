"""Slash commands without I/O: a service's refusal becomes a reply naming what was wrong; help
and usage need no org; an unsigned request never reaches the command."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from labs_common.errors import (
    FieldError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from labs_integrations.config import Settings
from labs_integrations.domain.slack import SlashCommand
from labs_integrations.service_layer import slack_commands
from labs_integrations.service_layer.slack_commands import (
    Refusal,
    SlackCommands,
    explain,
    idempotency_key,
    idempotency_metadata,
)

SECRET = "unit-signing-secret"


def test_refusals_are_explained_with_their_fields():
    refused = InvalidArgument("Validation failed", field_errors=[
        FieldError("date_worked", "is in a locked period"), FieldError("hours", "too many")])
    assert explain(refused) == (":x: Labs refused it: date_worked: is in a locked period; "
                                "hours: too many")
    assert explain(InvalidArgument.on("notes", "too long")) == \
        ":x: Labs refused it: notes: too long"
    assert explain(PermissionDenied("Time entries are for members and up.")).startswith(
        ":no_entry: You may not do that in Labs: Time entries are for members")
    assert "No such project" in explain(NotFound("No such project."))


def signed(body: bytes) -> tuple[str, str]:
    ts = str(int(time.time()))
    return ts, "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body,
                                hashlib.sha256).hexdigest()


def commands() -> SlackCommands:
    def no_uow(scope):
        raise AssertionError("no database for help")
    settings = Settings(slack_signing_secret=SecretStr(SECRET))
    return SlackCommands(no_uow, settings, vault=None, tokens=None, time_stub=None,
                         projects_stub=None)


async def test_help_and_mistakes_answer_usage_without_any_lookup():
    runner = commands()
    for text, expected in (("help", "/labs time"), ("", "/labs status"),
                           ("time soon Site", "not a duration"), ("dance", "`dance`")):
        body = f"team_id=T1&user_id=U1&command=%2Flabs&text={text.replace(' ', '+')}".encode()
        reply = await runner.receive(body, *signed(body))
        assert reply.response_type == "ephemeral" and expected in reply.text, (text, reply)
    await runner.aclose()


async def test_an_unsigned_request_never_runs():
    runner = commands()
    body = b"team_id=T1&user_id=U1&text=help"
    with pytest.raises(Unauthenticated):
        await runner.receive(body, str(int(time.time())), "v0=" + "0" * 64)
    await runner.aclose()


# --- who asks: no Slack call inside a transaction, the email refreshed after a day ----------

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ORG = uuid.uuid4()


class FakeStore:
    def __init__(self) -> None:
        self.users: dict[tuple[str, str], tuple[str, datetime]] = {}
        self.open = 0  # transactions open now
        self.members = {"ana@example.com": SimpleNamespace(user_id=uuid.uuid4(),
                                                           is_staff=True)}


class FakeUow:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.connections = SimpleNamespace(by_account=self._by_account)
        self.slack_users = SimpleNamespace(known=self._known, remember=self._remember,
                                           email=self._email)
        self.known_members = SimpleNamespace(by_email=self._by_email)
        self.known_orgs = SimpleNamespace(timezone=self._timezone)

    async def __aenter__(self):
        self.store.open += 1
        return self

    async def __aexit__(self, *_exc):
        self.store.open -= 1

    async def commit(self):
        pass

    async def _by_account(self, _platform, _team_id):
        return [SimpleNamespace(org_id=ORG)]

    async def _known(self, team_id, user_id):
        return self.store.users.get((team_id, user_id))

    async def _email(self, team_id, user_id):
        known = self.store.users.get((team_id, user_id))
        return known and known[0]

    async def _remember(self, team_id, user_id, email, now):
        self.store.users[(team_id, user_id)] = (email, now)

    async def _by_email(self, email):
        return self.store.members.get(email)

    async def _timezone(self, _org_id):
        return "UTC"


class FakeSlackClient:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.calls = 0
        self.down = False
        self.email = "Ana@Example.com"

    def __call__(self, _settings, _token):
        return self

    async def users_info(self, user):
        assert self.store.open == 0, "users.info awaited inside an open transaction"
        self.calls += 1
        if self.down:
            raise OSError("Slack is down")
        return {"user": {"id": user, "profile": {"email": self.email}}}


@pytest.fixture
def asking(monkeypatch):
    store = FakeStore()
    client = FakeSlackClient(store)
    monkeypatch.setattr(slack_commands, "slack_client", client)

    async def opened(_uow, _vault, _platform):
        return SimpleNamespace(access_token="xoxb-1")
    monkeypatch.setattr(slack_commands, "credentials", opened)
    clock = {"now": NOW}
    runner = SlackCommands(lambda _scope: FakeUow(store),
                           Settings(slack_signing_secret=SecretStr(SECRET)), vault=None,
                           tokens=None, time_stub=None, projects_stub=None,
                           clock=lambda: clock["now"])
    yield runner, store, client, clock


COMMAND = SlashCommand(team_id="T1", user_id="U1", text="status Site", response_url="",
                       command="/labs")


async def test_slack_is_asked_outside_any_transaction_and_the_email_remembered(asking):
    runner, store, client, _clock = asking
    asker = await runner._asker(COMMAND)
    assert asker.email == "ana@example.com" and client.calls == 1
    assert store.users[("T1", "U1")] == ("ana@example.com", NOW)
    await runner._asker(COMMAND)  # known and fresh: no Slack call
    assert client.calls == 1
    await runner.aclose()


async def test_an_email_older_than_a_day_is_asked_again_and_kept_when_slack_is_down(asking):
    runner, store, client, clock = asking
    store.users[("T1", "U1")] = ("ana@example.com", NOW - timedelta(hours=23))
    await runner._asker(COMMAND)
    assert client.calls == 0  # fresh enough
    store.users[("T1", "U1")] = ("old@example.com", NOW - timedelta(hours=25))
    store.members["old@example.com"] = store.members["ana@example.com"]
    asker = await runner._asker(COMMAND)
    assert client.calls == 1 and asker.email == "ana@example.com"
    assert store.users[("T1", "U1")] == ("ana@example.com", NOW)

    clock["now"] = NOW + timedelta(days=2)
    client.down = True
    asker = await runner._asker(COMMAND)  # stale, Slack unreachable: the known email serves
    assert client.calls == 2 and asker.email == "ana@example.com"
    assert store.users[("T1", "U1")] == ("ana@example.com", NOW)  # still to be refreshed
    store.users.clear()
    with pytest.raises(Refusal, match="cannot be reached"):  # unknown and unreachable
        await runner._asker(COMMAND)
    await runner.aclose()


# --- a command's work is done once -----------------------------------------------------------

def test_the_idempotency_key_is_the_invocations():
    first = SlashCommand("T1", "U1", "time 2h Site x", "", "/labs", trigger_id="1.2.abc")
    assert idempotency_key(first) == idempotency_key(replace(first, text="other"))
    assert idempotency_key(first) != idempotency_key(replace(first, trigger_id="1.2.abd"))
    assert idempotency_key(first) != idempotency_key(replace(first, team_id="T2"))
    assert idempotency_key(replace(first, trigger_id="")) is None
    assert idempotency_metadata(first) == {
        "metadata": (("idempotency-key", idempotency_key(first)),)}
    assert idempotency_metadata(replace(first, trigger_id="")) == {}
    assert len(idempotency_key(first)) <= 255
