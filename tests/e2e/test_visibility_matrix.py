"""What a reader may not see over REST it never sees on the WebSocket or in the activity feed.

One organization with a reader of every role, each with a socket. Every kind of event the hub can
emit is caused once; right after each, every reader asks REST for the same object. A socket must
then have received the event exactly when REST showed the object, with `data` equal to what REST
answered that reader (same keys, same types, same values), and the activity feed must hold the
same events for the same readers without a field REST hid.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import pytest
import websockets
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

ROLES = ("owner", "manager", "member", "viewer", "client")
INTERNAL = {"cost_rate", "cost_rates", "billing_rate_override", "github_repo_url",
            "slack_channel_id"}


@dataclass
class Reader:
    role: str
    session: dict
    socket: websockets.ClientConnection | None = None
    received: list[dict] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.session["access_token"])

    @property
    def user_id(self) -> str:
        return self.session["user"]["id"]


@dataclass
class Caused:
    """One event caused, and what REST showed each reader of the object right after."""

    type: str
    object_id: str
    shown: dict[str, dict | None]  # role → the REST object, or None when REST refused it


async def rest_view(http, reader: Reader, path: str, pick=None) -> dict | None:
    response = await http.get(path, headers=reader.headers)
    if response.status_code in (403, 404):
        return None
    assert response.status_code == 200, (reader.role, path, response.text)
    body = response.json()
    return pick(body) if pick else body


async def drain(reader: Reader) -> None:
    """Everything the hub queued for this socket so far: a pong is queued behind it."""
    await reader.socket.send('{"type": "ping"}')
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = json.loads(await asyncio.wait_for(reader.socket.recv(), 10))
        if message["type"] == "pong":
            return
        reader.received.append(message)
    raise AssertionError(f"{reader.role}: no pong")


def find(items: list[dict], key: str, value: str) -> dict | None:
    return next((item for item in items if item[key] == value), None)


async def test_every_channel_shows_each_role_what_rest_shows_it(suite, http):
    owner = await sign_up(http, "Matrix Studio")
    headers = auth(owner["access_token"])
    first = (await http.post("/projects", headers=headers,
                             json={"name": "Portal", "client_name": "Initech"})).json()
    client_id = first["client_id"]
    readers = {"owner": Reader("owner", owner)}
    for role in ROLES[1:]:
        extra = {"client_id": client_id} if role == "client" else {}
        readers[role] = Reader(role, await join_as(http, owner, role, **extra))
    manager = readers["manager"]
    member = readers["member"]
    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    for reader in readers.values():
        reader.socket = await websockets.connect(f"{url}?token={reader.session['access_token']}")
        await drain(reader)
        reader.received.clear()

    caused: list[Caused] = []

    async def shown_to_all(type_: str, object_id: str, path: str, pick=None) -> None:
        caused.append(Caused(type_, object_id, {
            role: await rest_view(http, reader, path, pick) for role, reader in readers.items()}))

    try:
        # A project of the client created after its socket connected reaches it all the same.
        project = (await http.post("/projects", headers=manager.headers, json={
            "name": "Relaunch", "client_id": client_id, "billing_rate_override": "210.00"})).json()
        await shown_to_all("project:created", project["id"], f"/projects/{project['id']}")
        pid = project["id"]

        task = (await http.post(f"/projects/{pid}/tasks", headers=member.headers,
                                json={"title": "Hero banner", "estimated_hours": 3.5})).json()
        await shown_to_all("task:created", task["id"], f"/tasks/{task['id']}")
        moved = await http.patch(f"/tasks/{task['id']}", headers=member.headers,
                                 json={"status": "in_progress"})
        assert moved.status_code == 200, moved.text
        await shown_to_all("task:updated", task["id"], f"/tasks/{task['id']}")

        person = (await http.post("/resources", headers=manager.headers, json={
            "name": "Mo", "email": "mo@example.com", "user_id": member.user_id,
            "seniority_level": "mid", "billing_rate": "150.00", "cost_rate": "70.00",
            "currency": "USD"})).json()
        await shown_to_all("resource:created", person["id"], f"/resources/{person['id']}")
        repriced = await http.patch(f"/resources/{person['id']}", headers=manager.headers, json={
            "billing_rate": "160.00", "cost_rate": "75.00", "effective_from": "2026-01-01"})
        assert repriced.status_code == 200, repriced.text
        await shown_to_all("resource:rates_changed", "2026-01-01",
                           f"/resources/{person['id']}/rates",
                           lambda body: find(body["rates"], "effective_from", "2026-01-01"))

        allocation = (await http.post("/allocations", headers=manager.headers, json={
            "resource_id": person["id"], "project_id": pid, "allocated_hours": 20,
            "start_date": "2027-03-01", "end_date": "2027-03-28"})).json()
        await shown_to_all("allocation:changed", allocation["id"],
                           f"/resources/{person['id']}/allocations?start_week=2027-03-01&weeks=4",
                           lambda body: find(body["allocations"], "id", allocation["id"]))

        own = (await http.post(f"/projects/{pid}/time-entries", headers=member.headers, json={
            "hours": 2.5, "date_worked": "2026-03-02", "notes": "banner"})).json()
        await shown_to_all("time:entry:created", own["id"], f"/time-entries/{own['id']}")
        others = (await http.post(f"/projects/{pid}/time-entries", headers=manager.headers,
                                  json={"hours": 1, "date_worked": "2026-03-02"})).json()
        await shown_to_all("time:entry:created", others["id"], f"/time-entries/{others['id']}")

        expense = (await http.post(f"/projects/{pid}/expenses", headers=member.headers, json={
            "description": "Fonts", "amount": "49.00", "currency": "USD",
            "expense_date": "2026-03-02", "category": "software", "billable": True})).json()
        await shown_to_all("expense:recorded", expense["id"], f"/expenses/{expense['id']}")

        uploaded = (await http.post(f"/projects/{pid}/files", headers=member.headers,
                                    files={"file": ("brief.txt", b"the brief", "text/plain")})
                    ).json()
        await shown_to_all("file:uploaded", uploaded["id"], f"/files/{uploaded['id']}")

        newcomer = await join_as(http, owner, "member")
        await shown_to_all("member:joined", newcomer["user"]["id"],
                           "/organizations/current/members",
                           lambda body: next((m for m in body["members"]
                                              if m["user"]["id"] == newcomer["user"]["id"]), None))

        await _every_event_reached_the_owner(readers["owner"], caused)
        for reader in readers.values():
            await drain(reader)
    finally:
        for reader in readers.values():
            await reader.socket.close()

    for reader in readers.values():
        for event in caused:
            expected = event.shown[reader.role]
            got = [m for m in reader.received
                   if m["type"] == event.type and _object_id(event, m["data"]) == event.object_id]
            if expected is None:
                assert got == [], (reader.role, event.type, got)
                continue
            assert len(got) == 1, (reader.role, event.type, [m["type"] for m in reader.received])
            data = dict(got[0]["data"])
            if event.type.startswith("project:"):
                # A project event carries the projects service's own object; the REST read adds
                # the team (capacity's) and the margin (forecasting's, with its own event).
                expected = {k: v for k, v in expected.items()
                            if k not in ("team_allocation", "margin")}
            if "project_id" not in expected:
                data.pop("project_id", None)  # the envelope's project, beside the REST object
            assert data == expected, (reader.role, event.type)
        _nothing_internal(reader)

    await _the_feed_applies_the_same_rules(http, readers, caused, {first["id"], pid})


def _object_id(event: Caused, data: dict) -> str:
    if event.type == "member:joined":
        return data["user"]["id"]
    if event.type == "resource:rates_changed":
        return data.get("effective_from") or ""
    return data.get("id", "")


async def _every_event_reached_the_owner(owner: Reader, caused: list[Caused]) -> None:
    """The owner sees everything: once its socket has had every event, the hub has decided
    each one for every socket."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await drain(owner)
        missing = [e.type for e in caused if not any(
            m["type"] == e.type and _object_id(e, m["data"]) == e.object_id
            for m in owner.received)]
        if not missing:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the owner never heard of {missing}")


