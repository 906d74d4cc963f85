"""QuickBooks Online's Accounting API (v3) over httpx: Intuit's Python SDK is synchronous and
unmaintained, and the API is plain JSON. Every request names the company (the realm) in its
path and the `minorversion` Labs was written against; at most `quickbooks_max_concurrency`
requests are in flight per company in this replica (Intuit allows 10 and answers 429 past
that). A token QuickBooks refuses (401) is refreshed once through the caller's token source and
the request sent again. Failures come back as `QuickBooksFailed`, saying whether asking again
later may help (429, 5xx, unreachable) or not (a validation fault, with its code). Never called
inside a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Protocol

import httpx

from labs_integrations.config import Settings
from labs_integrations.domain.quickbooks import QUERY_PAGE, query_time

USER_AGENT = "Labs (integrations@labs.dev)"
TIMEOUT_SECONDS = 30


class QuickBooksFailed(Exception):
    """`transient`: asking again later may work. `auth`: QuickBooks refused the token or the
    company (connect again). `code`: the fault's code ("6140", "2500"...)."""

    def __init__(self, message: str, *, status: int = 0, code: str = "",
                 transient: bool = False, auth: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.transient = transient
        self.auth = auth
        self.retry_after = retry_after


class TokenSource(Protocol):
    """The company a caller works on and its access token, kept fresh by whoever holds it
    (service_layer/quickbooks_tokens.py)."""

    realm_id: str

    async def token(self) -> str: ...

    async def refreshed(self, stale: str) -> str:
        """A token other than `stale`, which QuickBooks has just refused."""
        ...


class StaticToken:
    """One token, never refreshed: a connection being made (its token is minutes old)."""

    def __init__(self, realm_id: str, access_token: str) -> None:
        self.realm_id = realm_id
        self._token = access_token

    async def token(self) -> str:
        return self._token

    async def refreshed(self, stale: str) -> str:
        raise QuickBooksFailed("QuickBooks does not accept this token.", status=401, auth=True)


def _fault(body: Any) -> tuple[str, str]:
    """(code, message) of a Fault; QuickBooks spells it `Fault.Error` in most answers and
    `fault.error` in its 401s."""
    if not isinstance(body, dict):
        return "", ""
    fault = body.get("Fault") or body.get("fault") or {}
    if not isinstance(fault, dict):
        return "", ""
    errors = fault.get("Error") or fault.get("error") or []
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "", ""
    first = errors[0]
    message = str(first.get("Message") or first.get("message") or "")
    detail = str(first.get("Detail") or first.get("detail") or "")
    text = f"{message}: {detail}" if detail and detail != message else message
    return str(first.get("code") or ""), text


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


class QuickBooksApi:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.quickbooks_api_url.rstrip("/")
        self._minor = settings.quickbooks_minor_version
        self._limit = settings.quickbooks_max_concurrency
        self._gates: dict[str, asyncio.Semaphore] = {}

    def _gate(self, realm_id: str) -> asyncio.Semaphore:
        found = self._gates.get(realm_id)
        if found is None:
            found = self._gates[realm_id] = asyncio.Semaphore(self._limit)
        return found

    async def call(self, source: TokenSource, method: str, path: str, *,
                   params: dict[str, str] | None = None,
                   body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON answer of `method` on /v3/company/<realm>/<path>."""
        token = await source.token()
        answer = await self._send(source.realm_id, token, method, path, params, body)
        if answer.status_code == 401:
            token = await source.refreshed(token)
            answer = await self._send(source.realm_id, token, method, path, params, body)
        return self._body(answer)

    async def _send(self, realm_id: str, token: str, method: str, path: str,
                    params: dict[str, str] | None, body: dict[str, Any] | None
                    ) -> httpx.Response:
        url = f"{self._base}/v3/company/{realm_id}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        query = {**(params or {}), "minorversion": self._minor}
        async with self._gate(realm_id):
            try:
                async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                    return await client.request(method, url, params=query, json=body,
                                                headers=headers)
            except httpx.HTTPError as error:
                raise QuickBooksFailed(f"QuickBooks cannot be reached: {type(error).__name__}",
                                       transient=True) from error

    @staticmethod
    def _body(answer: httpx.Response) -> dict[str, Any]:
        try:
            body = answer.json()
        except ValueError:
            body = None
        code, message = _fault(body)
        status = answer.status_code
        if status == 200 and isinstance(body, dict) and not code:
            return body
        if status == 429:
            raise QuickBooksFailed("QuickBooks asked Labs to slow down (429).", status=status,
                                   code=code, transient=True, retry_after=_retry_after(answer))
        if status >= 500:
            raise QuickBooksFailed(f"QuickBooks answered {status}" + (
                f": {message}" if message else "."), status=status, code=code, transient=True)
        if status in (401, 403):
            raise QuickBooksFailed(message or "QuickBooks refused the connection's token for "
                                   "this company.", status=status, code=code, auth=True)
        raise QuickBooksFailed(message or f"QuickBooks answered {status}.", status=status,
                               code=code)

    # --- what Labs asks of QuickBooks ------------------------------------------------------------

    async def query(self, source: TokenSource, statement: str, entity: str, *,
                    start: int = 1, page: int = QUERY_PAGE) -> list[dict[str, Any]]:
        """One page of `statement`'s rows of `entity` (STARTPOSITION is 1-based)."""
        answer = await self.call(source, "GET", "query", params={
            "query": f"{statement} STARTPOSITION {start} MAXRESULTS {page}"})
        return list((answer.get("QueryResponse") or {}).get(entity) or [])

    async def query_pages(self, source: TokenSource, statement: str, entity: str, *,
                          page: int = QUERY_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
        start = 1
        while True:
            rows = await self.query(source, statement, entity, start=start, page=page)
            if rows:
                yield rows
            if len(rows) < page:
                return
            start += page

    async def create(self, source: TokenSource, entity: str, body: dict[str, Any]
                     ) -> dict[str, Any]:
        answer = await self.call(source, "POST", entity.lower(), body=body)
        return dict(answer.get(entity) or {})

    async def read(self, source: TokenSource, entity: str, entity_id: str) -> dict[str, Any]:
        answer = await self.call(source, "GET", f"{entity.lower()}/{entity_id}")
        return dict(answer.get(entity) or {})

    async def void_invoice(self, source: TokenSource, invoice_id: str, sync_token: str
                           ) -> dict[str, Any]:
        answer = await self.call(source, "POST", "invoice", params={"operation": "void"},
                                 body={"Id": invoice_id, "SyncToken": sync_token})
        return dict(answer.get("Invoice") or {})

    async def company_info(self, source: TokenSource) -> dict[str, Any]:
        answer = await self.call(source, "GET", f"companyinfo/{source.realm_id}")
        return dict(answer.get("CompanyInfo") or {})

    async def changed_payments(self, source: TokenSource, since) -> list[dict[str, Any]]:
        """Payments changed since `since` (within CDC's 30 days), deleted ones included with
        `status: Deleted`."""
        answer = await self.call(source, "GET", "cdc", params={
            "entities": "Payment", "changedSince": query_time(since)})
        found: list[dict[str, Any]] = []
        for response in answer.get("CDCResponse") or []:
            for part in response.get("QueryResponse") or []:
                found.extend(part.get("Payment") or [])
        return found
