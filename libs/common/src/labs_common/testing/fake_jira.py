"""A fake Jira Cloud site at its HTTP boundary: REST API v3's `/myself` and the enhanced JQL
search (`/search/jql`), as Atlassian documents them
(https://developer.atlassian.com/cloud/jira/platform/rest/v3/):

- every call needs HTTP Basic `email:api_token` of a user of the site; anything else answers 401
  (`X-Seraph-LoginReason: AUTHENTICATED_FAILED`, `errorMessages`);
- the search takes `jql`, `maxResults` (at most 100 here, as Jira caps pages that carry fields),
  `fields` (comma separated; without it an issue is only its `id`) and the opaque
  `nextPageToken` of the page before, and answers `{issues, nextPageToken, isLast}` (the token
  only when more follow); a JQL it cannot read answers 400 with Jira's `errorMessages`. The JQL
  understood is clauses joined by AND on `project`, `key`, `status`, `statusCategory`,
  `assignee` (an email or accountId) and `labels`, with `=`, `!=`, `in (...)`, `not in (...)`,
  then an optional ORDER BY (issues come newest key first, unless `ORDER BY key ASC`);
- descriptions are Atlassian Document Format (a doc of paragraphs);
- `throttle(n, retry_after)` answers the next n calls 429 with `Retry-After`, as Jira's rate
  limit does; a user's `hide_email` leaves `emailAddress` out, as Atlassian's privacy settings do;
- OAuth 2.0 (3LO), auth.atlassian.com and the API gateway on the same server: `authorize(
  client_id, user, redirect_uri)` is the user's consent to this site; POST /oauth/token takes a
  JSON authorization_code or refresh_token grant (client_id and client_secret in it) and
  answers `{access_token, expires_in, token_type, refresh_token, scope}`, each refresh
  spending its refresh token for a new one; access tokens last an hour
  (`oauth.token_lifetime`); GET /oauth/token/accessible-resources (Bearer) lists the site
  (`cloud_id`, `site_url`); the site's API answers a Bearer token under
  /ex/jira/{cloud_id}/rest/api/3/... only (an API token signs in at the site itself).

    with FakeJira() as jira:
        ana = jira.add_user("ana@acme.test", token="jira-token", name="Ana Lima")
        key = jira.add_issue("WEB", "Home page", status="In Progress", assignee=ana,
                             estimate_seconds=7200)
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labs_common.testing.fake_oauth import FakeOAuth, OAuthRefused, token_request
from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread

MAX_RESULTS = 100
CATEGORIES = {"new": ("To Do", 2), "indeterminate": ("In Progress", 4), "done": ("Done", 3)}
STATUS_CATEGORY = {"to do": "new", "backlog": "new", "selected for development": "new",
                   "in progress": "indeterminate", "in review": "indeterminate",
                   "done": "done", "closed": "done", "resolved": "done"}
_ids = itertools.count(10_001)
_CLAUSE = re.compile(r"^\s*(\w+)\s*(not\s+in|in|!=|=)\s*(.+?)\s*$", re.I)
_FIELDS = {"project", "key", "status", "statuscategory", "assignee", "labels"}


@dataclass
class User:
    account_id: str
    email: str
    name: str
    token: str
    hide_email: bool = False


def adf(text: str) -> dict[str, Any] | None:
    """Plain text as Jira keeps a description: a doc, a paragraph per line."""
    if not text:
        return None
    return {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")]}


class FakeJira(FakePlatform):
    def __init__(self) -> None:
        self.users: dict[str, User] = {}  # by email
        self.issues: dict[str, dict[str, Any]] = {}  # by key
        self.requests = CallLog()
        self.throttled = 0
        self._throttle_next = 0
        self._retry_after = 1
        self._counters: dict[str, itertools.count] = {}
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        self._lock = threading.Lock()
        self.oauth = FakeOAuth(token_lifetime=3600, rotate=True, prefix="atl")
        self.cloud_id = str(uuid.uuid4())
        self.site_url, self.site_name = "https://acme-studio.atlassian.net", "acme-studio"
        gateway = "/ex/jira/{cloud_id}"
        self.app = Starlette(routes=[
            Route("/rest/api/3/myself", self._myself),
            Route("/rest/api/3/search/jql", self._search),
            Route(f"{gateway}/rest/api/3/myself", self._myself),
            Route(f"{gateway}/rest/api/3/search/jql", self._search),
            Route("/oauth/token", self._token, methods=["POST"]),
            Route("/oauth/token/accessible-resources", self._sites),
        ])
        self._server = ServerThread(self.app, name="fake-jira")

    # --- the site's data, as its people would change it ----------------------------------------

    def _now(self) -> str:
        with self._lock:
            self._clock += timedelta(seconds=1)
            return self._clock.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def add_user(self, email: str, *, token: str, name: str = "",
                 hide_email: bool = False) -> User:
        user = User(f"5b10{next(_ids):x}", email, name or email.split("@")[0], token, hide_email)
        self.users[email.lower()] = user
        return user

    def add_issue(self, project: str, summary: str, *, description: str = "",
                  status: str = "To Do", assignee: User | None = None,
                  estimate_seconds: int | None = None, labels: tuple[str, ...] = ()) -> str:
        with self._lock:
            counter = self._counters.setdefault(project, itertools.count(1))
            key = f"{project}-{next(counter)}"
        self.issues[key] = {"id": str(next(_ids)), "key": key, "project": project,
                            "summary": summary, "description": description, "status": status,
                            "assignee": assignee, "estimate": estimate_seconds,
                            "labels": list(labels), "updated": self._now()}
        return key

    def edit_issue(self, key: str, **changes: Any) -> None:
        """`summary`, `description`, `status`, `assignee` (a User or None), `estimate_seconds`,
        `labels`."""
        if "estimate_seconds" in changes:
            changes["estimate"] = changes.pop("estimate_seconds")
        self.issues[key].update(changes, updated=self._now())

    def throttle(self, calls: int, retry_after: int = 1) -> None:
        self._throttle_next, self._retry_after = calls, retry_after

    def calls(self, path: str) -> list[Call]:
        return self.requests.calls("GET", path)

    # --- HTTP ------------------------------------------------------------------------------------

    def _caller(self, request: Request) -> tuple[User | None, JSONResponse | None]:
        self.requests.append(Call(request.method, request.url.path, dict(request.query_params),
                                  dict(request.headers)))
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                return None, JSONResponse(
                    {"errorMessages": ["Rate limit exceeded."]}, status_code=429,
                    headers={"Retry-After": str(self._retry_after)})
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if "cloud_id" in request.path_params:
            return self._gateway_caller(request, scheme, encoded)
        try:
            email, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            email = token = ""
        user = self.users.get(email.lower())
        if scheme.lower() != "basic" or user is None or not token or token != user.token:
            return None, JSONResponse(
                {"errorMessages": ["You are not authenticated. Authentication required to "
                                   "perform this operation."], "errors": {}},
                status_code=401, headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
                                          "WWW-Authenticate": 'Basic realm="protected-area"'})
        return user, None

    def _gateway_caller(self, request: Request, scheme: str, token: str
                        ) -> tuple[User | None, JSONResponse | None]:
        user = self.oauth.subject_of(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return None, JSONResponse({"code": 401, "message": "Unauthorized"},
                                      status_code=401)
        if request.path_params["cloud_id"] != self.cloud_id:
            return None, JSONResponse({"errorMessages": ["Site temporarily unavailable"]},
                                      status_code=404)
        return user, None

    def authorize(self, client_id: str, user: User, redirect_uri: str | None = None) -> str:
        return self.oauth.authorize(client_id, user, redirect_uri)

    async def _token(self, request: Request) -> JSONResponse:
        body = await token_request(request, self.requests)
        try:
            _user, tokens = self.oauth.grant(body, str(body.get("client_id") or ""),
                                             str(body.get("client_secret") or ""))
        except OAuthRefused as refused:
            return JSONResponse({"error": refused.error, "error_description":
                                 "Unknown or invalid grant."}, status_code=403)
        return JSONResponse({**tokens, "token_type": "Bearer",
                             "scope": "read:jira-work read:jira-user offline_access"})

    async def _sites(self, request: Request) -> JSONResponse:
        self.requests.append(Call(request.method, request.url.path, {}, dict(request.headers)))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or self.oauth.subject_of(token.strip()) is None:
            return JSONResponse({"code": 401, "message": "Unauthorized"}, status_code=401)
        return JSONResponse([{"id": self.cloud_id, "url": self.site_url,
                              "name": self.site_name,
                              "scopes": ["read:jira-work", "read:jira-user"],
                              "avatarUrl": "https://site-admin-avatar-cdn.example/flag.png"}])

    @staticmethod
    def _person(user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        person = {"accountId": user.account_id, "displayName": user.name, "active": True,
                  "accountType": "atlassian"}
        if not user.hide_email:
            person["emailAddress"] = user.email
        return person

    async def _myself(self, request: Request) -> JSONResponse:
        user, refused = self._caller(request)
        if refused:
            return refused
        return JSONResponse({**self._person(user), "timeZone": "UTC", "locale": "en_US"})

    def _issue(self, issue: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        category = STATUS_CATEGORY.get(issue["status"].lower(), "indeterminate")
        name, category_id = CATEGORIES[category]
        every = {
            "summary": issue["summary"], "description": adf(issue["description"]),
            "status": {"name": issue["status"], "id": str(category_id * 1000),
                       "statusCategory": {"id": category_id, "key": category, "name": name}},
            "assignee": self._person(issue["assignee"]),
            "timeoriginalestimate": issue["estimate"], "labels": issue["labels"],
            "updated": issue["updated"]}
        shown = {"id": issue["id"], "key": issue["key"],
                 "self": f"{self.url}/rest/api/3/issue/{issue['id']}"}
        if fields:
            shown["fields"] = {name: every[name] for name in fields if name in every}
        else:
            shown = {"id": issue["id"]}
        return shown

    def _matches(self, jql: str) -> list[dict[str, Any]]:
        """The issues of `jql`; ValueError with Jira's words when it cannot be read."""
        where, *order = re.split(r"\border\s+by\b", jql, maxsplit=1, flags=re.I)
        found = list(self.issues.values())
        for clause in [c for c in re.split(r"\s+and\s+", where, flags=re.I) if c.strip()]:
            match = _CLAUSE.match(clause)
            if match is None:
                raise ValueError(f"Error in the JQL Query: Expecting operator but got "
                                 f"'{clause.strip()[:40]}'.")
            field, operator, value = match.group(1).lower(), match.group(2).lower(), \
                match.group(3)
            if field not in _FIELDS:
                raise ValueError(f"Field '{match.group(1)}' does not exist or you do not have "
                                 "permission to view it.")
            if "in" in operator:
                values = {v.strip().strip("'\"").lower()
                          for v in value.strip().strip("()").split(",")}
            else:
                values = {value.strip().strip("'\"").lower()}
            negate = operator in ("!=", "not in")
            found = [i for i in found if (bool(self._values(i, field) & values)) != negate]
        ascending = bool(order and re.search(r"\bkey\s+asc\b", order[0], re.I))
        found.sort(key=lambda i: (i["project"], int(i["key"].rsplit("-", 1)[1])),
                   reverse=not ascending)
        return found

    @staticmethod
    def _values(issue: dict[str, Any], field: str) -> set[str]:
        assignee: User | None = issue["assignee"]
        return {
            "project": {issue["project"].lower()}, "key": {issue["key"].lower()},
            "status": {issue["status"].lower()},
            "statuscategory": {CATEGORIES[STATUS_CATEGORY.get(
                issue["status"].lower(), "indeterminate")][0].lower()},
            "assignee": {assignee.email.lower(), assignee.account_id.lower()}
            if assignee else {"empty"},
            "labels": {label.lower() for label in issue["labels"]},
        }[field]

    async def _search(self, request: Request) -> JSONResponse:
        _user, refused = self._caller(request)
        if refused:
            return refused
        query = request.query_params
        try:
            size = min(MAX_RESULTS, int(query.get("maxResults", 50)))
            start = int(base64.urlsafe_b64decode(query["nextPageToken"]).decode()) \
                if query.get("nextPageToken") else 0
        except (ValueError, binascii.Error):
            return JSONResponse({"errorMessages": ["Invalid request payload."], "errors": {}},
                                status_code=400)
        try:
            found = self._matches(query.get("jql", ""))
        except ValueError as error:
            return JSONResponse({"errorMessages": [str(error)], "errors": {}}, status_code=400)
        fields = [f.strip() for f in query.get("fields", "").split(",") if f.strip()]
        page = found[start:start + max(1, size)]
        following = start + len(page)
        body: dict[str, Any] = {"issues": [self._issue(i, fields) for i in page],
                                "isLast": following >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.urlsafe_b64encode(str(following).encode()).decode()
        return JSONResponse(body)
