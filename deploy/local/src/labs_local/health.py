"""Asking children whether they are healthy, and waiting until they all say so."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

# A check answers None when healthy, otherwise why not (shown to the user on timeout).
Check = Callable[[], Awaitable[str | None]]

_SERVING = health_pb2.HealthCheckResponse.SERVING


async def grpc_health(address: str, call_timeout: float = 1.0) -> str | None:
    """gRPC health of the whole server (service ""): what Kubernetes probes and the gateway read."""
    # Local addresses never go through a proxy from the environment.
    options = [("grpc.enable_http_proxy", 0)]
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = await stub.Check(health_pb2.HealthCheckRequest(service=""),
                                        timeout=call_timeout)
        except grpc.aio.AioRpcError as error:
            return f"{error.code().name}: {error.details()}"
    if response.status == _SERVING:
        return None
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)


async def http_health(url: str, call_timeout: float = 2.0) -> str | None:
    """200 is healthy; anything else is reported with the start of its body (the gateway says
    there which service it cannot reach)."""
    async with httpx.AsyncClient(trust_env=False, timeout=call_timeout) as client:
        try:
            response = await client.get(url)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if response.status_code == 200:
        return None
    return f"HTTP {response.status_code}: {response.text[:1000]}"


async def wait_until_healthy(
    checks: Mapping[str, Check], deadline: float, interval: float = 0.2
) -> dict[str, str]:
    """Polls every check until it passes or the loop's clock reaches `deadline`.
    Answers the ones still failing, with their last reason; empty means all healthy."""
    loop = asyncio.get_running_loop()

    async def poll(check: Check) -> str | None:
        while True:
            try:
                remaining = max(deadline - loop.time(), 0.1)
                reason = await asyncio.wait_for(check(), remaining)
            except TimeoutError:
                reason = "no answer"
            if reason is None or loop.time() >= deadline:
                return reason
            await asyncio.sleep(min(interval, max(deadline - loop.time(), 0)))

    names = list(checks)
    reasons = await asyncio.gather(*(poll(checks[name]) for name in names))
    return {name: reason for name, reason in zip(names, reasons, strict=True) if reason is not None}
