"""A fake Figma at its HTTP boundary: the REST API's `/v1/me` and `/v1/files/{key}`, and the
webhooks API v2 (`POST /v2/webhooks`, `GET /v2/teams/{team_id}/webhooks`, `DELETE
/v2/webhooks/{id}`), as Figma documents them (https://www.figma.com/developers/api):

- every call needs a personal access token in `X-Figma-Token`, or an OAuth token as
  `Authorization: Bearer`; anything else answers 403 `{"status": 403, "err": "Invalid token"}`,
  as Figma does (it answers 403, not 401, for a token it does not know);
- a file is seen by the users of its team only (404 `Not found` otherwise, as Figma hides what
  a token may not see); `depth=1` answers the document's pages without their contents;
- a webhook belongs to a team whose member created it; its creation sends the endpoint a PING;
- `update_file` and `comment` make the changes Figma's people would, and POST FILE_UPDATE and
  FILE_COMMENT (with each webhook's passcode) to the endpoints of the file's team's webhooks,
  blocking, recorded in `deliveries`; `redeliver` sends one again as Figma's retries do
  (`retries` counted up, all else the same); `deliver` posts any payload (a forged one);
- `throttle(n, retry_after)` answers the next n calls 429 with `Retry-After`, as Figma's rate
  limit does;
- OAuth 2: `authorize(client_id, user, redirect_uri)` is the user's consent on
  www.figma.com/oauth; POST /v1/oauth/token (the app by HTTP Basic, a form of redirect_uri,
  code and grant_type=authorization_code) answers `{user_id, user_id_string, access_token,
  refresh_token, expires_in}`; POST /v1/oauth/refresh (HTTP Basic, refresh_token) answers
  `{access_token, expires_in}`, the refresh token staying good; access tokens last
  `oauth.token_lifetime` (90 days) and a refused grant is 400 `{"error": true, "status": 400,
  "message": ...}`.

    with FakeFigma() as figma:
        figma.add_token("figd_x", "ana", teams=("1234",))
        key = figma.add_file("1234", "Website", thumbnail_url="https://...")
        figma.update_file(key, name="Website v2")
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labs_common.testing.fake_oauth import (
    FakeOAuth,
    OAuthRefused,
    basic_client,
    token_request,
)
from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread

EVENT_TYPES = ("PING", "FILE_UPDATE", "FILE_VERSION_UPDATE", "FILE_DELETE", "LIBRARY_PUBLISH",
               "FILE_COMMENT", "DEV_MODE_STATUS_UPDATE")
_ids = itertools.count(1001)


@dataclass
class User:
    id: str
    handle: str
    email: str
    teams: set[str]


@dataclass
class Delivery:
    webhook_id: str
    url: str
    payload: dict[str, Any]
    status: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class File:
    key: str
    team_id: str
    name: str
    thumbnail_url: str
    last_modified: datetime
    version: int = 1
    pages: list[str] = field(default_factory=lambda: ["Page 1"])


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, err: str, **headers: str) -> JSONResponse:
    return JSONResponse({"status": status, "err": err}, status_code=status, headers=headers)


class FakeFigma(FakePlatform):
    def __init__(self) -> None:
        self.tokens: dict[str, User] = {}  # personal access tokens
        self.oauth_tokens: dict[str, User] = {}
        self.files: dict[str, File] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.deliveries: list[Delivery] = []
        self.requests = CallLog()
        self.throttled = 0
        self._throttle_next = 0
        self._retry_after = 1
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        self._lock = threading.Lock()
        self.oauth = FakeOAuth(token_lifetime=90 * 24 * 3600, prefix="figu")
        self.app = Starlette(routes=[
            Route("/v1/oauth/token", self._token, methods=["POST"]),
            Route("/v1/oauth/refresh", self._token, methods=["POST"]),
            Route("/v1/me", self._me),
            Route("/v1/files/{key}", self._file),
            Route("/v2/webhooks", self._create_webhook, methods=["POST"]),
            Route("/v2/webhooks/{id}", self._webhook, methods=["GET", "DELETE"]),
            Route("/v2/teams/{team_id}/webhooks", self._team_webhooks),
        ])
        self._server = ServerThread(self.app, name="fake-figma")

    # --- the teams' data, as their people would change it --------------------------------------

    def _now(self) -> datetime:
        with self._lock:
            self._clock += timedelta(seconds=1)
            return self._clock

    def add_user(self, handle: str, *, teams: tuple[str, ...] = ()) -> User:
        return User(str(next(_ids)), handle, f"{handle}@example.com", set(teams))

    def add_token(self, token: str, handle: str, *, teams: tuple[str, ...] = (),
                  oauth: bool = False) -> User:
        user = self.add_user(handle, teams=teams)
        (self.oauth_tokens if oauth else self.tokens)[token] = user
        return user

    def add_file(self, team_id: str, name: str, *, thumbnail_url: str = "") -> str:
        key = secrets.token_urlsafe(16).replace("-", "a").replace("_", "b")[:22]
        self.files[key] = File(key, team_id, name, thumbnail_url or
                               f"https://s3-alpha.figma.example/thumbnails/{key}.png",
                               self._now())
        return key

    def update_file(self, key: str, *, name: str | None = None, notify: bool = True
                    ) -> list[Delivery]:
        """A save of the file (renamed when `name` is given): FILE_UPDATE to its team's
        webhooks."""
        file = self.files[key]
        file.name = name or file.name
        file.version += 1
        file.last_modified = self._now()
        if not notify:
            return []
        return self._notify(file, "FILE_UPDATE", {"file_name": file.name})

    def comment(self, key: str, text: str, *, handle: str = "dana",
                mention: User | None = None) -> list[Delivery]:
        """A comment on the file (`mention` after the text): FILE_COMMENT to its team's
        webhooks."""
        file = self.files[key]
        fragments: list[dict[str, Any]] = [{"text": text}]
        mentions = []
        if mention is not None:
            fragments.append({"mention": mention.id})
            mentions.append({"id": mention.id, "handle": mention.handle})
        moment = _stamp(self._now())
        return self._notify(file, "FILE_COMMENT", {
            "file_name": file.name, "comment": fragments, "mentions": mentions,
            "comment_id": str(next(_ids)), "created_at": moment, "order_id": "1",
            "parent_id": "", "resolved_at": "",
            "triggered_by": {"id": str(next(_ids)), "handle": handle}}, moment=moment)

    def throttle(self, calls: int, retry_after: int = 1) -> None:
        self._throttle_next, self._retry_after = calls, retry_after

    def calls(self, method: str, path: str) -> list[Call]:
        return self.requests.calls(method, path)

    # --- webhooks, sent ------------------------------------------------------------------------

    def _notify(self, file: File, event_type: str, extra: dict[str, Any], *,
                moment: str | None = None) -> list[Delivery]:
        sent = []
        for hook in list(self.webhooks.values()):
            if hook["team_id"] == file.team_id and hook["event_type"] == event_type \
                    and hook["status"] == "ACTIVE":
                payload = {"event_type": event_type, "file_key": file.key, **extra,
                           "passcode": hook["passcode"], "protocol_version": "2",
                           "retries": 0, "timestamp": moment or _stamp(file.last_modified),
                           "webhook_id": hook["id"]}
                sent.append(self.deliver(payload, hook["endpoint"], webhook_id=hook["id"]))
        return sent

    def deliver(self, payload: dict[str, Any], url: str, *, webhook_id: str = "") -> Delivery:
        """POST `payload` to `url` as Figma does, now, blocking; recorded in `deliveries`."""
        delivery = Delivery(webhook_id or str(payload.get("webhook_id") or ""), url, payload)
        try:
            with httpx.Client(timeout=10.0) as client:
                delivery.status = client.post(url, json=payload).status_code
        except httpx.HTTPError as error:
            delivery.error = repr(error)
        self.deliveries.append(delivery)
        return delivery

    def redeliver(self, delivery: Delivery) -> Delivery:
        """The same delivery again, as Figma's retry sends it (`retries` one more)."""
        payload = {**delivery.payload, "retries": int(delivery.payload.get("retries", 0)) + 1}
        return self.deliver(payload, delivery.url, webhook_id=delivery.webhook_id)

    # --- HTTP ------------------------------------------------------------------------------------

    async def _caller(self, request: Request) -> tuple[User | None, JSONResponse | None]:
        body = await request.body()
        self.requests.append(Call(request.method, request.url.path, dict(request.query_params),
                                  dict(request.headers), body=body))
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                return None, _error(429, "Rate limit exceeded",
                                    **{"Retry-After": str(self._retry_after)})
        personal = request.headers.get("x-figma-token", "")
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        user = self.tokens.get(personal) if personal else \
            (self.oauth_tokens.get(bearer) or self.oauth.subject_of(bearer)) \
            if scheme.lower() == "bearer" else None
        if user is None:
            return None, _error(403, "Invalid token")
        return user, None

    async def _token(self, request: Request) -> JSONResponse:
        """The code grant (/v1/oauth/token) and the refresh (/v1/oauth/refresh)."""
        form = await token_request(request, self.requests)
        client = basic_client(request.headers.get("authorization", "")) or ("", "")
        try:
            if request.url.path.endswith("/refresh"):  # no grant_type needed there
                self.oauth.check_client(*client)
                user, tokens = self.oauth.refresh(client[0], form.get("refresh_token", ""))
            else:
                user, tokens = self.oauth.grant(form, *client)
        except OAuthRefused as refused:
            return JSONResponse({"error": True, "status": refused.status,
                                 "message": refused.error}, status_code=refused.status)
        del tokens["token_type"]
        if "refresh_token" in tokens:  # the code grant: whose tokens they are
            tokens = {"user_id": int(user.id), "user_id_string": user.id, **tokens}
        return JSONResponse(tokens)

    async def _me(self, request: Request) -> JSONResponse:
        user, refused = await self._caller(request)
        if refused:
            return refused
        return JSONResponse({"id": user.id, "email": user.email, "handle": user.handle,
                             "img_url": f"https://s3-alpha.figma.example/{user.id}.png"})

    async def _file(self, request: Request) -> JSONResponse:
        user, refused = await self._caller(request)
        if refused:
            return refused
        file = self.files.get(request.path_params["key"])
        if file is None or file.team_id not in user.teams:
            return _error(404, "Not found")
        shallow = request.query_params.get("depth") == "1"
        pages = [{"id": f"0:{n + 1}", "name": page, "type": "CANVAS",
                  **({} if shallow else {"children": []})}
                 for n, page in enumerate(file.pages)]
        return JSONResponse({
            "name": file.name, "role": "editor", "lastModified": _stamp(file.last_modified),
            "editorType": "figma", "thumbnailUrl": file.thumbnail_url,
            "version": str(file.version), "linkAccess": "inherit",
            "document": {"id": "0:0", "name": "Document", "type": "DOCUMENT",
                         "children": pages},
            "components": {}, "componentSets": {}, "schemaVersion": 0, "styles": {}})

    async def _create_webhook(self, request: Request) -> JSONResponse:
        user, refused = await self._caller(request)
        if refused:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Invalid JSON")
        if not isinstance(body, dict):
            return _error(400, "Invalid JSON")
        missing = [k for k in ("event_type", "team_id", "endpoint", "passcode") if not body.get(k)]
        if missing:
            return _error(400, f"Missing {', '.join(missing)}")
        if body["event_type"] not in EVENT_TYPES:
            return _error(400, f"Invalid event_type {body['event_type']}")
        if str(body["team_id"]) not in user.teams:
            return _error(403, "You don't have permission to create webhooks for this team")
        hook = {"id": str(next(_ids)), "event_type": body["event_type"],
                "team_id": str(body["team_id"]), "status": body.get("status") or "ACTIVE",
                "client_id": None, "passcode": body["passcode"], "endpoint": body["endpoint"],
                "description": body.get("description") or "", "protocol_version": "2"}
        self.webhooks[hook["id"]] = hook
        # Figma PINGs a new webhook's endpoint, after answering its creation.
        threading.Thread(target=self.deliver, daemon=True, args=({
            "event_type": "PING", "passcode": hook["passcode"], "protocol_version": "2",
            "retries": 0, "timestamp": _stamp(self._now()), "webhook_id": hook["id"]},
            hook["endpoint"]), kwargs={"webhook_id": hook["id"]}).start()
        return JSONResponse(hook)

    async def _webhook(self, request: Request) -> JSONResponse:
        user, refused = await self._caller(request)
        if refused:
            return refused
        hook = self.webhooks.get(request.path_params["id"])
        if hook is None or hook["team_id"] not in user.teams:
            return _error(404, "Not found")
        if request.method == "DELETE":
            del self.webhooks[hook["id"]]
        return JSONResponse(hook)

    async def _team_webhooks(self, request: Request) -> JSONResponse:
        user, refused = await self._caller(request)
        if refused:
            return refused
        team = request.path_params["team_id"]
        if team not in user.teams:
            return _error(403, "You don't have permission to view this team's webhooks")
        return JSONResponse({"webhooks": [h for h in self.webhooks.values()
                                          if h["team_id"] == team]})
