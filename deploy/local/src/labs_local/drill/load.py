"""The steady write load: clients of one organization creating projects, time entries and invoices
through the gateway, each POST with an Idempotency-Key, retried with the same key on 5xx, timeouts
and connection errors, as a client would. Every acknowledged write is recorded."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}
FINAL_CONFLICTS = ("GENERATION_ABANDONED", "INVOICE_DELETED")
# A write given up after this long unacknowledged (longer than any outage of the drill).
GIVE_UP_SECONDS = 300.0
PASSWORD = "drill-correct-horse-battery"


@dataclass
class Ack:
    kind: str  # project | time_entry | invoice
    key: str
    id: str
    at: float
    project_id: str | None = None


@dataclass
class Record:
    """What the load saw: acknowledged writes, every status with its time, writes given up."""

    acks: list[Ack] = field(default_factory=list)
    statuses: list[tuple[float, int, str]] = field(default_factory=list)
    errors: list[tuple[float, str, str]] = field(default_factory=list)
    gave_up: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)

    def acks_between(self, start: float, end: float) -> int:
        return sum(1 for a in self.acks if start <= a.at < end)


class Client:
    def __init__(self, http: httpx.AsyncClient, email: str, org_id: str | None,
                 record: Record) -> None:
        self.http = http
        self.email = email
        self.org_id = org_id
        self.record = record
        self.token = ""
        # What it is retrying right now: (method path, key, since, last status or error).
        self.current: tuple[str, str, float, str] | None = None

    async def login(self) -> None:
        body = {"email": self.email, "password": PASSWORD}
        if self.org_id:
            body["organization_id"] = self.org_id
        answer = await self.call("POST", "/auth/login", json=body, auth=False, idempotent=False)
        self.token = answer["access_token"]

    async def call(self, method: str, path: str, *, json=None, auth: bool = True,
                   idempotent: bool = True, accept: tuple[int, ...] = ()) -> dict | None:
        """Retries until answered: a 2xx answers its JSON; a status in `accept` answers None;
        another 4xx raises. POSTs carry one Idempotency-Key across all their retries."""
        key = str(uuid.uuid4()) if (method == "POST" and idempotent) else None
        started = time.monotonic()
        delay = 0.25
        while True:
            headers = {}
            if key:
                headers["Idempotency-Key"] = key
            if auth:
                headers["Authorization"] = f"Bearer {self.token}"
            try:
                response = await self.http.request(method, path, json=json, headers=headers)
            except httpx.HTTPError as error:
                self.record.errors.append((time.time(), path, type(error).__name__))
                self.current = (f"{method} {path}", key or "", started, type(error).__name__)
                status = None
            else:
                status = response.status_code
                self.current = (f"{method} {path}", key or "", started, _said(response))
                self.record.statuses.append((time.time(), status, f"{method} {path}"))
                if 200 <= status < 300:
                    self.current = None
                    return {"_key": key, **(response.json() if response.content else {})}
                if status in accept:
                    self.current = None
                    return None
                if status == 401 and auth:
                    await self.login()
                    continue
                # A conflict that says "use a new key" is final for this key (a client would
                # start over with a new one); "in progress" is worth retrying.
                final_conflict = status == 409 and any(
                    reason in response.text for reason in FINAL_CONFLICTS)
                if status not in RETRYABLE or final_conflict:
                    self.current = None
                    self.record.rejected.append((f"{method} {path}", status, response.text[:300]))
                    raise Rejected(status, response.text[:300])
                if status == 429:
                    retry_after = response.headers.get("Retry-After", "1")
                    delay = max(delay, float(retry_after) if retry_after.isdigit() else 1.0)
            if time.monotonic() - started > GIVE_UP_SECONDS:
                self.current = None
                self.record.gave_up.append((f"{method} {path}", key or ""))
                raise GaveUp(path)
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)


def _said(response: httpx.Response) -> str:
    """A status and, for a problem, its reason (or the start of its detail)."""
    if response.status_code < 400:
        return str(response.status_code)
    try:
        problem = response.json()
        what = problem.get("reason") or str(problem.get("detail", ""))[:60]
    except (ValueError, AttributeError):
        what = response.text[:60]
    return f"{response.status_code} {what}".strip()


class Rejected(Exception):
    pass


class GaveUp(Exception):
    pass


class Load:
    """`clients` concurrent writers sharing one organization's projects."""

    def __init__(self, api: str, clients: int = 4, pace: float = 0.3) -> None:
        self.api = api
        self.clients = clients
        self.pace = pace
        self.record = Record()
        self.projects: list[str] = []
        self.org_id = ""
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._http: list[httpx.AsyncClient] = []

    def _client(self, email: str) -> Client:
        http = httpx.AsyncClient(base_url=self.api, timeout=10.0, trust_env=False)
        self._http.append(http)
        return Client(http, email, self.org_id or None, self.record)

    writers: list[Client]

    async def start(self) -> None:
        email = f"drill-{uuid.uuid4().hex[:8]}@example.com"
        owner = self._client(email)
        answer = await owner.call("POST", "/auth/signup", auth=False, json={
            "email": email, "password": PASSWORD, "organization_name": "Drill Studio",
            "first_name": "Drill",
        })
        owner.token = answer["access_token"]
        self.org_id = answer["organization"]["id"]
        owner.org_id = self.org_id
        self.owner = owner
        for _ in range(2):
            await self._create_project(owner)
        writers = self.writers = [owner]
        for _ in range(self.clients - 1):
            writer = self._client(email)
            writer.org_id = self.org_id
            await writer.login()
            writers.append(writer)
        self._tasks = [asyncio.create_task(self._run(w), name=f"load-{i}")
                       for i, w in enumerate(writers)]

    def retrying(self) -> list[str]:
        """What the writers are retrying right now, and for how long."""
        now = time.monotonic()
        return [f"{what} key {key[:8]} for {now - since:.0f} s (last {last})"
                for what, key, since, last in (w.current for w in self.writers if w.current)]

    async def stop(self, wait: float = 30.0) -> list[str]:
        """Stops the writers; answers what was still unacknowledged after `wait` seconds."""
        self._stop.set()
        # Let writes in flight finish their retries (bounded), so they count as acked or not.
        _done, pending = await asyncio.wait(self._tasks, timeout=wait)
        stuck = self.retrying() if pending else []
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for http in self._http:
            await http.aclose()
        return stuck

    async def _run(self, client: Client) -> None:
        while not self._stop.is_set():
            roll = random.random()
            try:
                if roll < 0.12 or not self.projects:
                    await self._create_project(client)
                elif roll < 0.85:
                    await self._create_entry(client)
                else:
                    await self._generate(client)
            except (Rejected, GaveUp):
                pass
            await asyncio.sleep(self.pace * (0.5 + random.random()))

    async def _create_project(self, client: Client) -> None:
        name = f"drill {uuid.uuid4().hex[:12]}"
        answer = await client.call("POST", "/projects", json={
            "name": name, "client_name": "Drill Client", "budget_type": "time_and_materials",
            "budget_total": "100000.00", "budget_currency": "EUR",
            "billing_rate_override": "100.00", "status": "active",
        })
        self.record.acks.append(Ack("project", name, answer["id"], time.time()))
        self.projects.append(answer["id"])

    async def _create_entry(self, client: Client) -> None:
        project = random.choice(self.projects[-12:])
        notes = f"drill {uuid.uuid4().hex}"
        worked = date.today() - timedelta(days=random.randrange(1, 20))
        answer = await client.call("POST", f"/projects/{project}/time-entries", json={
            "hours": 1.25, "date_worked": worked.isoformat(), "notes": notes,
        })
        self.record.acks.append(Ack("time_entry", notes, answer["id"], time.time(), project))

    async def _generate(self, client: Client) -> None:
        project = random.choice(self.projects[-12:])
        today = date.today()
        body = {"project_id": project, "period_start": (today - timedelta(days=30)).isoformat(),
                "period_end": today.isoformat()}
        # Two generations of the same period at once: never one entry on two invoices.
        answers = await asyncio.gather(
            client.call("POST", "/invoices/generate", json=body, accept=(422,)),
            client.call("POST", "/invoices/generate", json=body, accept=(422,)),
            return_exceptions=True,
        )
        for answer in answers:
            if isinstance(answer, dict):
                self.record.acks.append(Ack("invoice", answer["_key"], answer["id"], time.time(),
                                            project))
