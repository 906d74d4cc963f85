"""FastAPI dependencies and their Annotated aliases: the caller, the upstream stubs, headers.

`AsCaller` (every authenticated router, registered once in app.py) and `IdempotentWrite` (each
write route) bind the request's `Caller`, which the channels' interceptors forward to services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import NotFound
from labs_gateway import nul_characters
from labs_gateway.auth.credentials import Authenticator, bearer_credential
from labs_gateway.config import GatewaySettings
from labs_gateway.exact_json import UNREAD, ExactJsonRequest
from labs_gateway.financials import FinancialsLevels
from labs_gateway.middleware.rate_limit import PRINCIPAL_STATE_KEY
from labs_gateway.upstream import Caller, Upstream, bind_caller

# The dependencies below are coroutines though they do no I/O: FastAPI runs a plain function
# dependency in its thread pool, a hand-off to another thread and back on every request.


async def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


async def _upstream(request: Request) -> Upstream:
    return request.app.state.upstream


def _authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


async def _current_principal(request: Request) -> Principal:
    # The rate limiter has usually verified the credential already; don't do it twice.
    principal = getattr(request.state, PRINCIPAL_STATE_KEY, None)
    if principal is not None:
        return principal
    credential = bearer_credential(request.headers.get("authorization"))
    return await _authenticator(request).authenticate(credential)


async def _identity(request: Request) -> IdentityServiceStub:
    return request.app.state.upstream.identity


def service_stub(service: str, stub_class: type) -> Callable[[Request], object]:
    """A dependency giving `stub_class` on `service`'s channel, for an alias such as
    `Projects = Annotated[ProjectsServiceStub, Depends(service_stub("projects", Stub))]`."""

    async def dependency(request: Request) -> object:
        return request.app.state.upstream.stub(service, stub_class)

    return dependency


SettingsDep = Annotated[GatewaySettings, Depends(_settings)]
UpstreamDep = Annotated[Upstream, Depends(_upstream)]
CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]
Identity = Annotated[IdentityServiceStub, Depends(_identity)]
# gRPC metadata values must be printable ASCII, so anything else is refused here (422).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        pattern=r"^[\x20-\x7e]+$",
        description="Replaying the same key with the same body returns the first response.",
    ),
]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def _financials(request: Request) -> FinancialsLevels:
    return request.app.state.financials


async def _as_caller(request: Request, principal: CurrentPrincipal) -> None:
    bind_caller(Caller(principal, reader=await _financials(request).reader_for(principal)))


async def _idempotent_write(
    request: Request, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> None:
    bind_caller(Caller(principal, idempotency_key,
                       reader=await _financials(request).reader_for(principal)))


async def _public_write(idempotency_key: IdempotencyKey = None) -> None:
    bind_caller(Caller(None, idempotency_key))


# Who calls services for the request: the caller's access token (forwarded, so the service
# verifies the same principal) and, on writes, the client's Idempotency-Key.
AsCaller = Depends(_as_caller)
IdempotentWrite = Depends(_idempotent_write)
PublicWrite = Depends(_public_write)


async def _no_nul_characters(request: Request) -> None:
    fields = list(nul_characters.connection_fields(request))
    if isinstance(request, ExactJsonRequest) and (body := request.parsed_json()) is not UNREAD:
        fields += nul_characters.json_fields(body)
    nul_characters.refuse(fields)


# Every route with input, after AsCaller where there is one (an anonymous caller learns nothing
# about what it sent but a 401): 422 naming each field holding U+0000 (labs_gateway.nul_characters).
# Routes that read their body themselves (uploads, imports) check it as they parse it.
NoNulCharacters = Depends(_no_nul_characters)


def role_at_least(role: Role, *, unseen_by_clients: str | None = None):
    """A dependency refusing callers below `role` before the route reads its body, for routes
    whose body is large (uploads, imports): FastAPI reads a route's body parameters before its
    dependencies run, so such routes read the body themselves, after this. It repeats the
    service's own check, which stays the authority: 403 below `role`, or, where the service
    tells a client-role caller the object does not exist, 404 "No such <unseen_by_clients>"."""

    async def check(principal: CurrentPrincipal) -> None:
        if unseen_by_clients and principal.role is Role.CLIENT:
            raise NotFound(f"No such {unseen_by_clients}.")
        principal.require(role)

    return Depends(check)
