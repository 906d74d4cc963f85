"""The gateway's gRPC channels: one per service, carrying its API and the standard health service.

Calls forward the caller's access token and the request's Idempotency-Key as metadata, so every
service verifies the same principal (zero trust) and deduplicates retried writes. Both ride the
`Caller` context variable, bound once per request (or socket) and read by the channels'
interceptors, so no call site passes metadata. Answers come back redacted for that caller
(labs_common.visibility): what they may not see never reaches a route or a socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import grpc
import structlog
from grpc_health.v1.health_pb2_grpc import HealthStub

from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.principal import Principal
from labs_common.config import SERVICES, BaseLabsSettings
from labs_common.errors import LabsError, from_rpc_error
from labs_common.grpc.client import open_channel
from labs_common.grpc.transactions import CONTENT_DIGEST_METADATA, IDEMPOTENCY_KEY_METADATA
from labs_common.visibility import Reader, redact

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
                    settings, name, grpc_service_name(name), interceptors=_CALLER_INTERCEPTORS
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


@dataclass(frozen=True)
class Caller:
    """On whose behalf the gateway calls: the verified principal (None for public routes such as
    signup) and, on a write, the client's Idempotency-Key, with the SHA-256 of content the
    request carries outside its message (an import's file), which the key fingerprints too."""

    principal: Principal | None = None
    idempotency_key: str | None = None
    content_digest: str | None = None
    # Whom answers are shown to (the principal, with its organization's financials level).
    reader: Reader | None = None

    def shown_to(self) -> Reader | None:
        if self.principal is None:
            return None
        return self.reader or Reader.of(self.principal)


_NOBODY = Caller()
_caller: ContextVar[Caller | None] = ContextVar("labs_gateway_caller", default=None)


def bind_caller(caller: Caller) -> None:
    """Calls made from now on in this context (the request's or the socket's task, and tasks it
    starts) carry `caller`; the context ends with the task, so nothing needs unbinding."""
    _caller.set(caller)


def current_caller() -> Caller:
    return _caller.get() or _NOBODY


@contextmanager
def calling_as(caller: Caller) -> Iterator[None]:
    """Calls inside the block carry `caller`, then the context's own caller again: for a socket,
    whose task outlives any one principal, and for the gateway's own anonymous calls."""
    bound = _caller.set(caller)
    try:
        yield
    finally:
        _caller.reset(bound)


def call_metadata(caller: Caller) -> Metadata:
    """Metadata for a call made on behalf of `caller`."""
    metadata: list[tuple[str, str]] = []
    if caller.principal is not None:
        metadata.append(("authorization", f"Bearer {caller.principal.token}"))
    if caller.idempotency_key:
        metadata.append((IDEMPOTENCY_KEY_METADATA, caller.idempotency_key))
        if caller.content_digest:
            metadata.append((CONTENT_DIGEST_METADATA, caller.content_digest))
    return tuple(metadata)


def _with_caller(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    for key, value in call_metadata(current_caller()):
        if key not in metadata:
            metadata.add(key, value)
    return details._replace(metadata=metadata)


class _UnaryCaller(grpc.aio.UnaryUnaryClientInterceptor):
    """Sends the caller along, and answers with what that caller may see: fields the visibility
    policy hides from them are cleared here, once, whatever route or socket asked."""

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        call = await continuation(_with_caller(client_call_details), request)
        reader = current_caller().shown_to()
        if reader is None:
            return call
        return redact(await call, reader)


class _StreamingCaller(grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return await continuation(_with_caller(client_call_details), request_iterator)


_CALLER_INTERCEPTORS = (_UnaryCaller(), _StreamingCaller())


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
