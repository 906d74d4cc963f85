"""A fake Notion at its HTTP boundary: `/v1/users/me` and `/v1/pages/{id}`, as Notion documents
them (https://developers.notion.com/reference):

- every call needs `Authorization: Bearer <integration token>` (else 401 `unauthorized`) and a
  `Notion-Version` header (else 400 `missing_version`), as Notion checks them;
- an integration sees only the pages shared with it: another page, or an unknown id, answers 404
  `object_not_found`; a page id is accepted with or without its dashes;
- a page's title is its property of type "title"; its `cover` and `icon` are files, external
  images or emoji, as given;
- `throttle(n, retry_after)` answers the next n calls 429 `rate_limited` with `Retry-After`;
- a public integration's OAuth: `add_public_bot(workspace)` is the bot a user's grant makes (the
  pages shared with it name its id in `shared_with`), `authorize(client_id, bot, redirect_uri)`
  the user's consent; POST /v1/oauth/token (the app by HTTP Basic, a JSON body of an
  authorization_code or refresh_token grant) answers `{access_token, token_type,
  refresh_token, bot_id, workspace_name, workspace_icon, workspace_id, owner, ...}` with no
  lifetime, each refresh spending its refresh token for a new one; `oauth.lapse()` ends the
  access tokens issued so far (Notion then answers 401); POST /v1/oauth/revoke ends one.

    with FakeNotion() as notion:
        notion.add_integration("secret_x", workspace="Acme")
        page = notion.add_page("Brief", shared_with=("secret_x",),
                               cover="https://images.example/cover.png")
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

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

NOTION_VERSIONS = ("2021-08-16", "2022-02-22", "2022-06-28", "2025-09-03")


@dataclass
class Bot:
    id: str
    name: str
    workspace: str


@dataclass
class Page:
    id: str
    title: str
    last_edited: datetime
    shared_with: set[str] = field(default_factory=set)  # integration tokens
    cover: dict[str, Any] | None = None
    icon: dict[str, Any] | None = None


def _image(url: str | None, *, uploaded: bool) -> dict[str, Any] | None:
    if not url:
        return None
    if uploaded:  # Notion's own files come as expiring signed URLs
        return {"type": "file", "file": {"url": url, "expiry_time": "2099-01-01T00:00:00.000Z"}}
    return {"type": "external", "external": {"url": url}}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:00.000Z")


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"object": "error", "status": status, "code": code, "message": message,
                         "request_id": str(uuid.uuid4())}, status_code=status, headers=headers)


class FakeNotion(FakePlatform):
    def __init__(self) -> None:
        self.bots: dict[str, Bot] = {}  # by token
        self.pages: dict[str, Page] = {}  # by id (UUID form)
        self.requests = CallLog()
        self.throttled = 0
        self._throttle_next = 0
        self._retry_after = 1
        self._clock = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
        self._lock = threading.Lock()
        self.oauth = FakeOAuth(token_lifetime=None, rotate=True, prefix="ntn")
        self.app = Starlette(routes=[
            Route("/v1/users/me", self._me),
            Route("/v1/pages/{id}", self._page),
            Route("/v1/oauth/token", self._token, methods=["POST"]),
            Route("/v1/oauth/revoke", self._revoke, methods=["POST"]),
        ])
        self._server = ServerThread(self.app, name="fake-notion")

    # --- the workspace's data, as its people would change it -----------------------------------

    def _now(self) -> datetime:
        with self._lock:
            self._clock += timedelta(minutes=1)  # Notion keeps edits to the minute
            return self._clock

    def add_integration(self, token: str, *, workspace: str = "Acme",
                        name: str = "Labs") -> Bot:
        bot = Bot(str(uuid.uuid4()), name, workspace)
        self.bots[token] = bot
        return bot

    def add_public_bot(self, *, workspace: str = "Acme", name: str = "Labs") -> Bot:
        return Bot(str(uuid.uuid4()), name, workspace)

    def authorize(self, client_id: str, bot: Bot, redirect_uri: str | None = None) -> str:
        return self.oauth.authorize(client_id, bot, redirect_uri)

    def add_page(self, title: str, *, shared_with: tuple[str, ...] = (),
                 cover: str | None = None, icon: str | None = None,
                 emoji: str | None = None) -> str:
        """A page; `cover` and `icon` uploaded image URLs, `emoji` an emoji icon instead."""
        page = Page(str(uuid.uuid4()), title, self._now(), set(shared_with),
                    cover=_image(cover, uploaded=True),
                    icon={"type": "emoji", "emoji": emoji} if emoji else
                    _image(icon, uploaded=False))
        self.pages[page.id] = page
        return page.id

    def edit_page(self, page_id: str, *, title: str | None = None) -> None:
        page = self.pages[page_id]
        page.title = title or page.title
        page.last_edited = self._now()

    def url_of(self, page_id: str, workspace: str = "acme") -> str:
        """The page's URL as Notion's "Copy link" gives it."""
        page = self.pages[page_id]
        slug = "-".join(page.title.split()) or "Untitled"
        return f"https://www.notion.so/{workspace}/{slug}-{page_id.replace('-', '')}"

    def throttle(self, calls: int, retry_after: int = 1) -> None:
        self._throttle_next, self._retry_after = calls, retry_after

    def calls(self, path: str) -> list[Call]:
        return self.requests.calls("GET", path)

    # --- HTTP ------------------------------------------------------------------------------------

    def _bot(self, token: str) -> tuple[Bot, str] | None:
        """The bot a token acts as, with what pages name when shared with it: an internal
        integration's token, a public integration's bot id."""
        if token in self.bots:
            return self.bots[token], token
        bot = self.oauth.subject_of(token)
        return (bot, bot.id) if bot is not None else None

    def _caller(self, request: Request
                ) -> tuple[tuple[Bot, str] | None, JSONResponse | None]:
        self.requests.append(Call(request.method, request.url.path, dict(request.query_params),
                                  dict(request.headers)))
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                return None, _error(429, "rate_limited", "You have been rate limited. Please "
                                    "try again in a few minutes.",
                                    **{"Retry-After": str(self._retry_after)})
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = self._bot(token) if scheme.lower() == "bearer" else None
        if found is None:
            return None, _error(401, "unauthorized", "API token is invalid.")
        version = request.headers.get("notion-version")
        if not version:
            return None, _error(400, "missing_version", "Notion-Version header failed "
                                "validation: Notion-Version header should be defined, instead "
                                "was `undefined`.")
        if version not in NOTION_VERSIONS:
            return None, _error(400, "validation_error",
                                f"Notion-Version {version} is not a version of the API.")
        return found, None

    async def _me(self, request: Request) -> JSONResponse:
        found, refused = self._caller(request)
        if refused:
            return refused
        bot, _key = found
        return JSONResponse({"object": "user", "id": bot.id, "name": bot.name,
                             "avatar_url": None, "type": "bot",
                             "bot": {"owner": {"type": "workspace", "workspace": True},
                                     "workspace_name": bot.workspace}})

    async def _page(self, request: Request) -> JSONResponse:
        found, refused = self._caller(request)
        if refused:
            return refused
        bot, key = found
        given = request.path_params["id"]
        try:
            page_id = str(uuid.UUID(given.replace("-", "")))
        except ValueError:
            return _error(400, "validation_error", f"path failed validation: path.page_id "
                          f"should be a valid uuid, instead was `\"{given}\"`.")
        page = self.pages.get(page_id)
        if page is None or key not in page.shared_with:
            return _error(404, "object_not_found", f"Could not find page with ID: {page_id}. "
                          "Make sure the relevant pages and databases are shared with your "
                          "integration.")
        text = {"type": "text", "text": {"content": page.title, "link": None},
                "annotations": {"bold": False, "italic": False, "strikethrough": False,
                                "underline": False, "code": False, "color": "default"},
                "plain_text": page.title, "href": None}
        stamp = _stamp(page.last_edited)
        return JSONResponse({
            "object": "page", "id": page.id, "created_time": stamp, "last_edited_time": stamp,
            "created_by": {"object": "user", "id": bot.id},
            "last_edited_by": {"object": "user", "id": bot.id},
            "cover": page.cover, "icon": page.icon,
            "parent": {"type": "workspace", "workspace": True},
            "archived": False, "in_trash": False,
            "properties": {"title": {"id": "title", "type": "title", "title": [text]}},
            "url": f"https://www.notion.so/{page.id.replace('-', '')}", "public_url": None})

    async def _oauth_call(self, request: Request) -> tuple[tuple[str, str], dict[str, Any]]:
        """The app (HTTP Basic) and the JSON body of an OAuth request."""
        body = await token_request(request, self.requests)
        return basic_client(request.headers.get("authorization", "")) or ("", ""), body

    async def _token(self, request: Request) -> JSONResponse:
        client, body = await self._oauth_call(request)
        try:
            bot, tokens = self.oauth.grant(body, *client)
        except OAuthRefused as refused:
            return JSONResponse({"error": refused.error, "error_description":
                                 "Token has been expired or revoked."},
                                status_code=refused.status)
        return JSONResponse({**tokens, "bot_id": bot.id, "workspace_name": bot.workspace,
                             "workspace_icon": None, "workspace_id": f"ws-{bot.workspace}",
                             "owner": {"type": "user", "user": {"object": "user",
                                                                "id": str(uuid.uuid4())}},
                             "duplicated_template_id": None,
                             "request_id": str(uuid.uuid4())})

    async def _revoke(self, request: Request) -> JSONResponse:
        client, body = await self._oauth_call(request)
        try:
            self.oauth.check_client(*client)
        except OAuthRefused as refused:
            return JSONResponse({"error": refused.error}, status_code=refused.status)
        if not self.oauth.revoke(str(body.get("token") or "")):
            return _error(400, "validation_error", "The token is not one of this app's.")
        return JSONResponse({"request_id": str(uuid.uuid4())})
