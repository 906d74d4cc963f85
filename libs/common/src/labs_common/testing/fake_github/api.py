"""FakeGitHub's HTTP API: the REST v3 routes, errors in GitHub's shape, Link-header pagination."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from labs_common.testing.fake_github.model import Issue, now, parse_time
from labs_common.testing.fake_server import Call

if TYPE_CHECKING:
    from labs_common.testing.fake_github.fake import FakeGitHub

DOCS = "https://docs.github.com/rest"


class GitHubError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "documentation_url": DOCS,
                                "status": str(self.status)}
        if self.errors:
            body["errors"] = self.errors
        return body


def _invalid(field: str, value: Any, code: str = "invalid") -> GitHubError:
    return GitHubError(422, "Validation Failed",
                       [{"value": value, "resource": "Issue", "field": field, "code": code}])


class Api:
    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake

    # plumbing

    def endpoint(self, handler: Callable[..., Any], *, auth: bool = True) -> Callable:
        async def run(request: Request) -> Response:
            raw = await request.body()
            params: dict[str, Any] = dict(parse_qsl(request.url.query, keep_blank_values=True))
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                if isinstance(body, dict):
                    params.update(body)
            call = Call(request.method, request.url.path, params,
                        {k.lower(): v for k, v in request.headers.items()}, raw, body)
            self.fake.requests.append(call)
            headers = {"X-GitHub-Request-Id": secrets.token_hex(8).upper(),
                       "X-GitHub-Media-Type": "github.v3; format=json",
                       "X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999",
                       "X-RateLimit-Reset": str(int(time.time()) + 3600),
                       "X-RateLimit-Used": "1", "X-RateLimit-Resource": "core"}
            if self.fake.down:
                call.status = 503
                return JSONResponse({"message": "Service Unavailable (FakeGitHub.down)",
                                     "documentation_url": DOCS}, 503, headers=headers)
            try:
                with self.fake._lock:
                    login = self.login(request) if auth else None
                    if login is not None:
                        headers["X-OAuth-Scopes"] = self.fake.token_scopes.get(
                            self.token(request) or "", "")
                    status, answer, extra = handler(request, params, login,
                                                    **request.path_params)
            except GitHubError as error:
                call.status = error.status
                return JSONResponse(error.body(), error.status, headers=headers)
            call.status = status
            if isinstance(answer, Response):
                return answer
            return JSONResponse(answer, status, headers={**headers, **extra})
        return run

    @staticmethod
    def token(request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("token", "bearer") and token:
            return token.strip()
        return None

    def login(self, request: Request) -> str | None:
        """The token's user; None without a token; an unknown token is a 401."""
        if not request.headers.get("authorization"):
            return None
        token = self.token(request)
        login = self.fake.tokens.get(token or "")
        if login is None:
            raise GitHubError(401, "Bad credentials")
        return login

    @staticmethod
    def required(login: str | None) -> str:
        if login is None:
            raise GitHubError(401, "Requires authentication")
        return login

    def repo(self, owner: str, repo: str, login: str | None) -> str:
        found = self.fake.repos.get(f"{owner}/{repo}")
        if found is None or (found.private and login is None):
            raise GitHubError(404, "Not Found")
        return found.full_name

    def issue(self, full: str, number: int) -> Issue:
        issue = self.fake.issues[full].get(number)
        if issue is None:
            raise GitHubError(404, "Not Found")
        return issue

    @staticmethod
    def page(request: Request, params: dict, items: list) -> tuple[list, dict[str, str]]:
        """One page of `items` (per_page, default 30, at most 100; page from 1) and its Link."""
        try:
            per_page = max(1, min(100, int(params.get("per_page") or 30)))
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            raise GitHubError(400, "Invalid pagination parameters") from None
        last = max(1, -(-len(items) // per_page))
        query = {k: v for k, v in parse_qsl(request.url.query, keep_blank_values=True)}

        def link(number: int, rel: str) -> str:
            url = request.url.replace(query=urlencode({**query, "per_page": per_page,
                                                       "page": number}))
            return f'<{url}>; rel="{rel}"'

        links = []
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        headers = {"Link": ", ".join(links)} if links else {}
        return items[(page - 1) * per_page: page * per_page], headers

    @staticmethod
    def since(params: dict) -> Any:
        if not params.get("since"):
            return None
        try:
            return parse_time(params["since"])
        except ValueError:
            raise _invalid("since", params["since"]) from None

    @staticmethod
    def ordered(items: list, params: dict, keys: dict[str, Callable], default: str) -> list:
        sort = params.get("sort") or default
        if sort not in keys:
            raise _invalid("sort", sort)
        direction = params.get("direction") or "desc"
        if direction not in ("asc", "desc"):
            raise _invalid("direction", direction)
        return sorted(items, key=keys[sort], reverse=direction == "desc")

    # users and repositories

    def get_user(self, request: Request, params: dict, login: str | None):
        return 200, self.fake.shapes.user(self.required(login), private=True), {}

    def get_named_user(self, request: Request, params: dict, login: str | None, name: str):
        if name not in self.fake.users:
            raise GitHubError(404, "Not Found")
        return 200, self.fake.shapes.user(name, private=True), {}

    def get_repo(self, request: Request, params: dict, login: str | None, owner: str,
                 repo: str):
        return 200, self.fake._repo_json(self.repo(owner, repo, login)), {}

    # issues

    def list_issues(self, request: Request, params: dict, login: str | None, owner: str,
                    repo: str):
        full = self.repo(owner, repo, login)
        state = params.get("state") or "open"
        if state not in ("open", "closed", "all"):
            raise _invalid("state", state)
        since = self.since(params)
        labels = [x for x in (params.get("labels") or "").split(",") if x]
        found = [i for i in self.fake.issues[full].values()
                 if (state == "all" or i.state == state)
                 and (since is None or i.updated_at >= since)
                 and all(label in i.labels for label in labels)
                 and self._assignee_matches(i, params.get("assignee"))
                 and (not params.get("creator") or i.user == params["creator"])]
        found = self.ordered(found, params, {"created": lambda i: (i.created_at, i.number),
                                             "updated": lambda i: (i.updated_at, i.number),
                                             "comments": lambda i: (len(i.comments), i.number)},
                             "created")
        page, headers = self.page(request, params, found)
        return 200, [self.fake.shapes.issue(i) for i in page], headers

    @staticmethod
    def _assignee_matches(issue: Issue, wanted: str | None) -> bool:
        if not wanted or (wanted == "*" and issue.assignees):
            return True
        if wanted == "*":
            return False
        if wanted == "none":
            return not issue.assignees
        return wanted in issue.assignees

    def get_issue(self, request: Request, params: dict, login: str | None, owner: str,
                  repo: str, number: int):
        issue = self.issue(self.repo(owner, repo, login), number)
        return 200, self.fake.shapes.issue(issue, detail=True), {}

    def _assignees(self, body: dict) -> list[str] | None:
        if "assignees" in body:
            wanted = body["assignees"] or []
        elif "assignee" in body:
            wanted = [body["assignee"]] if body["assignee"] else []
        else:
            return None
        if not isinstance(wanted, list):
            raise _invalid("assignees", wanted)
        for name in wanted:
            if name not in self.fake.users:
                raise _invalid("assignees", name)
        return [str(name) for name in wanted]

    def create_issue(self, request: Request, params: dict, login: str | None, owner: str,
                     repo: str):
        actor = self.required(login)
        full = self.repo(owner, repo, login)
        body = self._json(request, params)
        title = body.get("title")
        if title in (None, ""):
            raise GitHubError(422, "Validation Failed", [
                {"resource": "Issue", "code": "missing_field", "field": "title"}])
        issue = self.fake._create(full, str(title), body.get("body"), actor,
                                  self._assignees(body) or [],
                                  [str(x) for x in body.get("labels") or []], False, now())
        self.fake._notify_issue("opened", issue, actor)
        for login_ in issue.assignees:
            self.fake._notify_issue("assigned", issue, actor,
                                    assignee=self.fake.shapes.user(login_))
        shape = self.fake.shapes.issue(issue, detail=True)
        return 201, shape, {"Location": shape["url"]}

    def update_issue(self, request: Request, params: dict, login: str | None, owner: str,
                     repo: str, number: int):
        actor = self.required(login)
        issue = self.issue(self.repo(owner, repo, login), number)
        body = self._json(request, params)
        changes = {k: body[k] for k in ("title", "body", "state", "state_reason", "labels")
                   if k in body}
        if changes.get("state") not in (None, "open", "closed"):
            raise _invalid("state", changes["state"])
        if changes.get("state_reason") not in (None, "completed", "not_planned", "reopened"):
            raise _invalid("state_reason", changes["state_reason"])
        assignees = self._assignees(body)
        if assignees is not None:
            changes["assignees"] = assignees
        events = self.fake._update(issue, changes, actor, now())
        self.fake._issue_webhooks(events, issue, actor)
        return 200, self.fake.shapes.issue(issue, detail=True), {}

    @staticmethod
    def _json(request: Request, params: dict) -> dict:
        return params  # query and body merged; GitHub reads the JSON body

    # comments

    def list_comments(self, request: Request, params: dict, login: str | None, owner: str,
                      repo: str, number: int):
        issue = self.issue(self.repo(owner, repo, login), number)
        since = self.since(params)
        found = [c for c in issue.comments
                 if since is None or (c.updated_at or c.created_at) >= since]
        page, headers = self.page(request, params, found)
        return 200, [self.fake.shapes.comment(c) for c in page], headers

    def create_comment(self, request: Request, params: dict, login: str | None, owner: str,
                       repo: str, number: int):
        actor = self.required(login)
        issue = self.issue(self.repo(owner, repo, login), number)
        text = params.get("body")
        if not text:
            raise GitHubError(422, "Validation Failed", [
                {"resource": "IssueComment", "code": "missing_field", "field": "body"}])
        comment = self.fake._comment(issue, str(text), actor, now())
        self.fake._notify_comment(issue, comment)
        shape = self.fake.shapes.comment(comment)
        return 201, shape, {"Location": shape["url"]}

    def repo_comments(self, request: Request, params: dict, login: str | None, owner: str,
                      repo: str):
        full = self.repo(owner, repo, login)
        since = self.since(params)
        found = [c for i in self.fake.issues[full].values() for c in i.comments
                 if since is None or (c.updated_at or c.created_at) >= since]
        found = self.ordered(found, params, {
            "created": lambda c: (c.created_at, c.id),
            "updated": lambda c: (c.updated_at or c.created_at, c.id)}, "created")
        if not params.get("direction") and not params.get("sort"):  # ascending by default
            found.reverse()
        page, headers = self.page(request, params, found)
        return 200, [self.fake.shapes.comment(c) for c in page], headers

    # OAuth (web application flow) on the same server

    def oauth_authorize(self, request: Request, params: dict, login: str | None):
        """GitHub's consent page, approved at once by `fake.oauth_user`: a redirect to
        redirect_uri with code and state."""
        app = self.fake.oauth_apps.get(params.get("client_id", ""))
        if app is None or self.fake.oauth_user is None:
            raise GitHubError(404, "Not Found")
        code = self.fake.authorize(app.client_id, self.fake.oauth_user,
                                   params.get("scope") or "")
        query = urlencode({"code": code, **({"state": params["state"]}
                                            if "state" in params else {})})
        target = params.get("redirect_uri") or "/"
        sep = "&" if "?" in target else "?"
        return 302, RedirectResponse(f"{target}{sep}{query}", 302), {}

    def oauth_token(self, request: Request, params: dict, login: str | None):
        app = self.fake.oauth_apps.get(params.get("client_id", ""))
        if app is None or app.client_secret != params.get("client_secret"):
            answer = {"error": "incorrect_client_credentials",
                      "error_description": "The client_id and/or client_secret passed are "
                                           "incorrect.", "error_uri": DOCS}
        elif params.get("code") not in app.codes:
            answer = {"error": "bad_verification_code",
                      "error_description": "The code passed is incorrect or expired.",
                      "error_uri": DOCS}
        else:
            user, scope = app.codes.pop(params["code"])
            token = f"gho_{secrets.token_hex(18)}"
            self.fake.add_token(token, user, scopes=scope)
            answer = {"access_token": token, "token_type": "bearer", "scope": scope}
        if "json" in request.headers.get("accept", ""):
            return 200, answer, {}
        return 200, Response(urlencode(answer), 200,
                             media_type="application/x-www-form-urlencoded"), {}

    def not_found(self, request: Request, params: dict, login: str | None, rest: str = ""):
        raise GitHubError(404, "Not Found")


def routes(fake: FakeGitHub) -> list[Route]:
    api = Api(fake)
    e = api.endpoint
    repo = "/repos/{owner}/{repo}"
    issue = repo + "/issues/{number:int}"
    return [
        Route("/user", e(api.get_user), methods=["GET"]),
        Route("/users/{name}", e(api.get_named_user), methods=["GET"]),
        Route(repo, e(api.get_repo), methods=["GET"]),
        Route(repo + "/issues", e(api.list_issues), methods=["GET"]),
        Route(repo + "/issues", e(api.create_issue), methods=["POST"]),
        Route(repo + "/issues/comments", e(api.repo_comments), methods=["GET"]),
        Route(issue, e(api.get_issue), methods=["GET"]),
        Route(issue, e(api.update_issue), methods=["PATCH"]),
        Route(issue + "/comments", e(api.list_comments), methods=["GET"]),
        Route(issue + "/comments", e(api.create_comment), methods=["POST"]),
        Route("/login/oauth/authorize", e(api.oauth_authorize, auth=False), methods=["GET"]),
        Route("/login/oauth/access_token", e(api.oauth_token, auth=False), methods=["POST"]),
        Route("/{rest:path}", e(api.not_found),
              methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
    ]
