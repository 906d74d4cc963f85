"""The Slack sender without PostgreSQL: a posted message is sent; a refusal no retry changes is
given up at once; Slack down is retried with backoff, rate limiting after Slack's Retry-After;
nothing is retried past the message's 3 days; a direct message looks the user up by email first.
Slack is slack-sdk's own client raising what Slack answers (a stub in its place)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from labs_integrations.adapters.slack_repository import QueuedMessage
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Connection, ConnectionStatus, Credentials, Platform
from labs_integrations.service_layer import slack_sender

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
ORG = uuid.uuid4()


def refusal(error: str, status: int = 200, headers: dict | None = None) -> SlackApiError:
    response = AsyncSlackResponse(client=None, http_verb="POST", api_url="x", req_args={},
                                  data={"ok": False, "error": error}, headers=headers or {},
                                  status_code=status)
    return SlackApiError(error, response)


class Client:
    def __init__(self, fail: SlackApiError | Exception | None = None) -> None:
        self.fail = fail
        self.posted: list[dict] = []
        self.looked_up: list[str] = []

    async def users_lookupByEmail(self, email):
        self.looked_up.append(email)
        return {"user": {"id": "U0ANA"}}

    async def chat_postMessage(self, **params):
        if self.fail is not None:
            raise self.fail
        self.posted.append(params)
        return {"ok": True}


class Uow:
    def __init__(self, store: dict, connected: bool = True) -> None:
        self.store = store
        self.connected = connected

    def __call__(self, scope):
        return self

    async def __aenter__(self):
        store = self.store

        async def sent(message_id, now):
            store["outcome"] = ("sent", None)

        async def failed(message_id, error, next_attempt_at):
            store["outcome"] = (error, next_attempt_at)

        self.slack_messages = SimpleNamespace(sent=sent, failed=failed)
        return self

    async def __aexit__(self, *exc):
        return False

    async def commit(self):
        pass


def message(*, attempts: int = 0, channel: str | None = "C0SITE", dm_email: str | None = None,
            give_up_at: datetime = NOW + timedelta(days=3)) -> QueuedMessage:
    return QueuedMessage(uuid.uuid4(), ORG, "event:C0SITE", channel, dm_email, "Hello", None,
                         attempts, give_up_at)


@pytest.fixture
def attempt(monkeypatch):
    async def run(client: Client, queued: QueuedMessage, connected: bool = True):
        connection = Connection(id=uuid.uuid4(), org_id=ORG, platform=Platform.SLACK,
                                status=ConnectionStatus.CONNECTED, account_name="Acme",
                                external_account_id="T1", settings={}, connected_by=ORG,
                                connected_at=NOW)

        async def credentials(uow, vault, platform):
            return Credentials(connection, {"access_token": "xoxb-1"}) if connected else None

        monkeypatch.setattr(slack_sender, "credentials", credentials)
        monkeypatch.setattr(slack_sender, "slack_client", lambda settings, token: client)
        store: dict = {}
        sender = slack_sender.SlackSender(Uow(store), Settings(), vault=None,
                                          clock=lambda: NOW, retry_base_seconds=10)
        await sender._attempt(queued)
        return store["outcome"]
    return run


async def test_a_message_is_posted(attempt):
    client = Client()
    assert await attempt(client, message()) == ("sent", None)
    assert client.posted == [{"channel": "C0SITE", "text": "Hello", "blocks": None}]


async def test_a_direct_message_looks_the_user_up_by_email(attempt):
    client = Client()
    assert await attempt(client, message(channel=None, dm_email="ana@acme.test")) == \
        ("sent", None)
    assert client.looked_up == ["ana@acme.test"] and client.posted[0]["channel"] == "U0ANA"


async def test_a_refusal_no_retry_changes_is_given_up_at_once(attempt):
    assert await attempt(Client(refusal("channel_not_found")), message()) == \
        ("channel_not_found", None)
    assert await attempt(Client(), message(), connected=False) == \
        ("Slack is no longer connected", None)


async def test_slack_down_is_retried_with_backoff(attempt):
    error, retry = await attempt(Client(refusal("service_unavailable", 503)),
                                 message(attempts=2))
    assert error == "service_unavailable" and retry == NOW + timedelta(seconds=40)
    error, retry = await attempt(Client(OSError("connection refused")), message())
    assert "cannot be reached" in error and retry == NOW + timedelta(seconds=10)


async def test_rate_limiting_waits_as_long_as_slack_says(attempt):
    error, retry = await attempt(Client(refusal("ratelimited", 429, {"Retry-After": "30"})),
                                 message())
    assert error == "ratelimited" and retry == NOW + timedelta(seconds=30)


async def test_nothing_is_retried_past_three_days(attempt):
    error, retry = await attempt(Client(refusal("service_unavailable", 503)),
                                 message(attempts=5, give_up_at=NOW + timedelta(seconds=5)))
    assert error == "service_unavailable" and retry is None
