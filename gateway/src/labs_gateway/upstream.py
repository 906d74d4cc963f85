"""The gateway's gRPC channels: one per service, carrying its API and the standard health service.

Calls forward the caller's access token and the request's Idempotency-Key as metadata, so every
service verifies the same principal (zero trust) and deduplicates retried writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TypeVar

import grpc
import structlog
from grpc_health.v1.health_pb2_grpc import HealthStub

from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.principal import Principal
from labs_common.config import SERVICES, BaseLabsSettings
from labs_common.errors import LabsError, from_rpc_error
from labs_common.grpc.client import open_channel

# Per service, the RPCs safe to retry on UNAVAILABLE: reads, and exchanges without effects
# (AuthenticateApiKey only refreshes last_used_at). Writes are never retried by the channel.
IDEMPOTENT_METHODS: dict[str, tuple[str, ...]] = {
    "identity": (
        "GetJwks",
        "GetMe",
        "GetOrganization",
        "ListMembers",
        "ListApiKeys",
        "AuthenticateApiKey",
    ),
    "projects": ("GetProject", "ResolveProject", "ListClients", "GetClient", "ListProjects",
                 "ListTasks", "GetTask", "ListSprints", "GetSprint", "ListComments",
                 "ListFiles", "GetFile", "DownloadFile", "ListActivities", "Search"),
    "capacity": ("GetRates", "GetResource", "ListResources", "ListResourceRates", "ListTimeOff",
                 "ListHolidays", "ListResourceAllocations", "GetCapacityOverview"),
    "time": ("GetTimeEntry", "ListTimeEntries", "GetCurrentTimer", "GetExpense", "ListExpenses",
             "ListBillableEntries", "GetImportJob"),
}

Metadata = tuple[tuple[str, str], ...]
Stub = TypeVar("Stub")

log = structlog.get_logger("labs.gateway.upstream")
# Codes that usually come from the transport, whose text names internal addresses.
_TRANSPORT_CODES = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED,
}


def grpc_service_name(service: str) -> str:
    """labs.<service>.v1.<Service>Service, as every service's proto names it."""
    return f"labs.{service}.v1.{service.capitalize()}Service"


class Upstream:
    def __init__(self, channels: Mapping[str, grpc.aio.Channel]) -> None:
        self.channels = dict(channels)
        self._stubs: dict[tuple[str, type], object] = {}

    @classmethod
    def open(cls, settings: BaseLabsSettings) -> Upstream:
        """Channels connect lazily, so opening never waits for (or fails on) a service."""
        return cls(
            {
                name: open_channel(
                    settings,
                    name,
                    grpc_service_name(name),
                    idempotent_methods=IDEMPOTENT_METHODS.get(name, ()),
                )
                for name in SERVICES
            }
        )

    def stub(self, service: str, stub_class: type[Stub]) -> Stub:
        """The generated stub `stub_class` on `service`'s channel (made once)."""
        key = (service, stub_class)
        if key not in self._stubs:
            self._stubs[key] = stub_class(self.channels[service])
        return self._stubs[key]

    @property
    def identity(self) -> IdentityServiceStub:
        return self.stub("identity", IdentityServiceStub)

    def health(self, service: str) -> HealthStub:
        return self.stub(service, HealthStub)

    async def close(self, grace: float | None = None) -> None:
        await asyncio.gather(
            *(c.close(grace) for c in self.channels.values()), return_exceptions=True
        )


def call_metadata(
    principal: Principal | None = None, idempotency_key: str | None = None
) -> Metadata:
    """Metadata for a call made on behalf of the current request."""
    metadata: list[tuple[str, str]] = []
    if principal is not None:
        metadata.append(("authorization", f"Bearer {principal.token}"))
    if idempotency_key:
        metadata.append(("idempotency-key", idempotency_key))
    return tuple(metadata)


def rpc_failure(error: grpc.aio.AioRpcError) -> LabsError:
    """The LabsError a failed call means to our caller (never an internal address or host)."""
    failure = from_rpc_error(error)
    if error.code() in _TRANSPORT_CODES:
        log.warning("upstream.unavailable", code=error.code().name, details=error.details())
        failure.detail = (
            "A service this request needs did not answer in time; try again."
            if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            else "A service this request needs is unavailable; try again shortly."
        )
    return failure
