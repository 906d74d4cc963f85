"""PyGithub against FakeGitHub (labs_common.testing.fake_github), and its webhooks as a receiver
sees them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import github
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from labs_common.testing.fake_github import FakeGitHub, example
from labs_common.testing.fake_server import ServerThread

TOKEN = "ghp_alice_token"
SECRET = "whsec-github-test"


class Receiver:
    """A webhook endpoint that keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.status = 200
        self.server = ServerThread(Starlette(routes=[
            Route("/hooks/github", self.hook, methods=["POST"])]), name="receiver")

    async def hook(self, request: Request) -> PlainTextResponse:
        with self.lock:
            self.received.append((dict(request.headers), await request.body()))
        return PlainTextResponse("ok", self.status)

    @property
    def url(self) -> str:
        return self.server.url + "/hooks/github"

    def events(self, event: str) -> list[dict]:
        return [json.loads(body) for headers, body in list(self.received)
                if headers["x-github-event"] == event]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.server.start()
    yield receiver
    receiver.server.stop()


@pytest.fixture
def fake(receiver: Receiver) -> Iterator[FakeGitHub]:
    with FakeGitHub(webhook_url=receiver.url, webhook_secret=SECRET) as fake:
        fake.add_token(TOKEN, "alice", email="alice@acme.test")
        fake.add_user("bob", email="bob@acme.test")
        fake.add_repo("acme", "site")
        yield fake


def client(fake: FakeGitHub, token: str = TOKEN, per_page: int = 30) -> github.Github:
    return github.Github(base_url=fake.url, auth=github.Auth.Token(token), retry=None,
                         per_page=per_page, seconds_between_requests=None,
                         seconds_between_writes=None)


def verify(headers: dict[str, str], body: bytes) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-hub-signature-256"])


def test_user_and_repo(fake: FakeGitHub) -> None:
    gh = client(fake)
    me = gh.get_user()
    assert (me.login, me.email) == ("alice", "alice@acme.test")
    repo = gh.get_repo("acme/site")
    assert (repo.full_name, repo.owner.login, repo.name) == ("acme/site", "acme", "site")
    assert repo.html_url == f"{fake.url}/acme/site"
    assert fake.calls("GET", "/repos/acme/site")[0].headers["authorization"] == f"token {TOKEN}"


def test_bad_token_is_bad_credentials(fake: FakeGitHub) -> None:
    with pytest.raises(github.BadCredentialsException) as raised:
        client(fake, "ghp_nobody").get_user().login  # noqa: B018
    assert raised.value.status == 401
    assert raised.value.data["message"] == "Bad credentials"


def test_down_is_503(fake: FakeGitHub) -> None:
    fake.down = True
    with pytest.raises(github.GithubException) as raised:
        client(fake).get_repo("acme/site")
    assert raised.value.status == 503


def test_issues_since_in_three_pages(fake: FakeGitHub) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(6):  # 1 old, 5 since the cut (and a pull request: 6 in 3 pages of 2)
        at = start + timedelta(days=n)
        fake.create_issue("acme/site", f"issue {n}", created_at=at, updated_at=at)
    fake.create_issue("acme/site", "a pull request", pull_request=True,
                      created_at=start + timedelta(days=3))
    cut = start + timedelta(days=1)
    issues = client(fake, per_page=2).get_repo("acme/site").get_issues(
        state="all", since=cut, sort="updated", direction="asc")
    listed = list(issues)
    assert [i.title for i in listed] == ["issue 1", "issue 2", "issue 3", "a pull request",
                                         "issue 4", "issue 5"]
    titles = [i.title for i in listed if i.pull_request is None]
    assert titles == [f"issue {n}" for n in range(1, 6)]
    pages = fake.calls("GET", "/repos/acme/site/issues")
    assert len(pages) == 3
    assert [p.params.get("page", "1") for p in pages] == ["1", "2", "3"]
    assert pages[0].params["since"].startswith("2026-01-02T00:00:00")
    first = httpx.get(f"{fake.url}/repos/acme/site/issues",
                      params={"state": "all", "per_page": 3},
                      headers={"Authorization": f"token {TOKEN}"})
    assert 'rel="next"' in first.headers["link"] and 'rel="last"' in first.headers["link"]
    assert "page=3" in first.headers["link"]


def test_pull_requests_keep_their_key(fake: FakeGitHub) -> None:
    fake.create_issue("acme/site", "plain")
    fake.create_issue("acme/site", "a PR", pull_request=True)
    listed = list(client(fake).get_repo("acme/site").get_issues())
    by_title = {i.title: i for i in listed}
    assert by_title["plain"].pull_request is None
    assert by_title["a PR"].pull_request is not None


