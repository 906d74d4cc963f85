"""A fake Asana at its HTTP boundary: API 1.0's `/users/me` and a project's tasks
(`/projects/{gid}/tasks`), as Asana documents them (https://developers.asana.com/reference):

- every call needs `Authorization: Bearer <personal access token>`; anything else answers 401
  `{"errors": [{"message": "Not Authorized"}]}`;
- answers are `{"data": ...}`, compact (gid, name, resource_type) unless `opt_fields` names what
  to show, dotted paths reaching into objects (`assignee.email`, `memberships.section.name`);
- a list takes `limit` (1 to 100, else 400) and the opaque `offset` of the page before, and
  answers `next_page: {offset, path, uri}`, or null on the last page;
- an unknown project answers 404 `Unknown object`, an id that is not one 400;
- `throttle(n, retry_after)` answers the next n calls 429 with `Retry-After`, as Asana's rate
  limit does;
- OAuth (on the same server, as on app.asana.com): `authorize(client_id, user_gid,
  redirect_uri)` is the user's consent; POST /-/oauth_token takes the form of an
  authorization_code or refresh_token grant (client_id and client_secret in it, and the
  redirect_uri) and answers `{access_token, token_type, expires_in, refresh_token, data: {gid,
  name, email}}` (a refresh sends no refresh token: it stays good); access tokens last an hour
  (`oauth.token_lifetime`); POST /-/oauth_revoke ends a grant (`token`: its refresh token).

    with FakeAsana() as asana:
        ana = asana.add_user("Ana Lima", "ana@acme.test", token="asana-token")
        site = asana.add_project("Website", sections=("To do", "In progress", "Done"))
        asana.add_task(site, "Home page", section="In progress", assignee=ana,
                       estimate_hours=3)
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labs_common.testing.fake_oauth import FakeOAuth, OAuthRefused, token_request
from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread

MAX_LIMIT = 100
_gids = itertools.count(1_200_000_000_000_001)


def _gid() -> str:
    return str(next(_gids))


def _errors(message: str, status: int, **headers: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, headers=headers)


def project(value: Any, paths: list[list[str]]) -> Any:
    """`value` with only the dotted `paths` (and every object's gid and resource_type)."""
    if isinstance(value, list):
        return [project(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    shown = {k: value[k] for k in ("gid", "resource_type") if k in value}
    for name in {path[0] for path in paths}:
        if name not in value:
            continue
        deeper = [path[1:] for path in paths if path[0] == name and len(path) > 1]
        shown[name] = project(value[name], deeper) if deeper else value[name]
    return shown


class FakeAsana(FakePlatform):
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}  # token → user gid
        self.projects: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.requests = CallLog()
        self.throttled = 0
        self._throttle_next = 0
        self._retry_after = 1
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        self._lock = threading.Lock()
        self.oauth = FakeOAuth(token_lifetime=3600, prefix="2/asana")
        self.app = Starlette(routes=[
            Route("/users/me", self._me),
            Route("/projects/{gid}/tasks", self._tasks),
            Route("/-/oauth_token", self._token, methods=["POST"]),
            Route("/-/oauth_revoke", self._revoke, methods=["POST"]),
        ])
        self._server = ServerThread(self.app, name="fake-asana")

    # --- the workspace's data, as its people would change it -----------------------------------

    def _now(self) -> str:
        with self._lock:
            self._clock += timedelta(seconds=1)
            return self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def add_user(self, name: str, email: str, *, token: str | None = None) -> str:
        gid = _gid()
        self.users[gid] = {"gid": gid, "resource_type": "user", "name": name, "email": email}
        if token:
            self.tokens[token] = gid
        return gid

    def add_project(self, name: str, *, sections: tuple[str, ...] = ("Untitled section",)
                    ) -> str:
        gid = _gid()
        self.projects[gid] = {"gid": gid, "resource_type": "project", "name": name,
                              "sections": {title: {"gid": _gid(), "resource_type": "section",
                                                   "name": title} for title in sections}}
        return gid

    def add_task(self, project_gid: str, name: str, *, notes: str = "", completed: bool = False,
                 section: str | None = None, assignee: str | None = None,
                 estimate_hours: float | None = None, estimate_minutes: int | None = None) -> str:
        """A task of the project, in `section` (else its first), assigned to a user's gid;
        `estimate_hours` is a number field "Estimated hours", `estimate_minutes` Asana's own
        "Estimated time" (a duration)."""
        gid = _gid()
        self.tasks[gid] = {"gid": gid, "project": project_gid, "name": name, "notes": notes,
                           "completed": completed, "section": section, "assignee": assignee,
                           "estimate_hours": estimate_hours,
                           "estimate_minutes": estimate_minutes, "modified_at": self._now()}
        return gid

    def edit_task(self, gid: str, **changes: Any) -> None:
        self.tasks[gid].update(changes, modified_at=self._now())

    def throttle(self, calls: int, retry_after: int = 1) -> None:
        self._throttle_next, self._retry_after = calls, retry_after

    def calls(self, path: str) -> list[Call]:
        return self.requests.calls("GET", path)

    # --- HTTP ------------------------------------------------------------------------------------

    def _caller(self, request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
        self.requests.append(Call(request.method, request.url.path, dict(request.query_params),
                                  dict(request.headers)))
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                return None, _errors("You have made too many requests recently. Please, be "
                                     "chill.", 429, **{"Retry-After": str(self._retry_after)})
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self.users.get(self.tokens.get(token.strip()) or
                              self.oauth.subject_of(token.strip()) or "") \
            if scheme.lower() == "bearer" else None
        if user is None:
            return None, _errors("Not Authorized", 401)
        return user, None

    @staticmethod
    def _paths(request: Request) -> list[list[str]] | None:
        fields = request.query_params.get("opt_fields")
        return [f.strip().split(".") for f in fields.split(",") if f.strip()] if fields \
            else None

    async def _me(self, request: Request) -> JSONResponse:
        user, refused = self._caller(request)
        if refused:
            return refused
        assert user is not None
        full = {**user, "workspaces": [{"gid": "1", "resource_type": "workspace",
                                        "name": "Workspace"}]}
        paths = self._paths(request)
        return JSONResponse({"data": project(full, paths) if paths else full})

    def _full(self, task: dict[str, Any]) -> dict[str, Any]:
        owner = self.projects[task["project"]]
        sections = owner["sections"]
        section = sections.get(task["section"] or "") or next(iter(sections.values()))
        assignee = self.users.get(task["assignee"] or "")
        fields = []
        if task["estimate_hours"] is not None:
            fields.append({"gid": "77001", "resource_type": "custom_field",
                           "name": "Estimated hours", "resource_subtype": "number",
                           "representation_type": "number",
                           "number_value": task["estimate_hours"]})
        if task["estimate_minutes"] is not None:
            fields.append({"gid": "77002", "resource_type": "custom_field",
                           "name": "Estimated time", "resource_subtype": "number",
                           "representation_type": "duration",
                           "number_value": task["estimate_minutes"]})
        return {"gid": task["gid"], "resource_type": "task", "resource_subtype": "default_task",
                "name": task["name"], "notes": task["notes"], "completed": task["completed"],
                "assignee": dict(assignee) if assignee else None,
                "memberships": [{"project": {"gid": owner["gid"], "resource_type": "project",
                                             "name": owner["name"]},
                                 "section": section}],
                "modified_at": task["modified_at"], "custom_fields": fields}

    async def _tasks(self, request: Request) -> JSONResponse:
        _user, refused = self._caller(request)
        if refused:
            return refused
        gid = request.path_params["gid"]
        if not gid.isdigit():
            return _errors(f"project: Not a recognized ID: {gid}", 400)
        if gid not in self.projects:
            return _errors(f"project: Unknown object: {gid}", 404)
        query = request.query_params
        try:
            limit = int(query.get("limit", MAX_LIMIT))
            start = int(base64.urlsafe_b64decode(query["offset"]).decode()) \
                if query.get("offset") else 0
        except (ValueError, binascii.Error):
            return _errors("offset: Your pagination token is invalid.", 400)
        if not 1 <= limit <= MAX_LIMIT:
            return _errors("limit: Must be between 1 and 100", 400)
        rows = [t for t in self.tasks.values() if t["project"] == gid]
        page = rows[start:start + limit]
        paths = self._paths(request)
        data = [project(self._full(t), paths) if paths else
                {"gid": t["gid"], "resource_type": "task", "name": t["name"],
                 "resource_subtype": "default_task"} for t in page]
        following = start + len(page)
        next_page = None
        if following < len(rows):
            offset = base64.urlsafe_b64encode(str(following).encode()).decode()
            path = f"/projects/{gid}/tasks?limit={limit}&offset={offset}"
            next_page = {"offset": offset, "path": path, "uri": f"{self.url}{path}"}
        return JSONResponse({"data": data, "next_page": next_page})

    async def _token(self, request: Request) -> JSONResponse:
        form = await token_request(request, self.requests)
        try:
            gid, tokens = self.oauth.grant(form, form.get("client_id", ""),
                                           form.get("client_secret", ""))
        except OAuthRefused as refused:
            return JSONResponse({"error": refused.error, "error_description":
                                 "The grant is invalid."}, status_code=refused.status)
        user = self.users[gid]
        return JSONResponse({**tokens, "data": {k: user[k] for k in ("gid", "name", "email")}})

    async def _revoke(self, request: Request) -> JSONResponse:
        form = await token_request(request, self.requests)
        try:
            self.oauth.check_client(form.get("client_id", ""), form.get("client_secret", ""))
        except OAuthRefused as refused:
            return JSONResponse({"error": refused.error}, status_code=refused.status)
        if not self.oauth.revoke(form.get("token", "")):
            return JSONResponse({"error": "invalid_token"}, status_code=400)
        return JSONResponse({})
