"""9. WebSocket fan-out: an org-wide event (`project:created`) reaching N sockets of one gateway
(1,000 and 5,000), against a bare uvicorn app broadcasting the same JSON text to as many sockets.

Every socket is authenticated (`?token=`) as one of a handful of members of one organization
(members, managers, a viewer, an admin: more than one view of the event), and answers a ping
before it counts as open. Then E events, one at a time: the owner POSTs a project and the clock
runs from just before the POST to each socket's arrival of its `project:created`; the next event
starts once every socket has had the previous one (or after a timeout, counted as lost).

The sockets live in client processes of their own (`python -m bench.ws_fanout client`, one by
default): a WebSocket client written on asyncio's Protocol (the handshake, unmasked server frames,
permessage-deflate offered and inflated as a browser does, pings answered), a few µs per message,
so the clients cost little of the two cores the gateway runs on. Arrival times are
`time.monotonic()`, the machine-wide CLOCK_MONOTONIC on Linux, so they compare with the bench's.

Rows per N, Labs vs the baseline: write → socket p50 and p99 (over sockets x events); process CPU
per message per socket (the server's CPU during the events, divided by the messages the sockets
received meanwhile: one write makes the gateway send more than its `project:created`, as other
services answer the new project with events of their own, which the notes count by type; the
gateway's CPU also includes handling the POSTs); RSS per socket (after opening the sockets minus
before, over N); socket opens per second (N over the time the clients took to open them, pings
answered); the longest collector pause during the events: the gateway (and the baseline app)
time every collection with `gc.callbacks` (labs_gateway.ws.gc_pauses, installed only when
`LABS_GC_PAUSES_FILE` is set, which bench/run.py does before starting the suite) and write them
to a file the bench reads.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.baseline_app import project_body
from bench.harness import (
    REPO_ROOT,
    BenchResult,
    CpuMeter,
    Row,
    auth,
    cpu_note,
    join_as,
    percentile,
    sign_up,
    suite_processes,
)
from labs_local import Suite, free_port

TITLE = "WebSocket fan-out (one org-wide event → N sockets)"
BASELINE = "bare uvicorn app broadcasting the same JSON text to as many sockets"
EVENT = "project:created"
TARGET_P99_MS = 150.0
TARGET_GC_MS = 50.0
GC_ENV = "LABS_GC_PAUSES_FILE"
# The roles of the sockets' users, round robin: most are members, as in an agency.
ROLES = ("member", "member", "member", "member", "manager", "manager", "viewer", "admin")
MARKER = re.compile(rb"wsfan-(\d+)-(\d+)")
PING = b'{"type":"ping"}'


def raise_fd_limit() -> int:
    """As many descriptors as the hard limit allows (children inherit it: the suite, if raised
    before it starts, and the client processes)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the client process -----------------------------------------------------------------------


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame with an all-zero mask (allowed; the payload stays as it is)."""
    assert len(payload) < 126
    return bytes((0x80 | opcode, 0x80 | len(payload))) + b"\0\0\0\0" + payload


class _Socket(asyncio.Protocol):
    def __init__(self, fleet: _Fleet, host: str, path: str) -> None:
        self.fleet, self.host, self.path = fleet, host, path
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.inflater: Any = None
        self.open = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode())

    def connection_lost(self, exc) -> None:
        self.fleet.closed += 1
        if not self.open.done():
            self.open.set_exception(ConnectionError(f"closed before open: {exc}"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).decode("latin-1")
            del buffer[:end + 4]
            if not head.startswith("HTTP/1.1 101"):
                self.open.set_exception(ConnectionError(head.split("\r\n", 1)[0]))
                self.transport.close()
                return
            if "permessage-deflate" in head.lower():
                self.inflater = zlib.decompressobj(-15)
            self.upgraded = True
            self.transport.write(_frame(0x1, PING))
        while len(buffer) >= 2:
            first, length = buffer[0], buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start:start + length])
            del buffer[:start + length]
            opcode = first & 0x0F
            if opcode == 0x9:  # ping → pong
                self.transport.write(_frame(0xA, payload[:125]))
            elif opcode == 0x8:
                self.transport.close()
                return
            elif opcode in (0x1, 0x2):
                if first & 0x40:
                    payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                self.fleet.message(self, payload, now)


@dataclass
class _Fleet:
    url: str
    tokens: list[str]
    sockets: list[_Socket] = field(default_factory=list)
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    sample: str = ""
    closed: int = 0
    # Every message the sockets received, by type: one REST write may fan out more than one.
    types: dict[str, int] = field(default_factory=dict)

    def message(self, socket: _Socket, payload: bytes, now: float) -> None:
        if not socket.open.done():
            if b'"pong"' in payload:
                socket.open.set_result(now)
            return
        kind = payload[9:payload.find(b'"', 9)].decode() if payload.startswith(b'{"type":"') \
            else "?"
        self.types[kind] = self.types.get(kind, 0) + 1
        found = MARKER.search(payload)
        if found is not None and EVENT.encode() in payload:
            self.arrivals.setdefault(int(found.group(2)), []).append(now)
            if not self.sample:
                self.sample = payload.decode()

    async def open(self, count: int, offset: int, in_flight: int = 64) -> dict:
        host_port = self.url.split("://", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        path = "/" + self.url.split("://", 1)[1].split("/", 1)[1]
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(in_flight)
        errors: list[str] = []

        async def one(i: int) -> None:
            token = self.tokens[(offset + i) % len(self.tokens)]
            separator = "&" if "?" in path else "?"
            async with gate:
                try:
                    _, socket = await loop.create_connection(
                        lambda: _Socket(self, host_port, f"{path}{separator}token={token}"),
                        host, int(port))
                    await asyncio.wait_for(socket.open, 30)
                    self.sockets.append(socket)
                except Exception as error:
                    errors.append(f"{type(error).__name__}: {error}"[:200])

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(count)))
        return {"opened": len(self.sockets), "failed": len(errors), "errors": errors[:5],
                "seconds": time.monotonic() - started}

    async def wait(self, event: int, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while len(self.arrivals.get(event, ())) < len(self.sockets) - self.closed:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.002)
        return {"event": event, "count": len(self.arrivals.get(event, ())),
                "closed": self.closed}


async def _client_main(url: str, tokens_file: str) -> None:
    """Commands on stdin, one JSON answer per line on stdout: `open N OFFSET`,
    `wait EVENT TIMEOUT`, `dump`, `quit`."""
    fleet = _Fleet(url, json.loads(Path(tokens_file).read_text()))  # noqa: ASYNC240 (at start)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        match line:
            case ["open", count, offset]:
                answer = await fleet.open(int(count), int(offset))
            case ["wait", event, timeout]:
                answer = await fleet.wait(int(event), float(timeout))
            case ["types"]:
                answer = dict(fleet.types)
            case ["dump"]:
                answer = {"arrivals": fleet.arrivals, "sample": fleet.sample}
            case _:
                break
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for socket in fleet.sockets:
        socket.transport.close()


class Clients:
    """The client processes, each holding a share of the sockets."""

    def __init__(self, url: str, tokens: list[str], processes: int) -> None:
        self._tokens = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(tokens, self._tokens)
        self._tokens.close()
        self.url = url
        self.count = processes
        self.processes: list[asyncio.subprocess.Process] = []

    async def __aenter__(self) -> Clients:
        for _ in range(self.count):
            self.processes.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.ws_fanout", "client", "--url", self.url,
                "--tokens", self._tokens.name, cwd=REPO_ROOT, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, start_new_session=True,
                limit=2**28))  # `dump` is one line of every arrival
        return self

    async def __aexit__(self, *exc) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):
                process.stdin.write(b"quit\n")
                await process.stdin.drain()
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        os.unlink(self._tokens.name)

    async def ask(self, commands: list[str]) -> list[dict]:
        async def one(process, command: str) -> dict:
            process.stdin.write(command.encode() + b"\n")
            await process.stdin.drain()
            line = await process.stdout.readline()
            if not line:
                raise RuntimeError(f"a WebSocket client process exited ({process.returncode})")
            return json.loads(line)
        pairs = zip(self.processes, commands, strict=True)
        return list(await asyncio.gather(*(one(p, c) for p, c in pairs)))

    async def open(self, sockets: int) -> dict:
        shares = [sockets // self.count + (i < sockets % self.count) for i in range(self.count)]
        offsets = [sum(shares[:i]) for i in range(self.count)]
        answers = await self.ask([f"open {n} {o}" for n, o in zip(shares, offsets, strict=True)])
        return {"opened": sum(a["opened"] for a in answers),
                "failed": sum(a["failed"] for a in answers),
                "errors": [e for a in answers for e in a["errors"]][:5],
                "seconds": max(a["seconds"] for a in answers)}

    async def wait(self, event: int, timeout: float) -> int:
        answers = await self.ask([f"wait {event} {timeout}"] * self.count)
        return sum(a["count"] for a in answers)

    async def types(self) -> dict[str, int]:
        """Messages received so far by all sockets, by type."""
        total: dict[str, int] = {}
        for answer in await self.ask(["types"] * self.count):
            for kind, n in answer.items():
                total[kind] = total.get(kind, 0) + n
        return total

    async def dump(self) -> tuple[dict[int, list[float]], str]:
        arrivals: dict[int, list[float]] = {}
        sample = ""
        for answer in await self.ask(["dump"] * self.count):
            for event, times in answer["arrivals"].items():
                arrivals.setdefault(int(event), []).extend(times)
            sample = sample or answer["sample"]
        return arrivals, sample


# --- the baseline app -------------------------------------------------------------------------


def _baseline_app():
    """Starlette under uvicorn with uvicorn's defaults (its WebSocket implementation,
    permessage-deflate offered like the gateway's): /ws answers pings; POST /broadcast sends the
    body's text to every socket, one `send_text` after another, then answers 201."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    sockets: set[WebSocket] = set()

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        sockets.add(websocket)
        try:
            while True:
                if '"ping"' in await websocket.receive_text():
                    await websocket.send_text('{"type":"pong"}')
        except WebSocketDisconnect:
            pass
        finally:
            sockets.discard(websocket)

    async def broadcast(request: Request) -> Response:
        text = (await request.body()).decode()
        for websocket in list(sockets):
            with contextlib.suppress(Exception):
                await websocket.send_text(text)
        return Response(status_code=201)

    async def health(request: Request) -> Response:
        return Response("ok")

    return Starlette(routes=[WebSocketRoute("/ws", ws), Route("/broadcast", broadcast,
                                                                  methods=["POST"]),
                             Route("/health", health)])