async def test_create_edit_and_comment_echo_webhooks(fake: FakeGitHub,
                                                     receiver: Receiver) -> None:
    repo = client(fake).get_repo("acme/site")
    issue = repo.create_issue("Broken footer", body="It overlaps")
    assert (issue.number, issue.user.login, issue.state) == (1, "alice", "open")
    issue.edit(title="Broken footer on mobile", assignees=["bob"])
    issue.edit(state="closed", state_reason="not_planned")
    again = repo.get_issue(1)
    assert (again.title, again.state, again.state_reason) == (
        "Broken footer on mobile", "closed", "not_planned")
    assert [a.login for a in again.assignees] == ["bob"] and again.closed_at is not None
    comment = again.create_comment("Won't fix")
    assert comment.user.login == "alice"
    assert [c.body for c in again.get_comments()] == ["Won't fix"]
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert [c.body for c in repo.get_issues_comments(since=since)] == ["Won't fix"]

    fake.flush()
    actions = [e["action"] for e in receiver.events("issues")]
    assert actions == ["opened", "edited", "assigned", "closed"]
    closed = receiver.events("issues")[-1]
    assert closed["sender"]["login"] == "alice"
    assert closed["issue"]["number"] == 1 and closed["issue"]["state"] == "closed"
    assert closed["repository"]["full_name"] == "acme/site"
    edited = receiver.events("issues")[1]
    assert edited["changes"] == {"title": {"from": "Broken footer"}}
    assert receiver.events("issue_comment")[0]["comment"]["body"] == "Won't fix"
    for headers, body in receiver.received:
        assert verify(headers, body)
    delivery = await fake.wait_delivered("issues", "closed")
    assert delivery.ok


def test_helpers_change_state_without_a_webhook(fake: FakeGitHub, receiver: Receiver) -> None:
    fake.create_issue("acme/site", "Quiet")
    fake.update_issue("acme/site", 1, state="closed", user="bob")
    fake.flush()
    assert receiver.received == []
    assert client(fake).get_repo("acme/site").get_issue(1).state == "closed"
    fake.update_issue("acme/site", 1, state="open", notify=True)
    fake.flush()
    assert [e["action"] for e in receiver.events("issues")] == ["reopened"]


def test_deliver_signs_like_github(fake: FakeGitHub, receiver: Receiver) -> None:
    payload = example("issues", "opened")
    response = fake.deliver("issues", payload)
    assert response.status_code == 200
    headers, body = receiver.received[-1]
    assert verify(headers, body)
    assert json.loads(body) == payload
    assert headers["x-github-event"] == "issues"
    assert uuid.UUID(headers["x-github-delivery"]).version == 4
    assert headers["user-agent"].startswith("GitHub-Hookshot/")
    assert headers["content-type"] == "application/json"

    fake.redeliver(fake.deliveries[-1])
    again, _ = receiver.received[-1]
    assert again["x-github-delivery"] == headers["x-github-delivery"]

    fake.deliver("issues", payload, secret="forged")
    forged, forged_body = receiver.received[-1]
    assert not verify(forged, forged_body)


def test_examples_are_copies() -> None:
    first = example("issues", "closed")
    assert first["action"] == "closed" and first["issue"]["state"] == "closed"
    first["issue"]["title"] = "changed"
    assert example("issues", "closed")["issue"]["title"] != "changed"
    merged = example("pull_request", "closed", merged=True)
    assert merged["pull_request"]["merged"] is True
    for event, action in [("issue_comment", "created"), ("pull_request", "opened"),
                          ("pull_request_review", "submitted"), ("push", None),
                          ("deployment_status", "created"), ("issues", "assigned")]:
        assert example(event, action)["sender"]["login"]


def test_oauth_code_for_token(fake: FakeGitHub) -> None:
    fake.add_oauth_app("Iv1.client", "client-secret")
    code = fake.authorize("Iv1.client", "bob", scope="repo")
    gh = github.Github(base_url=fake.url, retry=None, seconds_between_requests=None,
                       seconds_between_writes=None)
    app = gh.get_oauth_application("Iv1.client", "client-secret")
    token = app.get_access_token(code)
    assert token.token.startswith("gho_") and token.type == "bearer"
    assert client(fake, token.token).get_user().login == "bob"
    with pytest.raises(github.GithubException):
        app.get_access_token(code)  # used once

    fake.oauth_user = "alice"
    login_url = app.get_login_url(redirect_uri="http://labs.test/cb", state="xyz")
    assert login_url.startswith(f"{fake.url}/login/oauth/authorize?")
    redirect = httpx.get(login_url)
    assert redirect.status_code == 302
    location = httpx.URL(redirect.headers["location"])
    assert location.params["state"] == "xyz"
    assert client(fake, app.get_access_token(location.params["code"]).token
                  ).get_user().login == "alice"
