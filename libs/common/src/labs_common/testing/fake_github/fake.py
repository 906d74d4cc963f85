"""FakeGitHub: users, tokens, repositories, issues and comments in memory, the REST API on a local
server (see api.py), webhooks signed as GitHub signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette

from labs_common.testing import github_webhooks
from labs_common.testing.fake_github.api import routes
from labs_common.testing.fake_github.model import (
    Comment,
    Issue,
    Repo,
    Shapes,
    User,
    now,
)
from labs_common.testing.fake_server import Call, CallLog, ServerThread, poll, wait_until

HOOKSHOT = "GitHub-Hookshot/fake"


def sign(body: bytes | str, secret: str) -> str:
    """The `X-Hub-Signature-256` value for `body`: sha256=<hex HMAC-SHA256(secret, body)>."""
    raw = body.encode() if isinstance(body, str) else body
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One webhook POST (a redelivery keeps the `id`, X-GitHub-Delivery, and sets `redelivery`)."""

    id: str
    event: str
    action: str | None
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None  # None: the receiver could not be reached
    error: str = ""
    redelivery: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (login, scope)


class FakeGitHub:
    """GitHub's REST API v3 (the subset Labs uses) at `url`, PyGithub pointed at it with
    `Github(base_url=fake.url, auth=Auth.Token(token), retry=None)`; its OAuth endpoints
    (`/login/oauth/authorize`, `/login/oauth/access_token`) are on the same server, where
    PyGithub's ApplicationOAuth looks for them when base_url is not api.github.com."""

    def __init__(self, *, webhook_url: str | None = None,
                 webhook_secret: str = "github-webhook-secret") -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.down = False  # every API request answers 503 while True
        self.emit_webhooks = True  # API changes send their `issues`/`issue_comment` webhooks
        self.requests = CallLog()
        self.deliveries: list[Delivery] = []
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}  # token → login
        self.token_scopes: dict[str, str] = {}
        self.repos: dict[str, Repo] = {}
        self.issues: dict[str, dict[int, Issue]] = {}  # repo full name → number → issue
        self.oauth_apps: dict[str, OAuthApp] = {}
        self.oauth_user: str | None = None  # who approves GET /login/oauth/authorize
        self._lock = threading.RLock()
        self._outbox: queue.Queue[tuple[str, dict] | None] = queue.Queue()
        self._pending = 0
        self._delivery_thread: threading.Thread | None = None
        self.app = Starlette(routes=routes(self))
        self._http = ServerThread(self.app, name="fake-github")

    # lifecycle

    @property
    def url(self) -> str:
        return self._http.url

    @property
    def shapes(self) -> Shapes:
        return Shapes(self.url, self.users, self.repos)

    def start(self) -> FakeGitHub:
        self._delivery_thread = threading.Thread(target=self._deliver_forever,
                                                 name="fake-github-webhooks", daemon=True)
        self._delivery_thread.start()
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()
        if self._delivery_thread is not None:
            self._outbox.put(None)
            self._delivery_thread.join(timeout=10)
            self._delivery_thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # test controls: accounts and repositories

    def add_user(self, login: str, email: str | None = None, name: str | None = None) -> User:
        with self._lock:
            user = self.users.get(login)
            if user is None:
                user = self.users[login] = User(login, email, name)
            elif email is not None:
                user.email = email
            return user

    def add_token(self, token: str, login: str, email: str | None = None,
                  scopes: str = "repo,read:user,user:email") -> User:
        """`token` authenticates as `login` (made a user if new)."""
        with self._lock:
            user = self.add_user(login, email)
            self.tokens[token] = login
            self.token_scopes[token] = scopes
            return user

    def add_repo(self, owner: str, name: str, *, private: bool = False,
                 description: str | None = None) -> Repo:
        with self._lock:
            self.add_user(owner)
            full = f"{owner}/{name}"
            if full not in self.repos:
                self.repos[full] = Repo(owner, name, private, description)
                self.issues[full] = {}
            return self.repos[full]

    def add_oauth_app(self, client_id: str, client_secret: str) -> OAuthApp:
        with self._lock:
            app = self.oauth_apps[client_id] = OAuthApp(client_id, client_secret)
            return app

    def authorize(self, client_id: str, login: str, scope: str = "repo") -> str:
        """A one-time OAuth code (as GitHub's consent page would redirect with) that
        POST /login/oauth/access_token exchanges for a new token of `login`."""
        with self._lock:
            self.add_user(login)
            code = secrets.token_hex(10)
            self.oauth_apps[client_id].codes[code] = (login, scope)
            return code

    def calls(self, method: str, path: str) -> list[Call]:
        """The logged API requests to `path` (exact) with `method`."""
        return self.requests.calls(method, path)

    # test controls: issues as a GitHub user would change them (no webhook unless `notify`)

    def create_issue(self, repo: str, title: str, body: str | None = None, *,
                     user: str | None = None, assignees: list[str] | None = None,
                     labels: list[str] | None = None, pull_request: bool = False,
                     created_at: datetime | None = None, updated_at: datetime | None = None,
                     notify: bool = False) -> dict[str, Any]:
        """A new issue (or pull request, listed among the issues as GitHub lists them) in
        `repo` ("owner/name"), by `user` (the repo's owner by default); its REST JSON."""
        with self._lock:
            issue = self._create(repo, title, body, user or self._repo(repo).owner,
                                 assignees or [], labels or [], pull_request,
                                 created_at or now())
            if updated_at is not None:
                issue.updated_at = updated_at
            if notify:
                self._notify_issue("opened", issue, issue.user)
            return self.shapes.issue(issue, detail=True)

    def update_issue(self, repo: str, number: int, *, user: str | None = None,
                     at: datetime | None = None, notify: bool = False,
                     **changes: Any) -> dict[str, Any]:
        """`changes` (title, body, state, state_reason, assignees, labels) applied to the issue as
        `user` would, without a webhook unless `notify` (a missed delivery, by default)."""
        with self._lock:
            issue = self.issue(repo, number)
            actor = user or self._repo(repo).owner
            events = self._update(issue, changes, actor, at or now())
            if notify:
                for action, extra in events:
                    self._notify_issue(action, issue, actor, **extra)
            return self.shapes.issue(issue, detail=True)

    def add_comment(self, repo: str, number: int, body: str, *, user: str | None = None,
                    at: datetime | None = None, notify: bool = False) -> dict[str, Any]:
        with self._lock:
            issue = self.issue(repo, number)
            comment = self._comment(issue, body, user or self._repo(repo).owner, at or now())
            if notify:
                self._notify_comment(issue, comment)
            return self.shapes.comment(comment)

    def issue(self, repo: str, number: int) -> Issue:
        """The stored issue (a live object: read it, change it through update_issue)."""
        issue = self.issues.get(repo, {}).get(number)
        if issue is None:
            raise KeyError(f"no issue {repo}#{number}")
        return issue

    # webhooks

    def deliver(self, event: str, payload: dict[str, Any], *, url: str | None = None,
                secret: str | None = None) -> httpx.Response:
        """POST `payload` to `webhook_url` (or `url`) as GitHub does, now, blocking; recorded in
        `deliveries` (`secret` signs instead of webhook_secret: a forged delivery)."""
        delivery = self._delivery(event, payload, url, secret)
        with httpx.Client(timeout=10.0) as client:
            return self._post(client, delivery)

    async def adeliver(self, event: str, payload: dict[str, Any], *, url: str | None = None,
                       secret: str | None = None) -> httpx.Response:
        """deliver(), awaited (for a receiver served on the caller's own event loop)."""
        delivery = self._delivery(event, payload, url, secret)
        async with httpx.AsyncClient(timeout=10.0) as client:
            try:
                response = await client.post(delivery.url, content=delivery.body,
                                             headers=delivery.headers)
            except httpx.HTTPError as error:
                delivery.error = repr(error)
                self.deliveries.append(delivery)
                raise
            delivery.status = response.status_code
            self.deliveries.append(delivery)
            return response

    def redeliver(self, delivery: Delivery | str) -> httpx.Response:
        """The same delivery (same X-GitHub-Delivery id and body) sent again."""
        if isinstance(delivery, str):
            delivery = next(d for d in self.deliveries if d.id == delivery)
        again = Delivery(delivery.id, delivery.event, delivery.action, delivery.url,
                         delivery.body, dict(delivery.headers), redelivery=True)
        with httpx.Client(timeout=10.0) as client:
            return self._post(client, again)

    def signed(self, body: bytes | str, secret: str | None = None) -> str:
        return sign(body, self.webhook_secret if secret is None else secret)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait (blocking) until the webhooks API changes queued have been sent."""
        wait_until(lambda: self._pending == 0, timeout, "webhooks still pending")

    async def wait_delivered(self, event: str, action: str | None = None,
                             timeout: float = 10.0) -> Delivery:
        """The first successful delivery of `event` (with `action`, if given), awaited."""
        return await poll(lambda: next(
            (d for d in list(self.deliveries) if d.event == event and d.ok
             and action in (None, d.action)), None), timeout,
            f"no successful delivery of {event}/{action}")

    def payload(self, event: str, action: str | None, **parts: Any) -> dict[str, Any]:
        return github_webhooks.event_payload(event, action, **parts)

    def _delivery(self, event: str, payload: dict, url: str | None,
                  secret: str | None) -> Delivery:
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("FakeGitHub.webhook_url is not set")
        body = json.dumps(payload).encode()
        delivery_id = str(uuid.uuid4())
        headers = {
            "Accept": "*/*", "Content-Type": "application/json", "User-Agent": HOOKSHOT,
            "X-GitHub-Event": event, "X-GitHub-Delivery": delivery_id,
            "X-GitHub-Hook-ID": "1", "X-GitHub-Hook-Installation-Target-Type": "repository",
            "X-Hub-Signature-256": self.signed(body, secret),
        }
        return Delivery(delivery_id, event, payload.get("action"), target, body, headers)

    def _post(self, client: httpx.Client, delivery: Delivery) -> httpx.Response:
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
        except httpx.HTTPError as error:
            delivery.error = repr(error)
            self.deliveries.append(delivery)
            raise
        delivery.status = response.status_code
        self.deliveries.append(delivery)
        return response

    def _queue(self, event: str, payload: dict) -> None:
        if self.webhook_url and self.emit_webhooks:
            with self._lock:
                self._pending += 1
            self._outbox.put((event, payload))

    def _deliver_forever(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while (item := self._outbox.get()) is not None:
                try:
                    if self.webhook_url:
                        self._post(client, self._delivery(*item, None, None))
                except httpx.HTTPError:
                    pass  # recorded in deliveries; GitHub does not retry on its own
                finally:
                    with self._lock:
                        self._pending -= 1

    def _notify_issue(self, action: str, issue: Issue, actor: str, **extra: Any) -> None:
        shapes = self.shapes
        payload = github_webhooks.issues_payload(
            action, issue=shapes.issue(issue), repository=self._repo_json(issue.repo),
            sender=shapes.user(actor), **extra)
        self._queue("issues", payload)

    def _notify_comment(self, issue: Issue, comment: Comment) -> None:
        shapes = self.shapes
        payload = github_webhooks.issue_comment_payload(
            "created", comment=shapes.comment(comment), issue=shapes.issue(issue),
            repository=self._repo_json(issue.repo), sender=shapes.user(comment.user))
        self._queue("issue_comment", payload)

    # the store (callers hold the lock)

    def _repo(self, full_name: str) -> Repo:
        repo = self.repos.get(full_name)
        if repo is None:
            raise KeyError(f"no repository {full_name}")
        return repo

    def _repo_json(self, full_name: str) -> dict[str, Any]:
        shape = self.shapes.repo(self._repo(full_name))
        count = sum(1 for i in self.issues[full_name].values() if i.state == "open")
        shape.update(open_issues_count=count, open_issues=count)
        return shape

    def _create(self, repo: str, title: str, body: str | None, user: str,
                assignees: list[str], labels: list[str], pull_request: bool,
                at: datetime) -> Issue:
        issues = self.issues[self._repo(repo).full_name]
        number = max(issues, default=0) + 1
        issue = Issue(repo, number, title, user, body, assignees=list(assignees),
                      labels=list(labels), pull_request=pull_request, created_at=at)
        issues[number] = issue
        return issue

    def _update(self, issue: Issue, changes: dict[str, Any], actor: str,
                at: datetime) -> list[tuple[str, dict]]:
        """Applies `changes`; the webhook actions they make, in GitHub's order."""
        events: list[tuple[str, dict]] = []
        edited: dict[str, dict] = {}
        for key in ("title", "body"):
            if key in changes and changes[key] != getattr(issue, key):
                edited[key] = {"from": getattr(issue, key)}
                setattr(issue, key, changes[key])
        if edited:
            events.append(("edited", {"changes": edited}))
        if "labels" in changes:
            issue.labels = [str(label) for label in changes["labels"] or []]
        if "assignees" in changes or "assignee" in changes:
            wanted = (changes["assignees"] if "assignees" in changes
                      else [changes["assignee"]] if changes["assignee"] else []) or []
            before = list(issue.assignees)
            issue.assignees = list(dict.fromkeys(wanted))
            shapes = self.shapes
            for login in before:
                if login not in issue.assignees:
                    events.append(("unassigned", {"assignee": shapes.user(login)}))
            for login in issue.assignees:
                if login not in before:
                    events.append(("assigned", {"assignee": shapes.user(login)}))
        state = changes.get("state")
        if "state_reason" in changes and state in (None, "closed") and issue.state == "closed":
            issue.state_reason = changes["state_reason"]
        if state == "closed" and issue.state != "closed":
            issue.state, issue.closed_at, issue.closed_by = "closed", at, actor
            issue.state_reason = changes.get("state_reason") or "completed"
            events.append(("closed", {}))
        elif state == "open" and issue.state != "open":
            issue.state, issue.closed_at = "open", None
            issue.state_reason = changes.get("state_reason") or "reopened"
            events.append(("reopened", {}))
        if events or "labels" in changes:
            issue.updated_at = at
        return events

    def _comment(self, issue: Issue, body: str, user: str, at: datetime) -> Comment:
        comment = Comment(issue.repo, issue.number, user, body, created_at=at)
        issue.comments.append(comment)
        issue.updated_at = at
        return comment

    def _issue_webhooks(self, events: list[tuple[str, dict]], issue: Issue, actor: str) -> None:
        for action, extra in events:
            self._notify_issue(action, issue, actor, **extra)