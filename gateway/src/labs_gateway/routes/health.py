"""GET /health: asks every service (standard gRPC health, service "") and NATS, right now."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2
from nats.aio.client import Client as Nats
from pydantic import BaseModel

from labs_common.config import SERVICES
from labs_gateway.dependencies import SettingsDep, UpstreamDep
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.upstream import Upstream

router = APIRouter(route_class=ExactJsonRoute, tags=["health"])

State = Literal["ok", "unavailable"]


class HealthReport(BaseModel):
    status: State
    services: dict[str, State]
    nats: State


@router.get("/health", response_model=HealthReport,
            responses={503: {"model": HealthReport, "description": "Something is down"}})
async def health(request: Request, upstream: UpstreamDep, settings: SettingsDep) -> JSONResponse:
    """200 when every service and NATS answer, else 503 naming what is down."""
    timeout = settings.health_timeout_seconds
    nats: Nats | None = request.app.state.nats
    *service_states, nats_state = await asyncio.gather(
        *(_service_state(upstream, name, timeout) for name in SERVICES),
        _nats_state(nats, timeout),
    )
    services = dict(zip(SERVICES, service_states, strict=True))
    healthy = nats_state == "ok" and all(state == "ok" for state in service_states)
    report = HealthReport(status="ok" if healthy else "unavailable", services=services,
                          nats=nats_state)
    return JSONResponse(report.model_dump(), status_code=200 if healthy else 503,
                        headers={"Cache-Control": "no-store"})


async def _service_state(upstream: Upstream, name: str, deadline_seconds: float) -> State:
    try:
        answer = await upstream.health(name).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=deadline_seconds)
    except Exception:
        return "unavailable"
    return "ok" if answer.status == health_pb2.HealthCheckResponse.SERVING else "unavailable"


async def _nats_state(nats: Nats | None, deadline_seconds: float) -> State:
    if nats is None or not nats.is_connected:
        return "unavailable"
    try:
        # A PING/PONG round trip: proves the server answers, not just that a socket is open.
        await asyncio.wait_for(nats.flush(timeout=max(1, round(deadline_seconds))),
                               deadline_seconds)
    except Exception:
        return "unavailable"
    return "ok"
