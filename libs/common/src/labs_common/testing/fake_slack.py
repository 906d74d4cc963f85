"""A fake Slack at its HTTP boundary: the Web API subset Labs uses, for slack-sdk's
`AsyncWebClient(token=..., base_url=fake.url + "/api/")`, and slash commands sent to Labs as
Slack sends them (signed with `signing_secret`), their response_url served by the fake itself.

    with FakeSlack() as slack:
        slack.add_workspace("xoxb-acme", "T0ACME", "Acme")
        slack.add_user("U0ALICE", "alice@acme.test", "alice", team_id="T0ACME")
        client = AsyncWebClient(token="xoxb-acme", base_url=slack.url + "/api/")
        response = slack.command(labs_url + "/slack/commands", "link", user_id="U0ALICE",
                                 team_id="T0ACME")
        reply = await slack.wait_response()          # what Labs POSTed to the response_url

Every Web API answer is HTTP 200 `{"ok": true, ...}` or `{"ok": false, "error": ...}` as Slack's
(`invalid_auth` for an unknown token, `not_authed` for none), form, JSON or query parameters
alike. `down = True` answers 503 to every API call. `requests` logs them (`calls(method, path)`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from labs_common.testing.fake_server import Call, CallLog, ServerThread, poll

_serial = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_serial):04d}{secrets.token_hex(3).upper()}"


def sign(body: bytes | str, timestamp: int | str, secret: str) -> str:
    """`X-Slack-Signature`: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>."""
    raw = body.encode() if isinstance(body, str) else body
    base = f"v0:{timestamp}:".encode() + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


@dataclass
class Workspace:
    team_id: str
    team_name: str
    domain: str
    bot_user_id: str
    bot_id: str
    app_id: str


@dataclass
class SlackUser:
    id: str
    email: str
    name: str
    team_id: str | None = None
    real_name: str | None = None
    is_bot: bool = False


@dataclass
class Message:
    channel: str
    text: str | None
    blocks: list | None
    ts: str
    team_id: str
    user: str  # the bot user that posted
    thread_ts: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class SlashCommand:
    id: str
    url: str
    fields: dict[str, str]
    headers: dict[str, str]
    response_url: str
    status: int | None = None
    responses: list[Any] = field(default_factory=list)  # the JSON POSTed to response_url


class FakeSlack:
    RESPONSE_URL_USES = 5  # Slack accepts five responses per response_url

    def __init__(self, *, signing_secret: str = "slack-signing-secret",
                 verification_token: str = "fake-verification-token") -> None:
        self.signing_secret = signing_secret
        self.verification_token = verification_token
        self.down = False
        self.requests = CallLog()
        self.workspaces: dict[str, Workspace] = {}
        self.tokens: dict[str, str] = {}  # token → team_id
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, str] = {}  # id → name (registered: others are not found)
        self.dms: dict[frozenset[str], str] = {}  # users → D... channel
        self.posted: list[Message] = []
        self.commands: list[SlashCommand] = []
        self.oauth_apps: dict[str, str] = {}  # client_id → client_secret (none: any accepted)
        self.codes: dict[str, tuple[str, str | None, str]] = {}  # code → team, user, scope
        self._lock = threading.RLock()
        self.app = Starlette(routes=[
            Route("/api/{method}", self._api, methods=["GET", "POST"]),
            Route("/response/{id}", self._response, methods=["POST"]),
        ])
        self._http = ServerThread(self.app, name="fake-slack")

    # lifecycle

    @property
    def url(self) -> str:
        return self._http.url

    @property
    def api_url(self) -> str:
        """What AsyncWebClient's base_url is to be: `url` + "/api/"."""
        return f"{self.url}/api/"

    def start(self) -> FakeSlack:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # test controls

    def add_workspace(self, token: str, team_id: str, team_name: str, *,
                      domain: str | None = None, bot_user_id: str | None = None,
                      bot_id: str | None = None) -> Workspace:
        """A workspace with Labs installed; `token` is its bot token."""
        with self._lock:
            workspace = self.workspaces.get(team_id)
            if workspace is None:
                workspace = self.workspaces[team_id] = Workspace(
                    team_id, team_name, domain or team_name.lower().replace(" ", "-"),
                    bot_user_id or new_id("U"), bot_id or new_id("B"), new_id("A"))
            self.tokens[token] = team_id
            return workspace

    def add_user(self, user_id: str, email: str, name: str, *, team_id: str | None = None,
                 real_name: str | None = None) -> SlackUser:
        """A member (of `team_id`, or of every workspace when None)."""
        with self._lock:
            user = self.users[user_id] = SlackUser(user_id, email, name, team_id, real_name)
            return user

    def add_channel(self, id: str, name: str) -> None:
        """Once any channel is added, chat.postMessage to another is channel_not_found."""
        with self._lock:
            self.channels[id] = name.lstrip("#")

    def add_oauth_app(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self.oauth_apps[client_id] = client_secret

    def authorize(self, team_id: str, user_id: str | None = None,
                  scope: str = "commands,chat:write,users:read,users:read.email") -> str:
        """A one-time code (as Slack's install page redirects with) that oauth.v2.access
        exchanges for a new bot token of `team_id`."""
        with self._lock:
            if team_id not in self.workspaces:
                raise KeyError(f"no workspace {team_id}: add_workspace first")
            code = f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}"
            self.codes[code] = (team_id, user_id, scope)
            return code

    def messages(self, channel: str | None = None) -> list[Message]:
        """What chat.postMessage posted (to `channel`: an id, a name or "#name")."""
        wanted = None if channel is None else self._channel_id(channel, strict=False)
        return [m for m in list(self.posted) if wanted is None or m.channel == wanted]

    def calls(self, method: str, path: str) -> list[Call]:
        """Logged requests: calls("POST", "/api/chat.postMessage")."""
        return self.requests.calls(method, path)

    def api_calls(self, name: str) -> list[Call]:
        """Logged Web API calls of method `name` ("chat.postMessage"), by GET or POST."""
        return [c for c in list(self.requests) if c.path == f"/api/{name}"]

    # slash commands

    def command_request(self, url: str, text: str = "", *, user_id: str, team_id: str,
                        channel_id: str = "C0LABS0001", channel_name: str = "general",
                        user_name: str | None = None, team_domain: str | None = None,
                        command: str = "/labs", api_app_id: str | None = None,
                        trigger_id: str | None = None, timestamp: int | str | None = None,
                        signature: str | None = None, secret: str | None = None,
                        ) -> tuple[SlashCommand, bytes]:
        """The command Slack would POST, signed (or with the given `timestamp`/`signature`, or
        signed with another `secret`, for stale and forged requests), not yet sent."""
        command_id = secrets.token_hex(8)
        workspace = self.workspaces.get(team_id)
        user = self.users.get(user_id)
        fields = {
            "token": self.verification_token, "team_id": team_id,
            "team_domain": team_domain or (workspace.domain if workspace else "fake"),
            "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
            "user_name": user_name or (user.name if user else user_id.lower()),
            "command": command, "text": text,
            "api_app_id": api_app_id or (workspace.app_id if workspace else "A0LABS"),
            "is_enterprise_install": "false",
            "response_url": f"{self.url}/response/{command_id}",
            "trigger_id": trigger_id or f"{secrets.randbelow(10**13)}.{secrets.token_hex(8)}",
        }
        body = urlencode(fields).encode()
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "Accept": "application/json,*/*", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(body, ts, secret or self.signing_secret),
        }
        sent = SlashCommand(command_id, url, fields, headers, fields["response_url"])
        with self._lock:
            self.commands.append(sent)
        return sent, body

    def command(self, url: str, text: str = "", **options: Any) -> httpx.Response:
        """POST a slash command to `url` as Slack does (blocking); see command_request."""
        sent, body = self.command_request(url, text, **options)
        response = httpx.post(url, content=body, headers=sent.headers, timeout=10.0)
        sent.status = response.status_code
        return response

    async def acommand(self, url: str, text: str = "", **options: Any) -> httpx.Response:
        """command(), awaited (for a receiver served on the caller's own event loop)."""
        sent, body = self.command_request(url, text, **options)
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, content=body, headers=sent.headers)
        sent.status = response.status_code
        return response

    @property
    def last_command(self) -> SlashCommand:
        return self.commands[-1]

    def responses(self, command: SlashCommand | str | None = None) -> list[Any]:
        """What was POSTed to the response_url of `command` (one, its id or its URL; every
        command's when None), in order."""
        with self._lock:
            chosen = [c for c in self.commands if command is None or c is command
                      or command in (c.id, c.response_url)]
            return [r for c in chosen for r in c.responses]

    async def wait_response(self, timeout: float = 5.0, command: SlashCommand | str | None = None,
                            count: int = 1) -> Any:
        """The `count`-th response POSTed to the response_url (of `command`), awaited."""
        found = await poll(lambda: len(self.responses(command)) >= count, timeout,
                           f"fewer than {count} response_url posts")
        assert found
        return self.responses(command)[count - 1]

    async def _response(self, request: Request) -> Response:
        raw = await request.body()
        with self._lock:
            sent = next((c for c in self.commands if c.id == request.path_params["id"]), None)
            self.requests.append(Call("POST", request.url.path, {}, dict(request.headers), raw))
            if sent is None:
                return PlainTextResponse("expired_url", 404)
            if len(sent.responses) >= self.RESPONSE_URL_USES:
                return PlainTextResponse("used_url", 404)
            try:
                sent.responses.append(json.loads(raw))
            except ValueError:
                return PlainTextResponse("invalid_payload", 400)
        return PlainTextResponse("ok")

    # the Web API

    async def _api(self, request: Request) -> Response:
        raw = await request.body()
        params: dict[str, Any] = dict(parse_qsl(request.url.query, keep_blank_values=True))
        body: Any = None
        if raw:
            if "json" in request.headers.get("content-type", ""):
                body = json.loads(raw)
                params.update(body if isinstance(body, dict) else {})
            else:
                params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        call = Call(request.method, request.url.path, params,
                    {k.lower(): v for k, v in request.headers.items()}, raw, body)
        self.requests.append(call)
        method = request.path_params["method"]
        headers = {"X-Slack-Req-Id": secrets.token_hex(16)}
        if self.down:
            call.status = 503
            return JSONResponse({"ok": False, "error": "service_unavailable"}, 503,
                                headers=headers)
        call.status = 200
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        try:
            with self._lock:
                if handler is None:
                    raise SlackError("unknown_method")
                team = None if method == "oauth.v2.access" else self._auth(call)
                answer = handler(params, team, call)
        except SlackError as error:
            return JSONResponse({"ok": False, "error": error.error, **error.extra},
                                headers=headers)
        return JSONResponse({"ok": True, **answer}, headers=headers)

    def _auth(self, call: Call) -> Workspace:
        scheme, _, token = call.headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else call.params.get("token", "")
        if not token:
            raise SlackError("not_authed")
        team_id = self.tokens.get(token)
        if team_id is None:
            raise SlackError("invalid_auth")
        call.extra["token"] = token
        return self.workspaces[team_id]

    def _channel_id(self, channel: str, *, strict: bool) -> str:
        name = channel.lstrip("#")
        if channel in self.channels or channel in self.dms.values():
            return channel
        for id, known in self.channels.items():
            if known == name:
                return id
        if channel in self.users:  # a user id: the app's DM with them
            return self._dm([channel])
        if strict and self.channels:
            raise SlackError("channel_not_found")
        return channel

    def _dm(self, users: list[str]) -> str:
        key = frozenset(users)
        if key not in self.dms:
            self.dms[key] = new_id("D")
        return self.dms[key]

    def _user_json(self, user: SlackUser, team: Workspace) -> dict[str, Any]:
        real = user.real_name or user.name
        return {"id": user.id, "team_id": user.team_id or team.team_id, "name": user.name,
                "deleted": False, "real_name": real, "tz": "Europe/Amsterdam",
                "tz_label": "Central European Time", "tz_offset": 3600, "is_admin": False,
                "is_owner": False, "is_bot": user.is_bot, "is_app_user": False,
                "updated": int(time.time()),
                "profile": {"email": user.email, "real_name": real, "display_name": user.name,
                            "real_name_normalized": real, "display_name_normalized": user.name,
                            "image_72": f"{self.url}/avatars/{user.id}.png",
                            "team": user.team_id or team.team_id}}

    def _member(self, user_id: str, team: Workspace) -> SlackUser | None:
        user = self.users.get(user_id)
        return user if user and user.team_id in (None, team.team_id) else None

    def _m_auth_test(self, params: dict, team: Workspace, call: Call) -> dict:
        return {"url": f"https://{team.domain}.slack.com/", "team": team.team_name,
                "user": "labs", "team_id": team.team_id, "user_id": team.bot_user_id,
                "bot_id": team.bot_id, "is_enterprise_install": False}

    def _m_auth_revoke(self, params: dict, team: Workspace, call: Call) -> dict:
        test = params.get("test") in ("true", "1", True)
        if not test:
            self.tokens.pop(call.extra["token"], None)
        return {"revoked": not test}

    def _m_chat_postMessage(self, params: dict, team: Workspace, call: Call) -> dict:
        if not params.get("channel"):
            raise SlackError("channel_not_found")
        channel = self._channel_id(str(params["channel"]), strict=True)
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            try:
                blocks = json.loads(blocks)
            except ValueError:
                raise SlackError("invalid_blocks_format") from None
        text = params.get("text")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        ts = f"{time.time():.6f}"
        message = Message(channel, text, blocks, ts, team.team_id, team.bot_user_id,
                          params.get("thread_ts"), dict(params))
        self.posted.append(message)
        shape = {"type": "message", "subtype": "bot_message", "text": text or "",
                 "ts": ts, "user": team.bot_user_id, "bot_id": team.bot_id,
                 "app_id": team.app_id, "team": team.team_id}
        if blocks:
            shape["blocks"] = blocks
        if message.thread_ts:
            shape["thread_ts"] = message.thread_ts
        return {"channel": channel, "ts": ts, "message": shape}

    def _m_users_lookupByEmail(self, params: dict, team: Workspace, call: Call) -> dict:
        email = str(params.get("email") or "").lower()
        for user in self.users.values():
            if user.email.lower() == email and user.team_id in (None, team.team_id):
                return {"user": self._user_json(user, team)}
        raise SlackError("users_not_found")

    def _m_users_info(self, params: dict, team: Workspace, call: Call) -> dict:
        user = self._member(str(params.get("user") or ""), team)
        if user is None:
            raise SlackError("user_not_found")
        return {"user": self._user_json(user, team)}

    def _m_conversations_open(self, params: dict, team: Workspace, call: Call) -> dict:
        users = params.get("users") or ""
        users = users if isinstance(users, list) else [u for u in str(users).split(",") if u]
        if params.get("channel"):
            return {"channel": {"id": params["channel"]}}
        if not users:
            raise SlackError("users_list_not_supplied")
        for user_id in users:
            if self._member(user_id, team) is None:
                raise SlackError("user_not_found")
        channel_id = self._dm(users)
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _m_oauth_v2_access(self, params: dict, team: None, call: Call) -> dict:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        scheme, _, credentials = call.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            client_id, _, client_secret = base64.b64decode(credentials).decode().partition(":")
        if not client_id:
            raise SlackError("invalid_client_id")
        if self.oauth_apps:
            if client_id not in self.oauth_apps:
                raise SlackError("invalid_client_id")
            if self.oauth_apps[client_id] != client_secret:
                raise SlackError("bad_client_secret")
        grant = self.codes.pop(str(params.get("code") or ""), None)
        if grant is None:
            raise SlackError("invalid_code")
        team_id, user_id, scope = grant
        workspace = self.workspaces[team_id]
        token = f"xoxb-{secrets.randbelow(10**12)}-{secrets.token_hex(12)}"
        self.tokens[token] = team_id
        return {"app_id": workspace.app_id, "authed_user": {"id": user_id} if user_id else {},
                "scope": scope, "token_type": "bot", "access_token": token,
                "bot_user_id": workspace.bot_user_id,
                "team": {"id": workspace.team_id, "name": workspace.team_name},
                "enterprise": None, "is_enterprise_install": False}
