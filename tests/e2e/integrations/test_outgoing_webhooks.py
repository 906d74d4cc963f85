"""Outgoing webhooks through the gateway: an admin registers an endpoint (the secret answered
once), a change in Labs reaches it as a signed POST whose body is the very message the creator's
WebSocket shows, the deliveries are listed and one is sent again with the same body; roles and
other tenants are refused."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
import websockets
from aiohttp import web
from e2e_helpers import auth, join_as, receive_until, sign_up

from labs_integrations.domain.webhooks import verify

pytestmark = pytest.mark.e2e


class Receiver:
    def __init__(self) -> None:
        self.url = ""
        self.received: list[tuple[dict[str, str], str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.text()))
        return web.Response(status=200, text="ok")

    async def until(self, predicate, what: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while True:
            found = [item for item in self.received if predicate(item)]
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no delivery before the deadline: {what}")
            await asyncio.sleep(0.1)


@pytest.fixture
async def receiver():
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}/hooks"
    yield found
    await runner.cleanup()


def ws_url(suite) -> str:
    return suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"


async def test_a_project_created_reaches_the_endpoint_as_the_creators_socket_shows_it(
        http, suite, receiver):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    created = await http.post("/webhook-endpoints", headers=headers,
                              json={"url": receiver.url, "events": ["project:created"]})
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    assert set(endpoint) == {"id", "url", "events", "secret", "created_at"}
    listed = await http.get("/webhook-endpoints", headers=headers)
    assert [(e["id"], "secret" in e) for e in listed.json()["webhook_endpoints"]] == [
        (endpoint["id"], False)]

    async with websockets.connect(f"{ws_url(suite)}?token={owner['access_token']}") as socket:
        project = await http.post("/projects", headers=headers, json={
            "name": f"Hooked {uuid.uuid4().hex[:6]}", "client_name": "Globex"})
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        shown = await receive_until(socket, lambda m: m["type"] == "project:created"
                                    and m["data"].get("id") == project_id, timeout=20)

    [(sent_headers, body)] = await receiver.until(
        lambda item: json.loads(item[1])["data"].get("id") == project_id, "project:created")
    assert json.loads(body) == shown
    assert verify(endpoint["secret"], body, sent_headers["Labs-Signature"])
    assert sent_headers["Labs-Event-Type"] == "project:created"
    assert sent_headers["Labs-Event-Id"] == shown["id"]

    deliveries_url = f"/webhook-endpoints/{endpoint['id']}/deliveries"

    async def succeeded():
        found = (await http.get(deliveries_url, headers=headers)).json()["deliveries"]
        return found if found and found[0]["status"] == "succeeded" else None

    deadline = time.monotonic() + 20
    while (found := await succeeded()) is None:
        assert time.monotonic() < deadline, "the delivery did not succeed"
        await asyncio.sleep(0.1)
    [delivery] = found
    assert (delivery["event_id"], delivery["attempts"], delivery["last_status_code"]) == (
        shown["id"], 1, 200)

    again = await http.post(f"{deliveries_url}/{delivery['id']}/redeliver", headers=headers)
    assert again.status_code == 200, again.text
    both = await receiver.until(lambda item: len(receiver.received) >= 2, "the redelivery")
    assert both[-1][1] == body
    assert both[-1][0]["Labs-Delivery-Id"] == delivery["id"]

    deleted = await http.delete(f"/webhook-endpoints/{endpoint['id']}", headers=headers)
    assert deleted.status_code == 204
    assert (await http.get(deliveries_url, headers=headers)).status_code == 404


async def test_roles_other_tenants_and_private_urls(http, receiver):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    created = await http.post("/webhook-endpoints", headers=headers,
                              json={"url": receiver.url, "events": ["*"]})
    assert created.status_code == 201, created.text
    endpoint_id = created.json()["id"]

    manager = await join_as(http, owner, "manager")
    as_manager = auth(manager["access_token"])
    assert (await http.get("/webhook-endpoints", headers=as_manager)).status_code == 200
    refused = await http.post("/webhook-endpoints", headers=as_manager,
                              json={"url": receiver.url, "events": ["*"]})
    assert refused.status_code == 403
    assert (await http.delete(f"/webhook-endpoints/{endpoint_id}", headers=as_manager)
            ).status_code == 403
    member = await join_as(http, owner, "member")
    assert (await http.get("/webhook-endpoints", headers=auth(member["access_token"]))
            ).status_code == 403
    deliveries_url = f"/webhook-endpoints/{endpoint_id}/deliveries"
    assert (await http.get(deliveries_url, headers=auth(member["access_token"]))
            ).status_code == 403
    redeliver_url = f"{deliveries_url}/{uuid.uuid4()}/redeliver"
    assert (await http.post(redeliver_url, headers=as_manager)).status_code == 403

    stranger = auth((await sign_up(http, org="Other"))["access_token"])
    assert (await http.get(f"/webhook-endpoints/{endpoint_id}/deliveries", headers=stranger)
            ).status_code == 404
    assert (await http.delete(f"/webhook-endpoints/{endpoint_id}", headers=stranger)
            ).status_code == 404
    assert (await http.post(redeliver_url, headers=stranger)).status_code == 404
    assert (await http.get("/webhook-endpoints", headers=stranger)).json()[
        "webhook_endpoints"] == []

    for body, field in (({"url": "ftp://example.com/x", "events": ["*"]}, "url"),
                        ({"url": receiver.url, "events": ["no:such-event"]}, "events"),
                        ({"url": "https://user:pw@example.com/", "events": ["*"]}, "url")):
        bad = await http.post("/webhook-endpoints", headers=headers, json=body)
        assert bad.status_code == 422, bad.text
        assert [e["field"] for e in bad.json()["errors"]] == [field]
