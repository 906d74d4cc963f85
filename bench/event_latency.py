"""3. Event latency: from sending a REST write (PATCH a member's role) to the matching
`member:role_changed` message arriving on a WebSocket of that organization; against a plain
WebSocket round trip (`{"type": "ping"}` → `{"type": "pong"}`) on the same gateway connection.

What the event crosses: gateway → gRPC → identity's transaction (role + outbox row) → relay →
JetStream → the gateway's consumer → the hub → the socket. The ping crosses only the socket and
the gateway's WebSocket loop, so the ratio says how much the event path costs over the transport.
Pings and events alternate, so drift on a noisy machine hits both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import websockets

from bench.harness import BenchResult, Row, auth, join_as, percentile, sign_up
from labs_local import Suite

TITLE = "Event latency (REST write → WebSocket)"
BASELINE = "WebSocket ping → pong, same connection"
EVENT = "member:role_changed"
TIMEOUT = 10.0

Inbox = asyncio.Queue[tuple[float, dict]]


async def _read(socket, inbox: Inbox) -> None:
    """Stamps each message when it arrives, even while the writer still awaits its HTTP
    answer: the event may well come before the PATCH's response does."""
    async for raw in socket:
        inbox.put_nowait((time.perf_counter(), json.loads(raw)))


async def _until(inbox: Inbox, predicate) -> float:
    async with asyncio.timeout(TIMEOUT):
        while True:
            arrived, message = await inbox.get()
            if predicate(message):
                return arrived


def _drain(inbox: Inbox) -> None:
    while not inbox.empty():
        inbox.get_nowait()


async def _ping(socket, inbox: Inbox) -> float:
    _drain(inbox)
    sent = time.perf_counter()
    await socket.send('{"type": "ping"}')
    return await _until(inbox, lambda m: m.get("type") == "pong") - sent


async def _role_change(http: httpx.AsyncClient, inbox: Inbox, token: str, user_id: str,
                       role: str) -> tuple[float, float]:
    """(write → event, write → HTTP answer), seconds."""
    _drain(inbox)
    sent = time.perf_counter()
    response = await http.patch(f"/organizations/current/members/{user_id}",
                                headers=auth(token), json={"role": role})
    answered = time.perf_counter()
    response.raise_for_status()
    arrived = await _until(inbox, lambda m: m.get("type") == EVENT
                           and m.get("data", {}).get("user_id") == user_id
                           and m["data"].get("new_role") == role)
    return arrived - sent, answered - sent


async def run(suite: Suite, samples: int = 50) -> BenchResult:
    result = BenchResult("event_latency", TITLE, BASELINE)
    ws_base = suite.gateway_url.replace("http://", "ws://", 1) + "/api/v1/ws"
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as http:
        owner = await sign_up(http)
        member = await join_as(http, owner, "member")
        token, user_id = owner["access_token"], member["user"]["id"]
        async with websockets.connect(f"{ws_base}?token={token}") as socket:
            inbox: Inbox = asyncio.Queue()
            reader = asyncio.create_task(_read(socket, inbox))
            try:
                # An answered ping means the socket is authenticated and receiving: measure after.
                await _ping(socket, inbox)
                pings, events, answers = [], [], []
                role = "member"
                for _ in range(samples):
                    pings.append(await _ping(socket, inbox))
                    role = "viewer" if role == "member" else "member"
                    event, answer = await _role_change(http, inbox, token, user_id, role)
                    events.append(event)
                    answers.append(answer)
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                    await reader

    def ms(values: list[float], pct: float) -> float:
        return percentile(values, pct) * 1000

    result.rows = [
        Row("write → event p50", ms(events, 50), ms(pings, 50), "ms"),
        Row("write → event p95", ms(events, 95), ms(pings, 95), "ms"),
    ]
    result.details = {"samples": samples, "event_seconds": events, "ping_seconds": pings,
                      "rest_answer_seconds": answers}
    result.notes.append(
        f"N={samples}; the PATCH itself answered in p50 {ms(answers, 50):.1f} ms / "
        f"p95 {ms(answers, 95):.1f} ms, so the event trails the HTTP answer by about "
        f"{ms(events, 50) - ms(answers, 50):.1f} ms at the median"
    )
    return result