async def _baseline_main(port: int) -> None:
    import uvicorn

    from labs_gateway.ws import gc_pauses

    pauses = gc_pauses.at(os.environ.get(GC_ENV, ""))
    server = uvicorn.Server(uvicorn.Config(_baseline_app(), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    if pauses is not None:
        pauses.install()
    try:
        await server.serve()
    finally:
        if pauses is not None:
            await pauses.uninstall()


@contextlib.asynccontextmanager
async def baseline_app(gc_file: Path):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.ws_fanout", "baseline", "--port", str(port),
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True, env={**os.environ, GC_ENV: str(gc_file)})
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=1.0) as http:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"{url}/health")).status_code == 200:
                        break
                if process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fan-out baseline app did not start")
                await asyncio.sleep(0.05)
        yield url, process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


# --- measuring --------------------------------------------------------------------------------


def _gc_pauses(path: Path, since: float, until: float) -> dict:
    """The longest collection that ended within [since, until], from the file the process
    writes (read after it has written once more past `until`)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {"longest_ms": None, "listed": 0}
    window = [p for p in data["pauses"] if since <= p[0] <= until]
    longest = max((p[1] for p in window), default=0.0)
    return {"longest_ms": longest * 1000, "listed": len(window),
            "full_collections": sum(1 for p in window if p[2] == 2),
            "longest_by_generation_ms": [
                max((p[1] * 1000 for p in window if p[2] == g), default=0.0) for g in range(3)],
            "threshold": data.get("gc_threshold"), "frozen": data.get("frozen")}


async def _written_after(path: Path, moment: float, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text())["written_at"] > moment:  # noqa: ASYNC240 (small)
                return
        await asyncio.sleep(0.1)


@dataclass
class Side:
    """One server under measurement: how to make event k happen, and which process it is."""

    name: str
    ws_url: str
    pid: int
    gc_file: Path
    fire: Any  # async (k) -> None: the REST write of event k
    meter: CpuMeter


async def _measure(side: Side, clients_url_tokens: tuple[str, list[str]], sockets: int,
                   events: int, processes: int, run_id: int, timeout: float) -> dict:
    url, tokens = clients_url_tokens
    server = psutil.Process(side.pid)
    rss_before = server.memory_info().rss
    async with Clients(url, tokens, processes) as clients:
        opened = await clients.open(sockets)
        if opened["opened"] < sockets:
            raise RuntimeError(f"{side.name}: only {opened['opened']} of {sockets} sockets "
                               f"opened: {opened['errors']}")
        await asyncio.sleep(0.5)  # the server's side of the last handshakes settles
        rss_after = server.memory_info().rss
        warmups = 2
        for k in range(warmups):
            await side.fire(k)
            await clients.wait(k, timeout)
        sent: dict[int, float] = {}
        received: dict[int, int] = {}
        types_before = await clients.types()
        cpu_before = server.cpu_times()
        side.meter.start()
        window_start = time.monotonic()
        for k in range(warmups, warmups + events):
            sent[k] = time.monotonic()
            await side.fire(k)
            received[k] = await clients.wait(k, timeout)
        window_end = time.monotonic()
        used = side.meter.stop()
        cpu_after = server.cpu_times()
        # Whatever else arrives for these writes (other services' events about the new
        # project) has until the last wait ended: the same window as the CPU.
        types = {kind: n - types_before.get(kind, 0)
                 for kind, n in (await clients.types()).items()}
        arrivals, sample = await clients.dump()
    await _written_after(side.gc_file, window_end)
    latencies = [t - sent[k] for k in sent for t in arrivals.get(k, [])]
    lost = sum(sockets - received[k] for k in sent)
    cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    return {
        "sockets": sockets, "events": events, "opened": opened, "lost": lost,
        "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "per_event_p99_ms": [percentile([t - sent[k] for t in arrivals.get(k, [])], 99) * 1000
                             for k in sent if arrivals.get(k)],
        "messages_by_type": types, "messages": sum(types.values()),
        "cpu_seconds": cpu,
        "cpu_us_per_message": cpu / max(1, sum(types.values())) * 1e6,
        "rss_per_socket_kb": (rss_after - rss_before) / sockets / 1024,
        "rss_before_mb": rss_before / 2**20, "rss_after_mb": rss_after / 2**20,
        "opens_per_second": sockets / opened["seconds"],
        "gc": _gc_pauses(side.gc_file, window_start, window_end),
        "cpu_split": used, "window_seconds": window_end - window_start,
        "message_bytes": len(sample.encode()), "sample": sample,
    }


async def _org(http: httpx.AsyncClient) -> tuple[dict, list[str], str]:
    owner = await sign_up(http, "Fan-out Studio")
    tokens = [(await join_as(http, owner, role))["access_token"] for role in ROLES]
    client = await http.post("/clients", headers=auth(owner["access_token"]),
                             json={"name": "Fan-out Client"})
    client.raise_for_status()
    return owner, tokens, client.json()["id"]


async def run(suite: Suite, sizes: tuple[int, ...] = (1000, 5000), events: int = 20,
              processes: int = 1, timeout: float = 15.0) -> BenchResult:
    result = BenchResult("ws_fanout", TITLE, BASELINE)
    limit = raise_fd_limit()
    gc_file = Path(os.environ.get(GC_ENV, ""))
    if not os.environ.get(GC_ENV):
        result.notes.append(f"{GC_ENV} was not set when the suite started: no GC pauses")
    gateway_pid = suite.supervisor.children["gateway"].pid
    ws_url = suite.gateway_url.replace("http://", "ws://", 1) + "/api/v1/ws"
    run_id = int(time.time())
    details: dict[str, Any] = {"sizes": list(sizes), "events": events,
                               "client_processes": processes, "fd_limit": limit}
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=30) as http:
        owner, tokens, client_id = await _org(http)
        owner_token = owner["access_token"]

        async def create_project(k: int) -> None:
            body = project_body(k, client_id) | {"name": f"wsfan-{run_id}-{k}"}
            answer = await http.post("/projects", headers=auth(owner_token), json=body)
            answer.raise_for_status()

        gateway = Side("gateway", ws_url, gateway_pid, gc_file, create_project,
                       CpuMeter(lambda: [*suite_processes(suite), *_client_groups()]))
        # The same path without the fan-out: one socket (the REST write, the outbox, the relay,
        # JetStream, the hub), a reference for what fan-out adds.
        alone = await _measure(gateway, (ws_url, tokens), 1, events, processes, run_id, timeout)
        details["1"] = {"labs": alone}
        sample_text = ""
        for size in sizes:
            labs = await _measure(gateway, (ws_url, tokens), size, events, processes,
                                  run_id, timeout)
            sample_text = sample_text or labs["sample"]
            base = await _measure_baseline(suite, tokens, size, events, processes, run_id,
                                           timeout, sample_text)
            details[str(size)] = {"labs": labs, "baseline": base}
            _rows(result, size, labs, base)
    result.details = details
    _notes(result, details, sizes)
    return result


async def _measure_baseline(suite: Suite, tokens: list[str], size: int, events: int,
                            processes: int, run_id: int, timeout: float, sample: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="ws-fanout-") as tmp:
        bare_gc = Path(tmp) / "gc.json"
        async with baseline_app(bare_gc) as (bare_url, bare_pid), \
                httpx.AsyncClient(base_url=bare_url, timeout=30) as bare_http:
            async def broadcast(k: int) -> None:
                text = MARKER.sub(f"wsfan-{run_id}-{k}".encode(), sample.encode())
                answer = await bare_http.post("/broadcast", content=text)
                answer.raise_for_status()

            def processes_now() -> list[tuple[str, psutil.Process]]:
                return [("baseline app", psutil.Process(bare_pid)), *_client_groups(),
                        *(("labs suite (idle)", p) for _, p in suite_processes(suite))]

            bare = Side("baseline", bare_url, bare_pid, bare_gc, broadcast,
                        CpuMeter(processes_now))
            return await _measure(bare, (bare_url.replace("http", "ws", 1) + "/ws", tokens),
                                  size, events, processes, run_id, timeout)


def _client_groups() -> list[tuple[str, psutil.Process]]:
    me = psutil.Process()
    return [("ws clients", p) for p in me.children()
            if "bench.ws_fanout client" in " ".join(_cmdline(p))]


def _cmdline(process: psutil.Process) -> list[str]:
    with contextlib.suppress(psutil.Error):
        return process.cmdline()
    return []


def _rows(result: BenchResult, n: int, labs: dict, base: dict) -> None:
    label = f"{n:,}"
    result.rows += [
        Row(f"{label}: write → socket p50", labs["p50_ms"], base["p50_ms"], "ms"),
        Row(f"{label}: write → socket p99", labs["p99_ms"], base["p99_ms"], "ms"),
        Row(f"{label}: CPU per message per socket", labs["cpu_us_per_message"],
            base["cpu_us_per_message"], "µs"),
        Row(f"{label}: RSS per socket", labs["rss_per_socket_kb"], base["rss_per_socket_kb"],
            "KB"),
        Row(f"{label}: socket opens/s", labs["opens_per_second"], base["opens_per_second"],
            "1/s", better="higher"),
        Row(f"{label}: longest GC pause", labs["gc"]["longest_ms"], base["gc"]["longest_ms"],
            "ms"),
    ]


def _notes(result: BenchResult, details: dict, sizes: tuple[int, ...]) -> None:
    alone = details["1"]["labs"]
    result.notes.append(
        f"the same event to 1 socket: p50 {alone['p50_ms']:.1f} ms, p99 {alone['p99_ms']:.1f} ms "
        "(the write, the outbox, the relay, JetStream and the hub: what fan-out adds to)")
    biggest = details[str(max(sizes))]["labs"]
    worst_gc = max((details[str(n)]["labs"]["gc"]["longest_ms"] or 0.0) for n in sizes)
    p99_ok = biggest["p99_ms"] <= TARGET_P99_MS
    gc_ok = worst_gc <= TARGET_GC_MS
    result.notes.append(
        f"target (#17): {max(sizes):,} sockets p99 ≤ {TARGET_P99_MS:.0f} ms: "
        f"{biggest['p99_ms']:.0f} ms, {'good' if p99_ok else 'BAD'}; no collector pause over "
        f"{TARGET_GC_MS:.0f} ms: longest {worst_gc:.0f} ms, {'good' if gc_ok else 'BAD'}")
    for n in sizes:
        labs, base = details[str(n)]["labs"], details[str(n)]["baseline"]
        result.notes.append(
            f"{n:,} sockets, {labs['events']} events of {labs['message_bytes']} B: messages "
            f"per socket per write {labs['messages'] / n / labs['events']:.2f} "
            f"({', '.join(f'{k} {v}' for k, v in labs['messages_by_type'].items())}); lost "
            f"{labs['lost']} (baseline {base['lost']}); max {labs['max_ms']:.0f} ms (baseline "
            f"{base['max_ms']:.0f}); gateway RSS {labs['rss_before_mb']:.0f} → "
            f"{labs['rss_after_mb']:.0f} MB; full collections during the events "
            f"{labs['gc'].get('full_collections')} (baseline {base['gc'].get('full_collections')})")
        result.notes.append(cpu_note(f"{n:,} sockets, gateway events", labs["cpu_split"],
                                     labs["window_seconds"]))
        result.notes.append(cpu_note(f"{n:,} sockets, baseline events", base["cpu_split"],
                                     base["window_seconds"]))
    for sides in details.values():
        if isinstance(sides, dict):
            for measured in sides.values():
                measured.pop("sample", None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_fanout")
    commands = parser.add_subparsers(dest="command", required=True)
    client = commands.add_parser("client", help="hold sockets (driven by the bench on stdin)")
    client.add_argument("--url", required=True)
    client.add_argument("--tokens", required=True)
    baseline = commands.add_parser("baseline", help="the bare broadcasting app")
    baseline.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    raise_fd_limit()
    try:
        import uvloop
    except ImportError:
        uvloop = None
    runner = uvloop.run if uvloop is not None else asyncio.run
    if args.command == "client":
        runner(_client_main(args.url, args.tokens))
    else:
        runner(_baseline_main(args.port))


if __name__ == "__main__":
    main()
