"""slack-sdk's AsyncWebClient against FakeSlack (labs_common.testing.fake_slack), and slash
commands as a receiver sees them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labs_common.testing.fake_server import ServerThread
from labs_common.testing.fake_slack import FakeSlack

TOKEN = "xoxb-acme-bot"
SECRET = "slack-signing-test"


class CommandReceiver:
    """Labs' side of a slash command, reduced: verifies the signature, answers at once, then
    posts the real answer to response_url (as Labs would, later)."""

    def __init__(self) -> None:
        self.verifier = SignatureVerifier(SECRET)
        self.received: list[tuple[dict[str, str], bytes, bool]] = []
        self.server = ServerThread(Starlette(routes=[
            Route("/slack/commands", self.command, methods=["POST"])]), name="slack-receiver")

    async def command(self, request: Request) -> Response:
        body = await request.body()
        valid = self.verifier.is_valid_request(body, dict(request.headers))
        self.received.append((dict(request.headers), body, valid))
        if not valid:
            return Response("invalid signature", 401)
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        async with httpx.AsyncClient() as client:
            await client.post(fields["response_url"],
                              json={"response_type": "ephemeral", "text": f"ok: {fields['text']}"})
        return JSONResponse({"response_type": "ephemeral", "text": "Working on it"})

    @property
    def url(self) -> str:
        return self.server.url + "/slack/commands"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(signing_secret=SECRET) as slack:
        slack.add_workspace(TOKEN, "T0ACME", "Acme Studio")
        slack.add_user("U0ALICE", "alice@acme.test", "alice", team_id="T0ACME")
        yield slack


@pytest.fixture
def receiver() -> Iterator[CommandReceiver]:
    receiver = CommandReceiver()
    receiver.server.start()
    yield receiver
    receiver.server.stop()


def web(slack: FakeSlack, token: str = TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=slack.url + "/api/")


async def test_auth_test(slack: FakeSlack) -> None:
    response = await web(slack).auth_test()
    workspace = slack.workspaces["T0ACME"]
    assert response["team"] == "Acme Studio" and response["team_id"] == "T0ACME"
    assert response["user_id"] == workspace.bot_user_id
    assert response["bot_id"] == workspace.bot_id


async def test_invalid_token_is_a_slack_api_error(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await web(slack, "xoxb-unknown").auth_test()
    assert raised.value.response["error"] == "invalid_auth"


async def test_down_is_503(slack: FakeSlack) -> None:
    slack.down = True
    with pytest.raises(SlackApiError) as raised:
        await web(slack).auth_test()
    assert raised.value.response.status_code == 503


async def test_post_message(slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Invoice* sent"}}]
    response = await web(slack).chat_postMessage(channel="C0GENERAL", text="Invoice sent",
                                                 blocks=blocks)
    assert response["channel"] == "C0GENERAL" and response["ts"]
    [message] = slack.messages("C0GENERAL")
    assert (message.text, message.blocks, message.team_id) == ("Invoice sent", blocks, "T0ACME")

    slack.add_channel("C0GENERAL", "general")
    await web(slack).chat_postMessage(channel="#general", text="by name")
    assert [m.text for m in slack.messages("general")] == ["Invoice sent", "by name"]
    with pytest.raises(SlackApiError) as raised:
        await web(slack).chat_postMessage(channel="C0NOWHERE", text="lost")
    assert raised.value.response["error"] == "channel_not_found"


async def test_users_and_dms(slack: FakeSlack) -> None:
    client = web(slack)
    found = await client.users_lookupByEmail(email="alice@acme.test")
    assert found["user"]["id"] == "U0ALICE"
    info = await client.users_info(user="U0ALICE")
    assert info["user"]["profile"]["email"] == "alice@acme.test"
    with pytest.raises(SlackApiError) as raised:
        await client.users_lookupByEmail(email="nobody@acme.test")
    assert raised.value.response["error"] == "users_not_found"
    dm = await client.conversations_open(users=["U0ALICE"])
    channel = dm["channel"]["id"]
    assert channel.startswith("D")
    await client.chat_postMessage(channel=channel, text="Your timesheet is due")
    assert [m.text for m in slack.messages(channel)] == ["Your timesheet is due"]


async def test_oauth_and_revoke(slack: FakeSlack) -> None:
    slack.add_oauth_app("111.222", "app-secret")
    code = slack.authorize("T0ACME", user_id="U0ALICE")
    anonymous = AsyncWebClient(base_url=slack.url + "/api/")
    with pytest.raises(SlackApiError) as raised:
        await anonymous.oauth_v2_access(client_id="111.222", client_secret="wrong", code=code)
    assert raised.value.response["error"] == "bad_client_secret"
    granted = await anonymous.oauth_v2_access(client_id="111.222", client_secret="app-secret",
                                              code=code)
    assert granted["team"] == {"id": "T0ACME", "name": "Acme Studio"}
    assert granted["authed_user"]["id"] == "U0ALICE"
    token = granted["access_token"]
    assert token.startswith("xoxb-")
    with pytest.raises(SlackApiError) as raised:  # a code is good once
        await anonymous.oauth_v2_access(client_id="111.222", client_secret="app-secret",
                                        code=code)
    assert raised.value.response["error"] == "invalid_code"

    assert (await web(slack, token).auth_test())["team_id"] == "T0ACME"
    assert (await web(slack, token).auth_revoke())["revoked"] is True
    with pytest.raises(SlackApiError) as raised:
        await web(slack, token).auth_test()
    assert raised.value.response["error"] == "invalid_auth"


async def test_slash_command_signed_like_slack(slack: FakeSlack,
                                               receiver: CommandReceiver) -> None:
    response = await slack.acommand(receiver.url, "link acme/site", user_id="U0ALICE",
                                    team_id="T0ACME")
    assert response.status_code == 200
    assert response.json()["text"] == "Working on it"
    headers, body, valid = receiver.received[-1]
    assert valid
    assert SignatureVerifier(SECRET).is_valid(
        body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert fields["command"] == "/labs" and fields["text"] == "link acme/site"
    assert fields["team_id"] == "T0ACME" and fields["user_id"] == "U0ALICE"
    assert fields["user_name"] == "alice"
    assert set(fields) >= {"token", "team_domain", "channel_id", "channel_name", "api_app_id",
                           "response_url", "trigger_id"}
    assert fields["response_url"].startswith(slack.url + "/response/")
    reply = await slack.wait_response(timeout=5)
    assert reply == {"response_type": "ephemeral", "text": "ok: link acme/site"}
    assert slack.responses(slack.last_command) == [reply]


async def test_stale_and_forged_commands_are_refused(slack: FakeSlack,
                                                     receiver: CommandReceiver) -> None:
    stale = await slack.acommand(receiver.url, "x", user_id="U0ALICE", team_id="T0ACME",
                                 timestamp=int(time.time()) - 600)
    assert stale.status_code == 401
    forged = await slack.acommand(receiver.url, "x", user_id="U0ALICE", team_id="T0ACME",
                                  secret="not-the-secret")
    assert forged.status_code == 401
    given = await slack.acommand(receiver.url, "x", user_id="U0ALICE", team_id="T0ACME",
                                 signature="v0=" + "0" * 64)
    assert given.status_code == 401
    assert [valid for _, _, valid in receiver.received] == [False, False, False]
    assert slack.responses() == []


def test_sync_command_and_response_url_limits(slack: FakeSlack,
                                              receiver: CommandReceiver) -> None:
    assert slack.command(receiver.url, "hi", user_id="U0ALICE", team_id="T0ACME").status_code \
        == 200
    url = slack.last_command.response_url
    for n in range(4):
        assert httpx.post(url, json={"text": str(n)}).status_code == 200
    assert httpx.post(url, json={"text": "sixth"}).status_code == 404  # five uses
    assert len(slack.responses(url)) == 5
    assert httpx.post(slack.url + "/response/unknown", json={}).text == "expired_url"
    assert json.loads(slack.calls("POST", "/response/" + slack.last_command.id)[0].body)
