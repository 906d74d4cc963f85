"""A fake Harvest at its HTTP boundary: API v2 (users, company, clients, projects, time entries)
and its OAuth (id.getharvest.com), served together, as Harvest documents them
(https://help.getharvest.com/api-v2/):

- every API call needs `Authorization: Bearer <token>`, `Harvest-Account-Id` and a
  `User-Agent`; an unknown, expired or other account's token answers 401 `invalid_token`;
- lists take `per_page` (1 to 2,000, default 2,000), `page`, `updated_since` (ISO 8601) and, for
  time entries, `from`/`to` (spent dates), and answer `{<rows>, per_page, total_pages,
  total_entries, next_page, page, links: {first, next, previous, last}}`, time entries newest
  spent date first;
- at most `limit` requests per `window` seconds per token: past that, 429 with `Retry-After`;
- OAuth: `authorize(account_id)` gives a code as the user's consent would; POST
  /api/v2/oauth2/token exchanges it (or a refresh token) for tokens that expire after
  `token_lifetime` seconds; GET /api/v2/accounts lists the user's accounts.

    with FakeHarvest() as harvest:
        account = harvest.add_account("123456", "Acme Studio", token="pat-acme")
        ana = harvest.add_user(account, "Ana", "Lima", "ana@acme.test")
        site = harvest.add_project(account, "Website", client="Acme")
        harvest.add_entry(account, ana, site, "2026-03-02", 2.5, billable_rate=150, cost_rate=60)
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread

MAX_PER_PAGE = 2000
_ids = itertools.count(1_000_001)


@dataclass
class Account:
    id: str
    name: str
    currency: str = "USD"
    users: dict[int, dict] = field(default_factory=dict)
    clients: dict[int, dict] = field(default_factory=dict)
    projects: dict[int, dict] = field(default_factory=dict)
    entries: dict[int, dict] = field(default_factory=dict)


@dataclass
class Token:
    account_ids: tuple[str, ...]
    expires_at: float | None = None
    user_id: int | None = None


class FakeHarvest(FakePlatform):
    def __init__(self, *, limit: int = 100, window: float = 15.0,
                 token_lifetime: float = 14 * 24 * 3600) -> None:
        self.limit, self.window, self.token_lifetime = limit, window, token_lifetime
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.codes: dict[str, Token] = {}
        self.oauth_apps: dict[str, str] = {}
        self.requests = CallLog()
        self.throttled = 0  # 429s answered
        self._sent: dict[str, list[float]] = {}
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/v2/users/me", self._me),
            Route("/v2/company", self._company),
            Route("/v2/users", self._list("users")),
            Route("/v2/clients", self._list("clients")),
            Route("/v2/projects", self._list("projects")),
            Route("/v2/projects/{id:int}", self._project),
            Route("/v2/time_entries", self._list("entries", "time_entries")),
            Route("/api/v2/oauth2/token", self._token, methods=["POST"]),
            Route("/api/v2/accounts", self._accounts),
        ])
        self._server = ServerThread(self.app, name="fake-harvest")

    # --- the platform's data, as its users would change it -------------------------------------

    def _now(self) -> str:
        """Harvest's updated_at: a second later at every change, so `updated_since` is exact."""
        with self._lock:
            self._clock = max(self._clock + timedelta(seconds=1),
                              datetime.now(UTC).replace(microsecond=0))
            return self._clock.isoformat().replace("+00:00", "Z")

    def add_account(self, account_id: str, name: str, *, token: str | None = None,
                    currency: str = "USD") -> Account:
        account = self.accounts[account_id] = Account(account_id, name, currency)
        if token:
            self.tokens[token] = Token((account_id,))
        return account

    def add_oauth_app(self, client_id: str, client_secret: str) -> None:
        self.oauth_apps[client_id] = client_secret

    def authorize(self, *account_ids: str) -> str:
        """The code Harvest's consent screen sends back, for a user of these accounts."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = Token(tuple(account_ids))
        return code

    def add_user(self, account: Account, first: str, last: str, email: str, *,
                 cost_rate: float | None = None, default_hourly_rate: float | None = None) -> int:
        user_id = next(_ids)
        account.users[user_id] = {
            "id": user_id, "first_name": first, "last_name": last, "email": email,
            "is_active": True, "cost_rate": cost_rate, "default_hourly_rate": default_hourly_rate,
            "created_at": self._now(), "updated_at": self._now()}
        return user_id

    def add_project(self, account: Account, name: str, *, client: str, billable: bool = True
                    ) -> int:
        found = next((c for c in account.clients.values() if c["name"] == client), None)
        if found is None:
            client_id = next(_ids)
            found = account.clients[client_id] = {
                "id": client_id, "name": client, "is_active": True,
                "currency": account.currency, "updated_at": self._now()}
        project_id = next(_ids)
        account.projects[project_id] = {
            "id": project_id, "name": name, "code": "", "is_active": True,
            "is_billable": billable, "client": {"id": found["id"], "name": found["name"],
                                                "currency": found["currency"]},
            "updated_at": self._now()}
        return project_id

    def add_entry(self, account: Account, user_id: int, project_id: int, spent_date: str,
                  hours: float, *, notes: str = "", billable: bool = True,
                  billable_rate: float | None = None, cost_rate: float | None = None,
                  rounded_hours: float | None = None, approval_status: str = "unsubmitted",
                  is_running: bool = False) -> int:
        entry_id = next(_ids)
        user, project = account.users[user_id], account.projects[project_id]
        now = self._now()
        account.entries[entry_id] = {
            "id": entry_id, "spent_date": spent_date, "hours": hours,
            "rounded_hours": hours if rounded_hours is None else rounded_hours,
            "notes": notes, "billable": billable, "billable_rate": billable_rate,
            "cost_rate": cost_rate, "is_running": is_running, "is_locked": False,
            "approval_status": approval_status,
            "user": {"id": user_id, "name": f"{user['first_name']} {user['last_name']}"},
            "client": project["client"],
            "project": {"id": project_id, "name": project["name"], "code": project["code"]},
            "task": {"id": 1, "name": "Design"}, "created_at": now, "updated_at": now}
        return entry_id

    def edit_entry(self, account: Account, entry_id: int, **changes: Any) -> None:
        account.entries[entry_id].update(changes, updated_at=self._now())

    def delete_entry(self, account: Account, entry_id: int) -> None:
        del account.entries[entry_id]

    def calls(self, path: str) -> list[Call]:
        return self.requests.calls("GET", path)

    # --- HTTP ------------------------------------------------------------------------------------

    def _log(self, request: Request) -> None:
        self.requests.append(Call(request.method, request.url.path, dict(request.query_params),
                                  dict(request.headers)))

    def _throttle(self, token: str) -> JSONResponse | None:
        with self._lock:
            now = time.monotonic()
            sent = [at for at in self._sent.get(token, []) if now - at < self.window]
            if len(sent) >= self.limit:
                self.throttled += 1
                self._sent[token] = sent
                retry = max(1, int(self.window - (now - sent[0])) + 1)
                return JSONResponse({"error": "Too Many Requests"}, status_code=429,
                                    headers={"Retry-After": str(retry)})
            sent.append(now)
            self._sent[token] = sent
        return None

    def _account(self, request: Request) -> tuple[Account | None, JSONResponse | None]:
        self._log(request)
        if not request.headers.get("user-agent"):
            return None, JSONResponse({"error": "A User-Agent header is required"},
                                      status_code=400)
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        found = self.tokens.get(token)
        account_id = request.headers.get("harvest-account-id", "")
        if found is None or account_id not in found.account_ids or (
                found.expires_at is not None and found.expires_at < time.time()):
            return None, JSONResponse({"error": "invalid_token", "error_description":
                                       "The access token provided is expired, revoked, "
                                       "malformed or invalid for other reasons."},
                                      status_code=401)
        if (throttled := self._throttle(token)) is not None:
            return None, throttled
        return self.accounts[account_id], None

    async def _me(self, request: Request) -> JSONResponse:
        account, refused = self._account(request)
        if refused:
            return refused
        assert account is not None
        first = next(iter(account.users.values()), {"id": 1, "first_name": "Owner",
                                                     "last_name": "", "email": ""})
        return JSONResponse(first)

    async def _company(self, request: Request) -> JSONResponse:
        account, refused = self._account(request)
        if refused:
            return refused
        assert account is not None
        return JSONResponse({"name": account.name, "is_active": True,
                             "full_domain": f"{account.id}.harvestapp.com"})

    async def _project(self, request: Request) -> JSONResponse:
        account, refused = self._account(request)
        if refused:
            return refused
        assert account is not None
        found = account.projects.get(request.path_params["id"])
        if found is None:
            return JSONResponse({"error": "Not Found"}, status_code=404)
        return JSONResponse(found)

    def _list(self, attribute: str, key: str | None = None):
        key = key or attribute

        async def answer(request: Request) -> JSONResponse:
            account, refused = self._account(request)
            if refused:
                return refused
            assert account is not None
            query = request.query_params
            try:
                per_page = int(query.get("per_page", MAX_PER_PAGE))
                page = int(query.get("page", 1))
                since = query.get("updated_since")
                since_at = datetime.fromisoformat(since.replace("Z", "+00:00")) if since \
                    else None
                first = date.fromisoformat(query["from"]) if "from" in query else None
                last = date.fromisoformat(query["to"]) if "to" in query else None
            except ValueError as error:
                return JSONResponse({"message": str(error)}, status_code=422)
            if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
                return JSONResponse({"message": "per_page must be between 1 and 2000"},
                                    status_code=422)
            rows = list(getattr(account, attribute).values())
            if since_at is not None:
                rows = [r for r in rows if datetime.fromisoformat(
                    r["updated_at"].replace("Z", "+00:00")) >= since_at]
            if attribute == "entries":
                if first is not None:
                    rows = [r for r in rows if date.fromisoformat(r["spent_date"]) >= first]
                if last is not None:
                    rows = [r for r in rows if date.fromisoformat(r["spent_date"]) <= last]
                rows.sort(key=lambda r: (r["spent_date"], r["id"]), reverse=True)
            pages = max(1, -(-len(rows) // per_page))
            base = {k: v for k, v in query.items() if k != "page"} | {"per_page": per_page}

            def link(number: int | None) -> str | None:
                if number is None:
                    return None
                return f"{self.url}{request.url.path}?{urlencode({**base, 'page': number})}"

            following = page + 1 if page < pages else None
            return JSONResponse({
                key: rows[(page - 1) * per_page:page * per_page], "per_page": per_page,
                "total_pages": pages, "total_entries": len(rows), "next_page": following,
                "previous_page": page - 1 if page > 1 else None, "page": page,
                "links": {"first": link(1), "next": link(following),
                          "previous": link(page - 1 if page > 1 else None),
                          "last": link(pages)}})

        return answer

    def _issue(self, grant: Token) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = Token(grant.account_ids, time.time() + self.token_lifetime)
        self.refresh_tokens[refresh] = Token(grant.account_ids)
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
                "expires_in": int(self.token_lifetime)}

    async def _token(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.requests.append(Call("POST", request.url.path, form, dict(request.headers)))
        if self.oauth_apps.get(str(form.get("client_id"))) != form.get("client_secret"):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(str(form.get("code")), None)
        elif form.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.pop(str(form.get("refresh_token")), None)
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(self._issue(grant))

    async def _accounts(self, request: Request) -> JSONResponse:
        self._log(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        found = self.tokens.get(token)
        if found is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"user": {"id": 1}, "accounts": [
            {"id": int(a), "name": self.accounts[a].name, "product": "harvest"}
            for a in found.account_ids if a in self.accounts]})
