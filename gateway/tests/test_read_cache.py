"""The read cache (middleware/read_cache.py) in front of a small app that counts what reaches it:
in-process over ASGI, no services, no NATS."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Response

from labs.events.v1 import envelope_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Unauthenticated
from labs_common.visibility import Reader
from labs_gateway.middleware.read_cache import (
    ReadCache,
    ReadCacheMiddleware,
    answered_in_part,
    cached_read,
)
from labs_gateway.ws.hub import Hub

ORG, OTHER_ORG = uuid.uuid4(), uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Tokens:
    """Bearer tokens standing for principals; unknown ones are refused, as a bad JWT is."""

    principals: dict[str, Principal] = field(default_factory=dict)

    def add(self, name: str, role: Role = Role.OWNER, org: uuid.UUID = ORG,
            client_id: uuid.UUID | None = None) -> dict[str, str]:
        self.principals[name] = Principal(user_id=uuid.uuid4(), org_id=org, role=role,
                                          token=name, client_id=client_id)
        return {"Authorization": f"Bearer {name}"}

    async def authenticate(self, credential: str | None) -> Principal:
        if credential not in self.principals:
            raise Unauthenticated("Authentication required.")
        return self.principals[credential]


class Financials:
    async def reader_for(self, principal: Principal) -> Reader:
        return Reader.of(principal)


@dataclass
class World:
    http: httpx.AsyncClient
    cache: ReadCache
    clock: Clock
    tokens: Tokens
    served: list[str]
    connected: list[bool]
    gate: dict[str, asyncio.Event]


@pytest.fixture
async def world():
    served: list[str] = []
    gate: dict[str, asyncio.Event] = {}
    app = FastAPI()

    @app.get("/projects")
    @cached_read("projects", "forecasting")
    async def projects(response: Response, q: str = ""):
        served.append("projects")
        if "slow" in gate:
            gate["started"].set()
            await gate["slow"].wait()
        response.headers["ETag"] = f'"{len(served)}"'
        return {"projects": len(served), "q": q}

    @app.get("/projects/{id}")
    @cached_read("projects")
    async def project(id: str):
        served.append(id)
        if id == "missing":
            return Response(status_code=404)
        return {"id": id, "served": len(served)}

    @app.get("/clients")
    @cached_read("projects")
    async def partly():
        served.append("clients")
        answered_in_part()  # e.g. the margins' service did not answer
        return {"clients": []}

    @app.get("/timers/current")
    async def uncached():
        served.append("timer")
        return {"served": len(served)}

    @app.post("/projects")
    async def create():
        served.append("create")
        return {"created": True}

    clock, tokens, connected = Clock(), Tokens(), [True]
    cache = ReadCache(seconds=10, max_bytes=1 << 20, clock=clock)
    cache.listen(lambda: connected[0])
    app.add_middleware(ReadCacheMiddleware, cache=cache, authenticator=tokens,
                       financials=Financials())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://gateway") as http:
        yield World(http, cache, clock, tokens, served, connected, gate)


async def test_a_second_read_is_answered_from_memory_with_the_same_body_and_etag(world):
    owner = world.tokens.add("owner")
    first = await world.http.get("/projects", headers=owner)
    second = await world.http.get("/projects", headers=owner)
    assert second.json() == first.json() == {"projects": 1, "q": ""}
    assert second.headers["ETag"] == first.headers["ETag"] == '"1"'
    assert world.served == ["projects"]


async def test_each_reader_and_url_has_its_own_answer(world):
    owner = world.tokens.add("owner")
    member = world.tokens.add("member", Role.MEMBER)
    client = world.tokens.add("client", Role.CLIENT, client_id=uuid.uuid4())
    for headers in (owner, member, client):
        await world.http.get("/projects", headers=headers)
    await world.http.get("/projects?q=web", headers=owner)
    await world.http.get("/projects/a", headers=owner)
    assert len(world.served) == 5
    # Asked again, none of them reaches the app.
    for headers in (owner, member, client):
        await world.http.get("/projects", headers=headers)
    assert (await world.http.get("/projects?q=web", headers=owner)).json()["q"] == "web"
    assert len(world.served) == 5


async def test_a_write_of_the_organization_is_read_at_once_and_another_orgs_is_not_noticed(world):
    owner = world.tokens.add("owner")
    stranger = world.tokens.add("stranger", org=OTHER_ORG)
    await world.http.get("/projects", headers=owner)
    await world.http.post("/projects", headers=stranger)
    assert (await world.http.get("/projects", headers=owner)).json()["projects"] == 1
    await world.http.post("/projects", headers=owner)
    assert (await world.http.get("/projects", headers=owner)).json()["projects"] == 4


async def test_an_event_of_a_service_the_route_reads_retires_its_answers_and_no_other(world):
    owner = world.tokens.add("owner")
    await world.http.get("/projects", headers=owner)
    await world.http.get("/projects/a", headers=owner)
    for source in ("time", "billing", "integrations"):  # entries, invoices: read by neither
        world.cache.forget(str(ORG), source)
    world.cache.forget(str(OTHER_ORG), "projects")
    assert (await world.http.get("/projects", headers=owner)).json()["projects"] == 1
    world.cache.forget(str(ORG), "forecasting")  # a margin: the list reads it, the project not
    assert (await world.http.get("/projects", headers=owner)).json()["projects"] == 3
    assert (await world.http.get("/projects/a", headers=owner)).json()["served"] == 2
    world.cache.forget(str(ORG), "identity")  # roles and the financials level: read by all
    assert (await world.http.get("/projects/a", headers=owner)).json()["served"] == 4


async def test_a_read_that_overlapped_a_change_is_not_kept(world):
    owner = world.tokens.add("owner")
    world.gate.update(slow=asyncio.Event(), started=asyncio.Event())
    reading = asyncio.create_task(world.http.get("/projects", headers=owner))
    await world.gate["started"].wait()
    world.cache.forget(str(ORG), "projects")  # the change's event arrives meanwhile
    world.gate["slow"].set()
    assert (await reading).status_code == 200
    del world.gate["slow"]
    await world.http.get("/projects", headers=owner)
    assert world.served == ["projects", "projects"]


async def test_unmarked_routes_failures_and_no_cache_requests_always_reach_the_app(world):
    owner = world.tokens.add("owner")
    for _ in range(2):
        await world.http.get("/timers/current", headers=owner)
        assert (await world.http.get("/projects/missing", headers=owner)).status_code == 404
    await world.http.get("/projects", headers=owner)
    await world.http.get("/projects", headers={**owner, "Cache-Control": "no-cache"})
    assert world.served == ["timer", "missing", "timer", "missing", "projects", "projects"]


async def test_an_answer_given_in_part_is_not_kept(world):
    owner = world.tokens.add("owner")
    await world.http.get("/clients", headers=owner)
    await world.http.get("/clients", headers=owner)
    assert world.served == ["clients", "clients"]


async def test_a_refused_credential_is_never_answered_from_memory(world):
    owner = world.tokens.add("owner")
    await world.http.get("/projects", headers=owner)
    del world.tokens.principals["owner"]  # the session ended, the token expired
    await world.http.get("/projects", headers=owner)
    assert world.served == ["projects", "projects"]


async def test_answers_expire(world):
    owner = world.tokens.add("owner")
    await world.http.get("/projects", headers=owner)
    world.clock.now += 9.9
    await world.http.get("/projects", headers=owner)
    world.clock.now += 0.2
    await world.http.get("/projects", headers=owner)
    assert world.served == ["projects", "projects"]


async def test_nothing_is_served_while_events_are_not_arriving_and_all_is_forgotten_after(world):
    owner = world.tokens.add("owner")
    await world.http.get("/projects", headers=owner)
    world.connected[0] = False
    await world.http.get("/projects", headers=owner)
    await world.http.get("/projects", headers=owner)
    world.cache.forget_all()  # what the NATS connection's trouble callback does
    world.connected[0] = True
    assert (await world.http.get("/projects", headers=owner)).json()["projects"] == 4


def test_memory_is_bounded_least_recently_used_first():
    cache = ReadCache(seconds=10, max_bytes=1600)  # an answer may take a sixteenth: 100 bytes
    began, sources = cache.generations("org"), ("projects",)
    assert not cache.put(("huge",), "org", began, sources, 200, [], b"x" * 101)
    for n in range(16):
        assert cache.put((n,), "org", began, sources, 200, [], b"x" * 100)
    assert cache.get((0,)) is not None  # now the most recently used
    cache.put((16,), "org", began, sources, 200, [], b"x" * 100)
    assert len(cache) == 16
    assert cache.get((1,)) is None
    assert cache.get((0,)) is not None and cache.get((16,)) is not None


def test_a_read_that_began_before_a_change_of_what_it_reads_keeps_nothing():
    cache = ReadCache(seconds=10, max_bytes=1 << 20)
    began = cache.generations("org")
    cache.forget("org", "time")
    assert cache.put(("k",), "org", began, ("projects",), 200, [], b"{}")  # time: not read
    began = cache.generations("org")
    cache.forget("org", "projects")
    assert not cache.put(("k",), "org", began, ("projects",), 200, [], b"{}")
    assert cache.get(("k",)) is None
    began = cache.generations("org")
    cache.forget("org")  # a write: whatever it touched
    assert not cache.put(("k",), "org", began, ("projects",), 200, [], b"{}")


async def test_the_hub_tells_the_cache_of_every_event_even_with_no_socket_open():
    heard: list[tuple[str, str]] = []
    hub = Hub(None, changed=lambda org, source: heard.append((org, source)))
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="project.updated",
                                     source="projects", org_id=str(ORG))
    await hub._on_event(SimpleNamespace(data=envelope.SerializeToString(),
                                        subject="labs.projects.v1.project.updated"))
    assert heard == [(str(ORG), "projects")]
