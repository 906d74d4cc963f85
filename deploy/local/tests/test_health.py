"""Health checks and waiting for them with a deadline."""

from __future__ import annotations

import asyncio

from labs_local.health import grpc_health, http_health, wait_until_healthy
from labs_local.ports import free_port


async def test_wait_returns_as_soon_as_every_check_passes():
    calls = {"a": 0}

    async def third_time_lucky():
        calls["a"] += 1
        return None if calls["a"] >= 3 else "not yet"

    async def healthy():
        return None

    loop = asyncio.get_running_loop()
    unhealthy = await wait_until_healthy({"a": third_time_lucky, "b": healthy},
                                         loop.time() + 10, interval=0.01)
    assert unhealthy == {}
    assert calls["a"] == 3


async def test_wait_reports_what_is_still_failing_at_the_deadline():
    async def broken():
        return "database: connection refused"

    async def hangs():
        await asyncio.sleep(60)

    loop = asyncio.get_running_loop()
    started = loop.time()
    unhealthy = await wait_until_healthy({"x": broken, "y": hangs}, started + 0.5, interval=0.05)
    assert loop.time() - started < 2
    assert unhealthy == {"x": "database: connection refused", "y": "no answer"}


async def test_grpc_health_of_nothing_listening_says_unavailable():
    assert (await grpc_health(f"127.0.0.1:{free_port()}")).startswith("UNAVAILABLE")


async def test_http_health_is_200_or_the_reason():
    statuses = iter([503, 200])

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        status = next(statuses)
        body = b'{"services":{"time":"NOT_SERVING"}}'
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v1/health"
    async with server:
        assert await http_health(url) == 'HTTP 503: {"services":{"time":"NOT_SERVING"}}'
        assert await http_health(url) is None
    assert (await http_health(f"http://127.0.0.1:{free_port()}/")).startswith("ConnectError")
