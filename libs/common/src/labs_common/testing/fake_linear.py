"""A fake Linear at its HTTP boundary: the GraphQL API (`POST /graphql`) for the part Labs uses,
OAuth's token and revocation endpoints, and webhooks signed as Linear signs them
(https://linear.app/developers):

- queries are parsed, validated and run by graphql-core against a schema of that part of
  Linear's (viewer, organization, issue(s), team and its states, user, issueUpdate), so a field
  Linear does not have fails here too: a query that does not validate answers 400
  `{"errors": [...]}` (code GRAPHQL_VALIDATION_FAILED), one naming an unknown entity 200 with
  `data` null and `errors` (code INVALID_INPUT, "Entity not found");
- a personal API key goes in `Authorization` as it is, an OAuth token as `Bearer <token>`; a
  missing or unknown one answers 401 with AUTHENTICATION_ERROR;
- `issues` takes `filter` (`updatedAt` gt/gte/lt/lte, `team` key/id eq/in, `project` id eq/in,
  `or`, `and`), `first` (at most 250), `after` (the `endCursor` of the page before) and
  `orderBy`, newest first, answering `{nodes, pageInfo {hasNextPage, endCursor}}`;
- `throttle(n)` answers the next n requests as Linear's rate limit does: HTTP 400 with the code
  RATELIMITED and `X-RateLimit-Requests-Reset` (epoch milliseconds) a second away;
- every change of an issue (by a test, or by `issueUpdate`) is sent as an `Issue` webhook
  (`create`, `update` with `updatedFrom`, `remove`) to `webhook_url`, signed `Linear-Signature`
  (hex HMAC-SHA256 of the body with `webhook_secret`), with `Linear-Delivery` and
  `webhookTimestamp` (milliseconds).

    with FakeLinear(webhook_secret="s") as linear:
        ana = linear.add_user("Ana Lima", "ana@acme.test", api_key="lin_api_ana")
        eng = linear.add_team("ENG")
        issue = linear.create_issue("ENG", "Login breaks", state="Todo", assignee=ana)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import queue
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from graphql import GraphQLError, build_schema, execute, parse, validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread, poll

MAX_FIRST = 250
DEFAULT_STATES = (("Backlog", "backlog"), ("Todo", "unstarted"), ("In Progress", "started"),
                  ("In Review", "started"), ("Done", "completed"), ("Canceled", "canceled"))

SCHEMA = build_schema('''
scalar DateTime

type Query {
  viewer: User!
  organization: Organization!
  issue(id: String!): Issue!
  issues(filter: IssueFilter, first: Int, after: String, orderBy: PaginationOrderBy,
         includeArchived: Boolean): IssueConnection!
  team(id: String!): Team!
  user(id: String!): User!
}

type Mutation {
  issueUpdate(id: String!, input: IssueUpdateInput!): IssuePayload!
}

type Organization { id: ID! name: String! urlKey: String! }
type User { id: ID! name: String! displayName: String! email: String! active: Boolean! }
type Team { id: ID! key: String! name: String! states: WorkflowStateConnection! }
type WorkflowState { id: ID! name: String! type: String! position: Float! color: String! }
type WorkflowStateConnection { nodes: [WorkflowState!]! }
type Project { id: ID! name: String! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String
                endCursor: String }
type Issue {
  id: ID! identifier: String! number: Float! title: String! description: String
  estimate: Float url: String! createdAt: DateTime! updatedAt: DateTime!
  state: WorkflowState! team: Team! project: Project assignee: User
}
type IssueConnection { nodes: [Issue!]! pageInfo: PageInfo! }
type IssuePayload { success: Boolean! issue: Issue lastSyncId: Float! }

enum PaginationOrderBy { createdAt updatedAt }
input IssueUpdateInput { title: String description: String stateId: String
                         assigneeId: String estimate: Int projectId: String }
input DateComparator { eq: DateTime gt: DateTime gte: DateTime lt: DateTime lte: DateTime }
input IDComparator { eq: ID in: [ID!] }
input StringComparator { eq: String in: [String!] }
input TeamFilter { id: IDComparator key: StringComparator }
input NullableProjectFilter { id: IDComparator }
input IssueFilter {
  updatedAt: DateComparator team: TeamFilter project: NullableProjectFilter
  or: [IssueFilter!] and: [IssueFilter!]
}
''')


def sign(body: bytes | str, secret: str) -> str:
    """The `Linear-Signature` of `body`: hex HMAC-SHA256(secret, body)."""
    raw = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _errors(message: str, code: str, status: int, **headers: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {
        "code": code, "type": code.lower().replace("_", " "),
        "userPresentableMessage": message}}]}, status_code=status, headers=headers)


def _not_found(what: str) -> GraphQLError:
    return GraphQLError(f"Entity not found: {what}", extensions={
        "code": "INVALID_INPUT", "type": "invalid input",
        "userPresentableMessage": f"Could not find referenced {what}."})


@dataclass
class Delivery:
    """One webhook POST (a redelivery keeps the `id`, Linear-Delivery, and the very bytes)."""

    id: str
    action: str
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None
    error: str = ""

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
    codes: dict[str, str] = field(default_factory=dict)  # code → user id


class FakeLinear(FakePlatform):
    def __init__(self, *, webhook_url: str | None = None,
                 webhook_secret: str = "linear-webhook-secret") -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.organization = {"id": str(uuid.uuid4()), "name": "Acme Linear",
                             "urlKey": "acme"}
        self.users: dict[str, dict[str, Any]] = {}
        self.api_keys: dict[str, str] = {}  # key → user id
        self.oauth_tokens: dict[str, str] = {}  # token → user id
        self.oauth_apps: dict[str, OAuthApp] = {}
        self.teams: dict[str, dict[str, Any]] = {}  # id → team
        self.projects: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, dict[str, Any]] = {}
        self.requests = CallLog()
        self.mutations: list[dict[str, Any]] = []  # issueUpdate calls: {id, input}
        self.deliveries: list[Delivery] = []
        self.throttled = 0
        self._throttle_next = 0
        self._lock = threading.RLock()
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self._numbers: dict[str, itertools.count] = {}
        self._outbox: queue.Queue[Delivery | None] = queue.Queue()
        self._pending = 0
        self._sender: threading.Thread | None = None
        self.app = Starlette(routes=[
            Route("/graphql", self._graphql, methods=["POST"]),
            Route("/oauth/token", self._token, methods=["POST"]),
            Route("/oauth/revoke", self._revoke, methods=["POST"]),
        ])
        self._server = ServerThread(self.app, name="fake-linear")

    @property
    def api_url(self) -> str:
        return f"{self.url}/graphql"

    def start(self) -> FakeLinear:
        self._sender = threading.Thread(target=self._send_forever, name="fake-linear-webhooks",
                                        daemon=True)
        self._sender.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        if self._sender is not None:
            self._outbox.put(None)
            self._sender.join(timeout=10)
            self._sender = None

    # --- the workspace, as its people would change it -------------------------------------------

    def _now(self) -> datetime:
        with self._lock:
            self._clock = max(self._clock + timedelta(milliseconds=1),
                              datetime.now(UTC).replace(microsecond=0))
            return self._clock

    def add_user(self, name: str, email: str, *, api_key: str | None = None) -> str:
        user_id = str(uuid.uuid4())
        self.users[user_id] = {"id": user_id, "name": name, "displayName": name.split()[0],
                               "email": email, "active": True}
        if api_key:
            self.api_keys[api_key] = user_id
        return user_id

    def add_oauth_app(self, client_id: str, client_secret: str) -> OAuthApp:
        app = self.oauth_apps[client_id] = OAuthApp(client_id, client_secret)
        return app

    def authorize(self, client_id: str, user_id: str) -> str:
        """The code Linear's consent page would send back for `user_id`."""
        code = secrets.token_urlsafe(12)
        self.oauth_apps[client_id].codes[code] = user_id
        return code

    def add_team(self, key: str, name: str | None = None, *,
                 states: tuple[tuple[str, str], ...] = DEFAULT_STATES) -> str:
        team_id = str(uuid.uuid4())
        self.teams[team_id] = {
            "id": team_id, "key": key, "name": name or key,
            "states": [{"id": str(uuid.uuid4()), "name": state, "type": kind,
                        "position": float(n), "color": "#bec2c8"}
                       for n, (state, kind) in enumerate(states)]}
        self._numbers[team_id] = itertools.count(1)
        return team_id

    def add_project(self, name: str) -> str:
        project_id = str(uuid.uuid4())
        self.projects[project_id] = {"id": project_id, "name": name}
        return project_id

    def team(self, key_or_id: str) -> dict[str, Any]:
        return self.teams.get(key_or_id) or next(
            t for t in self.teams.values() if t["key"] == key_or_id)

    def state(self, team: str, name: str) -> dict[str, Any]:
        return next(s for s in self.team(team)["states"] if s["name"] == name)

    def create_issue(self, team: str, title: str, description: str = "", *,
                     state: str = "Todo", assignee: str | None = None,
                     estimate: float | None = None, project: str | None = None,
                     notify: bool = True) -> str:
        """An issue of `team` (key or id), in its state named `state`; its webhook sent unless
        `notify` is false (a missed delivery)."""
        owner = self.team(team)
        number = next(self._numbers[owner["id"]])
        at = self._now()
        issue_id = str(uuid.uuid4())
        self.issues[issue_id] = {
            "id": issue_id, "number": number, "identifier": f"{owner['key']}-{number}",
            "title": title, "description": description, "team_id": owner["id"],
            "state_id": self.state(owner["id"], state)["id"], "assignee_id": assignee,
            "estimate": estimate, "project_id": project, "created_at": at, "updated_at": at}
        if notify:
            self._notify("create", issue_id)
        return issue_id

    def update_issue(self, issue_id: str, *, notify: bool = True, **changes: Any) -> None:
        """Changes `title`, `description`, `state` (a state's name), `assignee` (a user id),
        `estimate` or `project`, as someone in Linear would."""
        issue = self.issues[issue_id]
        if "state" in changes:
            changes["state_id"] = self.state(issue["team_id"], changes.pop("state"))["id"]
        for name in ("assignee", "project"):
            if name in changes:
                changes[f"{name}_id"] = changes.pop(name)
        self._change(issue_id, changes, notify=notify)

    def remove_issue(self, issue_id: str, *, notify: bool = True) -> None:
        """Deleted (trashed) in Linear: gone from the API, a `remove` webhook sent."""
        data = self._webhook_data(self.issues[issue_id])
        del self.issues[issue_id]
        if notify:
            self._queue(self._delivery("remove", data))

    def issue(self, issue_id: str) -> dict[str, Any]:
        """The issue as the API shows it (state name, title...)."""
        return self._issue_node(self.issues[issue_id])

    def throttle(self, requests: int) -> None:
        self._throttle_next = requests

    def calls(self) -> list[Call]:
        return self.requests.calls("POST", "/graphql")

    def _change(self, issue_id: str, changes: dict[str, Any], *, notify: bool) -> None:
        with self._lock:
            issue = self.issues[issue_id]
            before = {k: issue[k] for k in changes if k in issue}
            changed = {k: v for k, v in changes.items() if issue.get(k) != v}
            if not changed:
                return
            issue.update(changed, updated_at=self._now())
        if notify:
            updated_from = {_camel(k): v for k, v in before.items() if k in changed}
            updated_from["updatedAt"] = _iso(issue["created_at"])
            self._queue(self._delivery("update", self._webhook_data(issue), updated_from))

    # --- shapes ----------------------------------------------------------------------------------

    def _state_node(self, state_id: str) -> dict[str, Any]:
        for team in self.teams.values():
            for state in team["states"]:
                if state["id"] == state_id:
                    return dict(state)
        raise KeyError(state_id)

    def _team_node(self, team_id: str) -> dict[str, Any]:
        team = self.teams[team_id]
        return {"id": team["id"], "key": team["key"], "name": team["name"],
                "states": {"nodes": [dict(s) for s in team["states"]]}}

    def _issue_node(self, issue: dict[str, Any]) -> dict[str, Any]:
        team = self.teams[issue["team_id"]]
        return {
            "id": issue["id"], "identifier": issue["identifier"], "number": issue["number"],
            "title": issue["title"], "description": issue["description"] or None,
            "estimate": issue["estimate"], "createdAt": _iso(issue["created_at"]),
            "updatedAt": _iso(issue["updated_at"]),
            "url": f"https://linear.app/{self.organization['urlKey']}/issue/"
                   f"{issue['identifier']}",
            "state": self._state_node(issue["state_id"]), "team": self._team_node(team["id"]),
            "project": dict(self.projects[issue["project_id"]]) if issue["project_id"] else None,
            "assignee": dict(self.users[issue["assignee_id"]]) if issue["assignee_id"] else None}

    def _webhook_data(self, issue: dict[str, Any]) -> dict[str, Any]:
        """An issue as Linear's webhooks carry it: ids of what it links beside small objects
        (an assignee's name, not their email)."""
        node = self._issue_node(issue)
        team = node["team"]
        assignee = node["assignee"]
        state = node["state"]
        return {
            "id": node["id"], "createdAt": node["createdAt"], "updatedAt": node["updatedAt"],
            "number": node["number"], "title": node["title"],
            "description": node["description"], "priority": 0, "estimate": node["estimate"],
            "identifier": node["identifier"], "url": node["url"],
            "teamId": team["id"], "stateId": state["id"], "projectId": issue["project_id"],
            "assigneeId": issue["assignee_id"],
            "state": {k: state[k] for k in ("id", "name", "type", "color")},
            "team": {"id": team["id"], "key": team["key"], "name": team["name"]},
            "project": node["project"],
            "assignee": {"id": assignee["id"], "name": assignee["name"]} if assignee else None,
            "labelIds": [], "labels": []}

    # --- webhooks ---------------------------------------------------------------------------------

    def signed(self, body: bytes | str, secret: str | None = None) -> str:
        return sign(body, self.webhook_secret if secret is None else secret)

    def webhook(self, action: str, issue_id: str, *, sent_at: datetime | None = None,
                secret: str | None = None, url: str | None = None) -> Delivery:
        """A delivery about the issue as it is now, not sent (send it with `deliver`):
        `sent_at` sets its webhookTimestamp (a stale one), `secret` signs instead of the webhook
        secret (a forged one)."""
        return self._delivery(action, self._webhook_data(self.issues[issue_id]), None,
                              sent_at=sent_at, secret=secret, url=url)

    def deliver(self, delivery: Delivery) -> httpx.Response:
        """POSTs `delivery` now, blocking (recorded in `deliveries`)."""
        with httpx.Client(timeout=10.0) as client:
            return self._post(client, delivery)

    def redeliver(self, delivery: Delivery) -> httpx.Response:
        """The same delivery (same Linear-Delivery, same bytes and signature) sent again."""
        again = Delivery(delivery.id, delivery.action, delivery.url, delivery.body,
                         dict(delivery.headers))
        return self.deliver(again)

    async def wait_delivered(self, action: str, issue_id: str, *, after: int = 0,
                             timeout: float = 10.0) -> Delivery:
        """The first successful delivery of `action` about the issue, among those sent after
        the first `after` deliveries."""
        return await poll(lambda: next(
            (d for d in list(self.deliveries)[after:] if d.ok and d.action == action
             and d.payload["data"]["id"] == issue_id), None), timeout,
            f"no successful {action} delivery of issue {issue_id}")

    def flush(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.01)

    def _delivery(self, action: str, data: dict[str, Any],
                  updated_from: dict[str, Any] | None = None, *, sent_at: datetime | None = None,
                  secret: str | None = None, url: str | None = None) -> Delivery:
        sent = sent_at or datetime.now(UTC)
        payload: dict[str, Any] = {
            "action": action, "actor": {"id": str(uuid.uuid4()), "name": "Someone",
                                        "type": "user"},
            "createdAt": _iso(sent), "data": data, "url": data.get("url"), "type": "Issue",
            "organizationId": self.organization["id"], "webhookTimestamp":
                int(sent.timestamp() * 1000), "webhookId": "fake-linear-webhook"}
        if updated_from is not None:
            payload["updatedFrom"] = updated_from
        body = json.dumps(payload).encode()
        delivery_id = str(uuid.uuid4())
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": "Linear-Webhook", "Linear-Delivery": delivery_id,
                   "Linear-Event": "Issue", "Linear-Signature": self.signed(body, secret)}
        return Delivery(delivery_id, action, url or self.webhook_url or "", body, headers)

    def _post(self, client: httpx.Client, delivery: Delivery) -> httpx.Response:
        if not delivery.url:
            raise RuntimeError("FakeLinear.webhook_url is not set")
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
        except httpx.HTTPError as error:
            delivery.error = repr(error)
            self.deliveries.append(delivery)
            raise
        delivery.status = response.status_code
        self.deliveries.append(delivery)
        return response

    def _queue(self, delivery: Delivery) -> None:
        if self.webhook_url:
            with self._lock:
                self._pending += 1
            self._outbox.put(delivery)

    def _notify(self, action: str, issue_id: str) -> None:
        self._queue(self._delivery(action, self._webhook_data(self.issues[issue_id])))

    def _send_forever(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while (delivery := self._outbox.get()) is not None:
                try:
                    self._post(client, delivery)
                except (httpx.HTTPError, RuntimeError):
                    pass  # recorded in deliveries
                finally:
                    with self._lock:
                        self._pending -= 1

    # --- HTTP ----------------------------------------------------------------------------------

    def _caller(self, request: Request) -> str | None:
        given = request.headers.get("authorization", "").strip()
        scheme, _, token = given.partition(" ")
        if scheme.lower() == "bearer":
            return self.oauth_tokens.get(token.strip())
        return self.api_keys.get(given)

    async def _graphql(self, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.requests.append(Call(request.method, request.url.path, {}, dict(request.headers),
                                  raw, body))
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                reset = int((time.time() + 1) * 1000)
                return _errors("Rate limit exceeded", "RATELIMITED", 400, **{
                    "X-RateLimit-Requests-Limit": "1500", "X-RateLimit-Requests-Remaining": "0",
                    "X-RateLimit-Requests-Reset": str(reset)})
        user = self._caller(request)
        if user is None:
            return _errors("Authentication required, not authenticated",
                           "AUTHENTICATION_ERROR", 401)
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _errors("Must provide query string.", "BAD_USER_INPUT", 400)
        try:
            document = parse(body["query"])
        except GraphQLError as error:
            return JSONResponse({"errors": [_coded(error, "GRAPHQL_PARSE_FAILED")]},
                                status_code=400)
        problems = validate(SCHEMA, document)
        if problems:
            return JSONResponse({"errors": [_coded(e, "GRAPHQL_VALIDATION_FAILED")
                                            for e in problems]}, status_code=400)
        result = execute(SCHEMA, document, root_value=_Root(self, user),
                         variable_values=body.get("variables") or {},
                         operation_name=body.get("operationName"))
        if result.errors and result.data is None:
            # Variables of the wrong shape, an unknown entity: Linear's errors, no data.
            status = 400 if any(e.path is None for e in result.errors) else 200
            return JSONResponse({"data": None, "errors": [_coded(e, "INVALID_INPUT")
                                                          for e in result.errors]},
                                status_code=status)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [_coded(e, "INVALID_INPUT") for e in result.errors]
        return JSONResponse(answer)

    async def _token(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        app = self.oauth_apps.get(str(form.get("client_id")))
        if app is None or form.get("client_secret") != app.client_secret:
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        user = app.codes.pop(str(form.get("code")), None)
        if user is None or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        token = f"lin_oauth_{secrets.token_hex(16)}"
        self.oauth_tokens[token] = user
        return JSONResponse({"access_token": token, "token_type": "Bearer",
                             "expires_in": 315705599, "scope": "read,write"})

    async def _revoke(self, request: Request) -> JSONResponse:
        _scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if self.oauth_tokens.pop(token.strip(), None) is None:
            return JSONResponse({"error": "invalid_token"}, status_code=400)
        return JSONResponse({"success": True})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _coded(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", code)
    formatted["extensions"] = extensions
    return formatted


class _Root:
    """The Query and Mutation fields: graphql-core calls each with (info, **arguments)."""

    def __init__(self, fake: FakeLinear, user_id: str) -> None:
        self._fake = fake
        self._user = user_id

    def viewer(self, _info) -> dict[str, Any]:
        return dict(self._fake.users[self._user])

    def organization(self, _info) -> dict[str, Any]:
        return dict(self._fake.organization)

    def user(self, _info, id: str) -> dict[str, Any]:
        if id not in self._fake.users:
            raise _not_found("User")
        return dict(self._fake.users[id])

    def team(self, _info, id: str) -> dict[str, Any]:
        try:
            return self._fake._team_node(self._fake.team(id)["id"])
        except StopIteration:
            raise _not_found("Team") from None

    def issue(self, _info, id: str) -> dict[str, Any]:
        found = self._fake.issues.get(id) or next(
            (i for i in self._fake.issues.values() if i["identifier"] == id), None)
        if found is None:
            raise _not_found("Issue")
        return self._fake._issue_node(found)

    def issues(self, _info, filter: dict | None = None, first: int | None = None,
               after: str | None = None, orderBy: str | None = None,
               includeArchived: bool | None = None) -> dict[str, Any]:
        size = 50 if first is None else first
        if not 0 < size <= MAX_FIRST:
            raise GraphQLError(f"first must be between 1 and {MAX_FIRST}",
                               extensions={"code": "INVALID_INPUT"})
        key = "updated_at" if orderBy == "updatedAt" else "created_at"
        rows = sorted((i for i in list(self._fake.issues.values())
                       if _matches(self._fake, i, filter or {})),
                      key=lambda i: (i[key], i["id"]), reverse=True)
        start = 0
        if after:
            try:
                start = int(base64.b64decode(after).decode()) + 1
            except ValueError:
                raise GraphQLError("Invalid cursor", extensions={"code": "INVALID_INPUT"}) \
                    from None
        page = rows[start:start + size]
        end = start + len(page) - 1
        cursor = base64.b64encode(str(end).encode()).decode() if page else None
        return {"nodes": [self._fake._issue_node(i) for i in page],
                "pageInfo": {"hasNextPage": start + len(page) < len(rows),
                             "hasPreviousPage": start > 0,
                             "startCursor": base64.b64encode(str(start).encode()).decode()
                             if page else None, "endCursor": cursor}}

    def issueUpdate(self, _info, id: str, input: dict) -> dict[str, Any]:
        fake = self._fake
        if id not in fake.issues:
            raise _not_found("Issue")
        issue = fake.issues[id]
        changes: dict[str, Any] = {}
        for name, column in (("title", "title"), ("description", "description"),
                             ("assigneeId", "assignee_id"), ("estimate", "estimate"),
                             ("projectId", "project_id")):
            if name in input:
                changes[column] = input[name]
        if "stateId" in input:
            if input["stateId"] not in {s["id"] for s in fake.teams[issue["team_id"]]["states"]}:
                raise GraphQLError("Entity not found: WorkflowState", extensions={
                    "code": "INVALID_INPUT"})
            changes["state_id"] = input["stateId"]
        fake.mutations.append({"id": id, "input": dict(input)})
        fake._change(id, changes, notify=True)
        return {"success": True, "issue": fake._issue_node(fake.issues[id]),
                "lastSyncId": float(len(fake.mutations))}


def _matches(fake: FakeLinear, issue: dict[str, Any], where: dict[str, Any]) -> bool:
    for name, condition in where.items():
        if condition is None:
            continue
        if name == "or" and not any(_matches(fake, issue, c) for c in condition):
            return False
        if name == "and" and not all(_matches(fake, issue, c) for c in condition):
            return False
        if name == "updatedAt" and not _compare(issue["updated_at"], condition):
            return False
        if name == "team":
            team = fake.teams[issue["team_id"]]
            if not all(_compare_text(team[k], c) for k, c in condition.items() if c):
                return False
        if name == "project" and not _compare_text(issue["project_id"],
                                                   condition.get("id") or {}):
            return False
    return True


def _compare(value: datetime, condition: dict[str, Any]) -> bool:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))

    checks = {"eq": lambda t: value == at(t), "gt": lambda t: value > at(t),
              "gte": lambda t: value >= at(t), "lt": lambda t: value < at(t),
              "lte": lambda t: value <= at(t)}
    return all(checks[op](given) for op, given in condition.items() if given is not None)


def _compare_text(value: str | None, condition: dict[str, Any]) -> bool:
    if condition.get("eq") is not None and value != condition["eq"]:
        return False
    return not (condition.get("in") is not None and value not in condition["in"])
