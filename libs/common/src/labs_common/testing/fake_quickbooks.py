"""A fake QuickBooks Online at its HTTP boundary: the Accounting API v3 subset Labs uses and
Intuit's OAuth 2.0, served together, answering as Intuit documents them
(https://developer.intuit.com/app/developer/qbo/docs/api/accounting/):

- OAuth: GET /connect/oauth2 is the consent page (it redirects to `redirect_uri` with `code`,
  `state` and `realmId`, for the company in `consent_realm`), or `authorize(realm_id)` gives a
  code directly; POST /oauth2/v1/tokens/bearer takes the `authorization_code` and
  `refresh_token` grants with the app's id and secret as HTTP Basic auth, and answers access
  tokens lasting `access_lifetime` seconds and refresh tokens of 100 days; a refresh token is
  spent by its use (the answer carries the next one); POST /v2/oauth2/tokens/revoke ends a
  grant;
- every API request is `Authorization: Bearer <token>` on /v3/company/<realm>/...: an unknown
  or expired token answers 401 with the `fault` AuthenticationFailed shape, another company's
  403 AuthorizationFailed; `minorversion` is accepted and ignored;
- companyinfo, the query language (`select * from <Entity> [where <field> <op> '<value>'
  [and ...]] [orderby <field> [asc|desc]] [startposition n] [maxresults n]`, by GET `?query=`
  or POST as application/text), creating Customer, Item and Invoice (answers wrapped as
  `{"Invoice": {...}, "time": ...}`; a used DocNumber is Fault 6140, a used name 6240), reading
  one, voiding an invoice (`?operation=void`), and Change Data Capture of payments
  (`/cdc?entities=Payment&changedSince=`), which refuses a changedSince older than 30 days;
- at most 10 requests in flight per company (Intuit's limit; past it, 429 ThrottleExceeded),
  the most ever in flight kept in `max_in_flight[realm]`; `throttle(n)` makes the next n
  requests 429; `drop_answers("invoice")` loses the answer of the next creation after making
  it (a 502, as a gateway timing out would); `latency` delays each API answer.

    with FakeQuickBooks() as qb:
        qb.add_oauth_app("client", "secret")
        company = qb.add_company("9130355", "Acme Books")
        code = qb.authorize("9130355")
        ...
        qb.add_payment("9130355", invoice_id)  # the invoice's whole balance, dated today
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from labs_common.testing.fake_server import Call, CallLog, FakePlatform, ServerThread

ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = 100 * 24 * 3600
CDC_DAYS = 30
CONCURRENT_LIMIT = 10
ENTITIES = ("Customer", "Item", "Invoice", "Payment", "Account")
_ids = itertools.count(100)


@dataclass
class Company:
    realm_id: str
    name: str
    rows: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {entity: {} for entity in ENTITIES})
    # Payments deleted in QuickBooks, as CDC reports them.
    deleted: list[dict[str, Any]] = field(default_factory=list)

    def of(self, entity: str) -> list[dict[str, Any]]:
        return list(self.rows[entity].values())


@dataclass
class Grant:
    realm_id: str
    client_id: str
    family: str
    expires_at: float


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def fault(code: str, message: str, detail: str = "", kind: str = "ValidationFault",
          status: int = 400) -> JSONResponse:
    return JSONResponse({"Fault": {"Error": [{"Message": message, "Detail": detail or message,
                                              "code": code, "element": ""}], "type": kind},
                         "time": _stamp(datetime.now(UTC))}, status_code=status)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _when(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the query language --------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*('(?:[^'\\]|\\.)*'|<=|>=|!=|[=<>*(),]|[\w.:+-]+)", re.IGNORECASE)


def _tokens(statement: str) -> list[str]:
    found, position = [], 0
    while position < len(statement):
        if statement[position:].strip() == "":
            break
        match = _TOKEN.match(statement, position)
        if match is None:
            raise ValueError(f"cannot read the query at {statement[position:position + 20]!r}")
        found.append(match.group(1))
        position = match.end()
    return found


def _literal(token: str) -> Any:
    if token.startswith("'"):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    if token.lower() in ("true", "false"):
        return token.lower() == "true"
    return token


@dataclass
class Query:
    entity: str
    where: list[tuple[str, str, Any]]
    order: tuple[str, bool] | None
    start: int
    limit: int


def parse_query(statement: str) -> Query:
    tokens = _tokens(statement)
    lower = [t.lower() for t in tokens]
    if lower[:3] != ["select", "*", "from"] or len(tokens) < 4:
        raise ValueError("only `select * from <Entity>` is understood")
    entity = next((e for e in ENTITIES if e.lower() == lower[3]), None)
    if entity is None:
        raise ValueError(f"unknown entity {tokens[3]}")
    position, where, order, start, limit = 4, [], None, 1, 100
    if position < len(tokens) and lower[position] == "where":
        position += 1
        while True:
            name, op, value = tokens[position:position + 3]
            if op not in ("=", "<", ">", "<=", ">=", "!="):
                raise ValueError(f"unknown operator {op}")
            where.append((name, op, _literal(value)))
            position += 3
            if position < len(tokens) and lower[position] == "and":
                position += 1
                continue
            break
    while position < len(tokens):
        word = lower[position]
        if word == "orderby":
            descending = position + 2 < len(tokens) and lower[position + 2] == "desc"
            order = (tokens[position + 1], descending)
            position += 3 if position + 2 < len(tokens) and lower[position + 2] in (
                "asc", "desc") else 2
        elif word == "startposition":
            start, position = int(tokens[position + 1]), position + 2
        elif word == "maxresults":
            limit, position = min(int(tokens[position + 1]), 1000), position + 2
        else:
            raise ValueError(f"unexpected {tokens[position]!r}")
    return Query(entity, where, order, max(start, 1), limit)


def _field(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    if actual is None:
        return False
    left, right = actual, wanted
    if isinstance(wanted, str) and isinstance(actual, str) and (
            (a := _when(actual)) is not None and (b := _when(wanted)) is not None
            and "T" in wanted):
        left, right = a, b
    elif isinstance(actual, (int, float)) and not isinstance(actual, bool):
        left, right = Decimal(str(actual)), Decimal(str(wanted))
    elif isinstance(actual, bool) or isinstance(wanted, bool):
        left, right = bool(actual), bool(wanted)
    else:
        left, right = str(actual), str(wanted)
    return {"=": left == right, "!=": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


class FakeQuickBooks(FakePlatform):
    def __init__(self, *, access_lifetime: float = ACCESS_LIFETIME, latency: float = 0.0
                 ) -> None:
        self.access_lifetime = access_lifetime
        self.latency = latency
        self.companies: dict[str, Company] = {}
        self.oauth_apps: dict[str, str] = {}
        self.access_tokens: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.codes: dict[str, tuple[str, str]] = {}  # code → (realm, redirect_uri or "")
        self.consent_realm: str | None = None
        self.requests = CallLog()
        self.refreshes = 0
        self.revoked: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self._throttle = 0
        self._drop: dict[str, int] = {}
        self._lock = threading.RLock()
        self._clock = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        self.app = Starlette(routes=[
            Route("/connect/oauth2", self._consent),
            Route("/oauth2/v1/tokens/bearer", self._token, methods=["POST"]),
            Route("/v2/oauth2/tokens/revoke", self._revoke, methods=["POST"]),
            Route("/v3/company/{realm}/companyinfo/{id}", self._api(self._company_info)),
            Route("/v3/company/{realm}/query", self._api(self._query), methods=["GET", "POST"]),
            Route("/v3/company/{realm}/cdc", self._api(self._cdc)),
            Route("/v3/company/{realm}/{entity}", self._api(self._create), methods=["POST"]),
            Route("/v3/company/{realm}/{entity}/{id}", self._api(self._read)),
        ])
        self._server = ServerThread(self.app, name="fake-quickbooks")

    # --- where its OAuth pages are ------------------------------------------------------------

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/connect/oauth2"

    @property
    def revoke_url(self) -> str:
        return f"{self.url}/v2/oauth2/tokens/revoke"

    # --- the company's books, as its users would change them -----------------------------------

    def _now(self) -> str:
        """LastUpdatedTime: a second later at every change, so `>` comparisons are exact."""
        with self._lock:
            self._clock = max(self._clock + timedelta(seconds=1),
                              datetime.now(UTC).replace(microsecond=0))
            return _stamp(self._clock)

    def _new(self, company: Company, entity: str, row: dict[str, Any]) -> dict[str, Any]:
        now = self._now()
        row = {**row, "Id": str(next(_ids)), "SyncToken": "0", "domain": "QBO",
               "MetaData": {"CreateTime": now, "LastUpdatedTime": now}}
        company.rows[entity][row["Id"]] = row
        return row

    def _touch(self, row: dict[str, Any]) -> None:
        row["SyncToken"] = str(int(row.get("SyncToken", "0")) + 1)
        row["MetaData"]["LastUpdatedTime"] = self._now()

    def add_oauth_app(self, client_id: str, client_secret: str) -> None:
        self.oauth_apps[client_id] = client_secret

    def add_company(self, realm_id: str, name: str, *, services_item: bool = True) -> Company:
        """A new company: an income account and, as QuickBooks makes them, a "Services" item."""
        with self._lock:
            company = self.companies[realm_id] = Company(realm_id, name)
            account = self._new(company, "Account", {"Name": "Sales", "AccountType": "Income",
                                                     "Active": True})
            if services_item:
                self._new(company, "Item", {"Name": "Services", "Type": "Service",
                                            "Active": True,
                                            "IncomeAccountRef": {"value": account["Id"]}})
            return company

    def authorize(self, realm_id: str) -> str:
        """The code Intuit's consent page sends back for a user who chose this company."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = (realm_id, "")
        return code

    def token_for(self, realm_id: str, client_id: str = "test") -> dict[str, Any]:
        """Tokens of a grant made without the consent page (tests of the API alone)."""
        return self._issue(realm_id, client_id, secrets.token_hex(8))

    def expire_access_tokens(self) -> None:
        with self._lock:
            for grant in self.access_tokens.values():
                grant.expires_at = 0

    def throttle(self, requests: int = 1) -> None:
        self._throttle += requests

    def drop_answers(self, entity: str, count: int = 1) -> None:
        """The next `count` creations of `entity` are made, and their answers lost (502)."""
        self._drop[entity.lower()] = self._drop.get(entity.lower(), 0) + count

    def invoices(self, realm_id: str, doc_number: str | None = None) -> list[dict[str, Any]]:
        rows = self.companies[realm_id].of("Invoice")
        return [r for r in rows if doc_number is None or r.get("DocNumber") == doc_number]

    def customers(self, realm_id: str, name: str | None = None) -> list[dict[str, Any]]:
        rows = self.companies[realm_id].of("Customer")
        return [r for r in rows if name is None or r.get("DisplayName") == name]

    def add_payment(self, realm_id: str, invoice_id: str, amount: Any = None, *,
                    txn_date: date | None = None) -> dict[str, Any]:
        """A payment received against the invoice (its whole balance unless `amount`)."""
        with self._lock:
            company = self.companies[realm_id]
            invoice = company.rows["Invoice"][invoice_id]
            paid = _money(amount if amount is not None else invoice["Balance"])
            payment = self._new(company, "Payment", {
                "TxnDate": (txn_date or date.today()).isoformat(), "TotalAmt": float(paid),
                "UnappliedAmt": 0, "CustomerRef": dict(invoice["CustomerRef"]),
                "CurrencyRef": dict(invoice.get("CurrencyRef") or {"value": "USD"}),
                "Line": [{"Amount": float(paid), "LinkedTxn": [
                    {"TxnId": invoice_id, "TxnType": "Invoice"}]}]})
            invoice["Balance"] = float(_money(invoice["Balance"]) - paid)
            self._touch(invoice)
            return payment

    def delete_payment(self, realm_id: str, payment_id: str) -> None:
        with self._lock:
            company = self.companies[realm_id]
            payment = company.rows["Payment"].pop(payment_id)
            for line in payment["Line"]:
                for linked in line["LinkedTxn"]:
                    invoice = company.rows["Invoice"][linked["TxnId"]]
                    invoice["Balance"] = float(_money(invoice["Balance"]) + _money(line["Amount"]))
                    self._touch(invoice)
            company.deleted.append({"Id": payment_id, "status": "Deleted", "domain": "QBO",
                                    "MetaData": {"LastUpdatedTime": self._now()}})

    def age(self, realm_id: str, entity: str, row_id: str, days: float) -> None:
        """Moves a row's LastUpdatedTime `days` into the past (a company's older history)."""
        row = self.companies[realm_id].rows[entity][row_id]
        moment = _when(row["MetaData"]["LastUpdatedTime"]) - timedelta(days=days)
        row["MetaData"]["LastUpdatedTime"] = _stamp(moment)

    def calls(self, method: str, path: str) -> list[Call]:
        return self.requests.calls(method, path)

    def queries(self, realm_id: str) -> list[str]:
        return [c.params.get("query", "") for c in list(self.requests)
                if c.path == f"/v3/company/{realm_id}/query"]

    # --- OAuth -----------------------------------------------------------------------------------

    def _issue(self, realm_id: str, client_id: str, family: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), f"AB11{secrets.token_urlsafe(32)}"
        with self._lock:
            self.access_tokens[access] = Grant(realm_id, client_id, family,
                                               time.time() + self.access_lifetime)
            self.refresh_tokens[refresh] = Grant(realm_id, client_id, family,
                                                 time.time() + REFRESH_LIFETIME)
        return {"token_type": "bearer", "access_token": access, "refresh_token": refresh,
                "expires_in": int(self.access_lifetime),
                "x_refresh_token_expires_in": REFRESH_LIFETIME}

    def _client(self, request: Request) -> str | None:
        """The app's id, if the Basic auth of the request is an app's id and secret."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return client_id if self.oauth_apps.get(client_id) == client_secret else None

    async def _consent(self, request: Request) -> Response:
        query = request.query_params
        self.requests.append(Call("GET", request.url.path, dict(query), dict(request.headers)))
        if query.get("client_id") not in self.oauth_apps or query.get("response_type") != "code" \
                or "com.intuit.quickbooks.accounting" not in query.get("scope", "").split():
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        realm = self.consent_realm
        if realm is None or realm not in self.companies:
            return JSONResponse({"error": "access_denied"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = (realm, query.get("redirect_uri", ""))
        back = urlencode({"code": code, "state": query.get("state", ""), "realmId": realm})
        return RedirectResponse(f"{query.get('redirect_uri')}?{back}", status_code=302)

    async def _token(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.requests.append(Call("POST", request.url.path, form, dict(request.headers)))
        client_id = self._client(request)
        if client_id is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant_type = form.get("grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                found = self.codes.pop(str(form.get("code")), None)
                if found is None or (found[1] and found[1] != form.get("redirect_uri")):
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                return JSONResponse(self._issue(found[0], client_id, secrets.token_hex(8)))
            if grant_type == "refresh_token":
                grant = self.refresh_tokens.pop(str(form.get("refresh_token")), None)
                if grant is None or grant.client_id != client_id or grant.expires_at < time.time():
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                self.refreshes += 1
                return JSONResponse(self._issue(grant.realm_id, client_id, grant.family))
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)

    async def _revoke(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(Call("POST", request.url.path, {}, dict(request.headers),
                                  json=body))
        if self._client(request) is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = str(body.get("token", ""))
        with self._lock:
            grant = self.refresh_tokens.get(token) or self.access_tokens.get(token)
            if grant is None:
                return JSONResponse({"error": "invalid_token"}, status_code=400)
            self.revoked.append(token)
            for tokens in (self.refresh_tokens, self.access_tokens):
                for key in [k for k, g in tokens.items() if g.family == grant.family]:
                    del tokens[key]
        return JSONResponse({})

    # --- the API ---------------------------------------------------------------------------------

    def _api(self, handler):
        async def answer(request: Request) -> Response:
            realm = request.path_params["realm"]
            body = await request.body()
            call = Call(request.method, request.url.path, dict(request.query_params),
                        dict(request.headers), body=body)
            self.requests.append(call)
            with self._lock:
                in_flight = self.in_flight[realm] = self.in_flight.get(realm, 0) + 1
                self.max_in_flight[realm] = max(self.max_in_flight.get(realm, 0), in_flight)
            try:
                if self.latency:
                    await asyncio.sleep(self.latency)
                response = self._refused(request, realm, in_flight)
                if response is None:
                    response = await handler(request, self.companies[realm], body)
            finally:
                with self._lock:
                    self.in_flight[realm] -= 1
            call.status = response.status_code
            return response

        return answer

    def _refused(self, request: Request, realm: str, in_flight: int) -> Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        grant = self.access_tokens.get(token)
        if grant is None or grant.expires_at < time.time():
            return JSONResponse({"warnings": None, "intuitObject": None, "fault": {"error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": "Token expired: " + token[:6] if grant else "Token invalid",
                "code": "3200"}], "type": "AUTHENTICATION"}, "report": None,
                "time": _stamp(datetime.now(UTC))}, status_code=401)
        if grant.realm_id != realm or realm not in self.companies:
            return fault("3100", "message=AuthorizationFailed; errorCode=003100; "
                         "statusCode=403", kind="AUTHORIZATION", status=403)
        with self._lock:
            throttled = self._throttle > 0 or in_flight > CONCURRENT_LIMIT
            if self._throttle > 0:
                self._throttle -= 1
        if throttled:
            return fault("3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                         "The request limit was reached.", kind="SERVICE", status=429)
        return None

    @staticmethod
    def _wrapped(entity: str, row: dict[str, Any]) -> JSONResponse:
        return JSONResponse({entity: row, "time": _stamp(datetime.now(UTC))})

    async def _company_info(self, request: Request, company: Company, _body: bytes
                            ) -> Response:
        if request.path_params["id"] != company.realm_id:
            return fault("2500", "Invalid Reference Id")
        return self._wrapped("CompanyInfo", {"Id": "1", "CompanyName": company.name,
                                             "Country": "US", "SyncToken": "0"})

    async def _query(self, request: Request, company: Company, body: bytes) -> Response:
        statement = request.query_params.get("query") or body.decode()
        try:
            query = parse_query(statement)
        except (ValueError, IndexError) as error:
            return fault("4000", "Error parsing query", str(error))
        rows = [r for r in company.of(query.entity)
                if all(_compare(_field(r, name), op, value) for name, op, value in query.where)]
        if query.order:
            name, descending = query.order
            rows.sort(key=lambda r: str(_field(r, name) or ""), reverse=descending)
        else:
            rows.sort(key=lambda r: int(r["Id"]))
        page = rows[query.start - 1:query.start - 1 + query.limit]
        response: dict[str, Any] = {}
        if page:
            response = {query.entity: page, "startPosition": query.start,
                        "maxResults": len(page)}
        return JSONResponse({"QueryResponse": response, "time": _stamp(datetime.now(UTC))})

    async def _cdc(self, request: Request, company: Company, _body: bytes) -> Response:
        since = _when(request.query_params.get("changedSince", ""))
        entities = request.query_params.get("entities", "").split(",")
        if since is None:
            return fault("2020", "Required param missing, need to supply the required value "
                         "for the API", "changedSince")
        if since < datetime.now(UTC) - timedelta(days=CDC_DAYS):
            return fault("2010", "Request has invalid or unsupported property",
                         "changedSince must be within the last 30 days")
        found: list[dict[str, Any]] = []
        if "Payment" in entities:
            for row in [*company.of("Payment"), *company.deleted]:
                changed = _when(row["MetaData"]["LastUpdatedTime"])
                if changed is not None and changed >= since:
                    found.append(row)
        part = {"Payment": found[:1000], "startPosition": 1, "maxResults": len(found[:1000])} \
            if found else {}
        return JSONResponse({"CDCResponse": [{"QueryResponse": [part]}],
                             "time": _stamp(datetime.now(UTC))})

    async def _read(self, request: Request, company: Company, _body: bytes) -> Response:
        entity = next((e for e in ENTITIES if e.lower() == request.path_params["entity"]), None)
        row = company.rows[entity].get(request.path_params["id"]) if entity else None
        if row is None:
            return fault("610", "Object Not Found", "Something you're trying to use has been "
                         "made inactive or is no longer there.")
        return self._wrapped(entity, row)

    async def _create(self, request: Request, company: Company, body: bytes) -> Response:
        entity = next((e for e in ("Customer", "Item", "Invoice")
                       if e.lower() == request.path_params["entity"]), None)
        if entity is None:
            return fault("2014", "Unsupported operation")
        try:
            data = (await request.json()) if body else {}
        except ValueError:
            return fault("2010", "Request has invalid or unsupported property")
        with self._lock:
            if entity == "Invoice" and request.query_params.get("operation") == "void":
                return self._void(company, data)
            made = {"Customer": self._customer, "Item": self._item,
                    "Invoice": self._invoice}[entity](company, data)
            if isinstance(made, Response):
                return made
            if self._drop.get(entity.lower(), 0) > 0:
                self._drop[entity.lower()] -= 1
                return Response("Bad Gateway", status_code=502)
        return self._wrapped(entity, made)

    def _customer(self, company: Company, data: dict[str, Any]) -> dict[str, Any] | Response:
        name = str(data.get("DisplayName") or "").strip()
        if not name:
            return fault("2020", "Required param missing, need to supply the required value "
                         "for the API", "DisplayName")
        if any(r["DisplayName"] == name for r in company.of("Customer")):
            return fault("6240", "Duplicate Name Exists Error", "The name supplied already "
                         f"exists. : Another customer is already using this name: {name}")
        return self._new(company, "Customer", {**data, "DisplayName": name, "Active": True,
                                               "Balance": 0})

    def _item(self, company: Company, data: dict[str, Any]) -> dict[str, Any] | Response:
        name = str(data.get("Name") or "").strip()
        account = (data.get("IncomeAccountRef") or {}).get("value")
        if not name or account not in company.rows["Account"]:
            return fault("2020", "Required param missing, need to supply the required value "
                         "for the API", "Name and IncomeAccountRef")
        if any(r["Name"] == name for r in company.of("Item")):
            return fault("6240", "Duplicate Name Exists Error", f"The name {name} is in use.")
        return self._new(company, "Item", {**data, "Name": name, "Active": True})

    def _invoice(self, company: Company, data: dict[str, Any]) -> dict[str, Any] | Response:
        customer = str((data.get("CustomerRef") or {}).get("value") or "")
        if customer not in company.rows["Customer"]:
            return fault("2500", "Invalid Reference Id", f"Invalid Customer Id: {customer}")
        number = data.get("DocNumber")
        if number is not None and len(str(number)) > 21:
            return fault("2050", "String length is either shorter or longer than supported by "
                         "specification", "DocNumber: max 21 characters")
        if number and any(r.get("DocNumber") == number for r in company.of("Invoice")):
            used = next(r for r in company.of("Invoice") if r.get("DocNumber") == number)
            return fault("6140", "Duplicate Document Number Error",
                         "Duplicate Document Number Error : You must specify a different "
                         f"number. This number has already been used. DocNumber={number} is "
                         f"assigned to TxnType=Invoice with TxnId={used['Id']}")
        lines = data.get("Line") or []
        if not lines:
            return fault("2020", "Required param missing, need to supply the required value "
                         "for the API", "Line")
        total = Decimal(0)
        for n, line in enumerate(lines, 1):
            detail = line.get("SalesItemLineDetail") or {}
            if (detail.get("ItemRef") or {}).get("value") not in company.rows["Item"]:
                return fault("2500", "Invalid Reference Id", f"Line {n}: no such item")
            amount = _money(line.get("Amount", 0))
            if "Qty" in detail and "UnitPrice" in detail and _money(
                    Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"]))) != amount:
                return fault("6070", "Amount is not equal to UnitPrice * Qty",
                             f"Line {n}: Amount {amount}")
            line.update(Id=str(n), LineNum=n)
            total += amount
        return self._new(company, "Invoice", {
            **data, "TotalAmt": float(total), "Balance": float(total),
            "TxnDate": data.get("TxnDate") or date.today().isoformat()})

    def _void(self, company: Company, data: dict[str, Any]) -> Response:
        row = company.rows["Invoice"].get(str(data.get("Id")))
        if row is None:
            return fault("610", "Object Not Found")
        if str(data.get("SyncToken")) != row["SyncToken"]:
            return fault("5010", "Stale Object Error", "You and another user were working on "
                         "the same thing.")
        row.update(Balance=0, TotalAmt=0, PrivateNote="Voided")
        for line in row["Line"]:
            line["Amount"] = 0
        self._touch(row)
        return self._wrapped("Invoice", row)