def _nothing_internal(reader: Reader) -> None:
    if reader.role in ("owner", "manager"):
        return
    for message in reader.received:
        text = json.dumps(message["data"])
        hidden = INTERNAL if reader.role == "client" else {"cost_rate", "cost_rates"}
        assert not any(f'"{key}"' in text for key in hidden), (reader.role, message["type"])


FEED_ACTIONS = {
    "project:created": "project.created", "task:created": "task.created",
    "task:updated": "task.updated", "resource:created": "resource.created",
    "resource:rates_changed": "resource.rates_changed", "allocation:changed": "allocation.changed",
    "time:entry:created": "entry.created", "expense:recorded": "expense.recorded",
    "file:uploaded": "file.uploaded", "member:joined": "member.joined",
}


async def _the_feed_applies_the_same_rules(http, readers: dict[str, Reader],
                                           caused: list[Caused], client_projects: set[str]
                                           ) -> None:
    await _feed_has_all(http, readers["owner"], caused)
    for reader in readers.values():
        feed = (await http.get("/activity", headers=reader.headers, params={"limit": 500})).json()
        entries = feed["activities"]
        for event in caused:
            mine = [a for a in entries if a["action"] == FEED_ACTIONS[event.type]
                    and _about(a, event)]
            assert (mine != []) is (event.shown[reader.role] is not None), (reader.role, event)
        hidden = ({"cost_rate", "cost_rates"} if reader.role not in ("owner", "manager")
                  else set()) | ({"billing_rate_override"} if reader.role == "client" else set())
        leaks = [a["action"] for a in entries
                 if any(f'"{key}"' in json.dumps(a["metadata"]) for key in hidden)]
        assert leaks == [], reader.role
        if reader.role == "client":
            assert {a["project_id"] for a in entries} <= client_projects


def _about(activity: dict, event: Caused) -> bool:
    if event.type == "resource:rates_changed":
        return activity["metadata"].get("rate", {}).get("effective_from") == event.object_id
    if event.type == "member:joined":
        return activity["metadata"]["member"]["user"]["id"] == event.object_id
    return activity["entity_id"] == event.object_id


async def _feed_has_all(http, owner: Reader, caused: list[Caused]) -> None:
    """The feed is a read model: wait (with a deadline) until the owner's holds every event."""
    deadline = time.monotonic() + 20
    while True:
        feed = (await http.get("/activity", headers=owner.headers, params={"limit": 500})).json()
        missing = [e.type for e in caused if not any(
            a["action"] == FEED_ACTIONS[e.type] and _about(a, e) for a in feed["activities"])]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the feed never had {missing}")
        await asyncio.sleep(0.2)
