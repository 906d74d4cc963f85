"""Running one RPC as one transaction, with Idempotency-Key support, and the one step from the
caller's principal to a unit of work that every servicer shares.

The idempotency record is claimed and filled inside the same unit of work as the RPC's effect,
so a retry either finds the committed first response or redoes work that was rolled back. A key
belongs to one caller (org and principal: IdempotencyRecords) and one RPC; what the request
carries besides its message (an upload's or an import's file, whose bytes arrive in other
messages) is part of its fingerprint: `content_digest`, or the `idempotency-content-sha256`
metadata the gateway sends after hashing the file. Reads (`idempotency_level = NO_SIDE_EFFECTS`)
ignore the key: there is nothing to do twice.

A stored answer is replayed only to a caller the RPC would still let in: the caller is
authenticated before any servicer runs, and a handler marked `@authorized_by(check)` has that
check run again before the key is even looked up, so a caller who lost the role since gets 403,
not the first answer (with whatever secret it held).
"""

from __future__ import annotations

import functools
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.descriptor_pb2 import MethodOptions
from google.protobuf.message import Message

from labs_common.auth.principal import Principal, current_principal
from labs_common.db.uow import IdempotencyRecords, Scope, UnitOfWork
from labs_common.errors import InvalidArgument
from labs_common.grpc.interceptors import metadata_value
from labs_common.pagination import next_page_token
from labs_common.parsing import object_id, uuid_of

Response = TypeVar("Response", bound=Message)
Command = TypeVar("Command")
Result = TypeVar("Result")

MAX_KEY_LENGTH = 255
# The SHA-256 (hex) of content that reaches the service outside the request message, sent by
# the gateway with the Idempotency-Key (the file of a bulk import).
CONTENT_DIGEST_METADATA = "idempotency-content-sha256"

UowFactory = Callable[[Scope], UnitOfWork]


@dataclass(frozen=True)
class IdempotentCall:
    """A write sent with an Idempotency-Key: the key as stored (the RPC's full name, then the
    client's key: a key used on one endpoint is free on every other) and the request's
    fingerprint (the RPC, the message, and the digest of content outside the message)."""

    key: str
    fingerprint: str

    async def replay(self, uow: UnitOfWork, response_type: type[Response]) -> Response | None:
        """Claim the key in `uow`'s transaction, or the committed first response (a different
        request with the key → 422, one still in flight elsewhere → 409)."""
        earlier = await uow.idempotency.claim(self.key, self.fingerprint)
        return None if earlier is None else response_type.FromString(earlier)

    async def record(self, uow: UnitOfWork, response: Message) -> None:
        await uow.idempotency.record(self.key, response.SerializeToString())


IDEMPOTENCY_KEY_METADATA = "idempotency-key"


def idempotency_metadata(key: str | None) -> tuple[tuple[str, str], ...] | None:
    """A call's metadata carrying its Idempotency-Key (None without one), for a service that
    writes through another's RPCs: a retried write replays the first answer (`idempotent_call`).
    The channel's interceptor adds the bound principal's token beside it."""
    return ((IDEMPOTENCY_KEY_METADATA, key),) if key else None


def idempotent_call(
    context: grpc.aio.ServicerContext, request: Message, content_digest: str | None = None
) -> IdempotentCall | None:
    """The Idempotency-Key of this call, if it has one and the RPC writes."""
    key = metadata_value(context, IDEMPOTENCY_KEY_METADATA)
    if key is None:
        return None
    if not (0 < len(key) <= MAX_KEY_LENGTH):
        raise InvalidArgument.on("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} characters")
    method = _method(type(request))
    if method.GetOptions().idempotency_level == MethodOptions.NO_SIDE_EFFECTS:
        return None
    if content_digest is None:
        content_digest = metadata_value(context, CONTENT_DIGEST_METADATA) or ""
    body = request.SerializeToString(deterministic=True) + b"\0" + content_digest.encode()
    return IdempotentCall(
        key=f"{method.full_name} {key}",
        fingerprint=IdempotencyRecords.fingerprint(method.full_name, body),
    )


async def run_in_transaction(
    uow: UnitOfWork,
    context: grpc.aio.ServicerContext,
    request: Message,
    response_type: type[Response],
    work: Callable[[UnitOfWork], Awaitable[Response]],
) -> Response:
    call = idempotent_call(context, request)
    async with uow:
        if call is not None and (earlier := await call.replay(uow, response_type)) is not None:
            return earlier
        response = await work(uow)
        if call is not None:
            await call.record(uow, response)
        await uow.commit()
    return response


Check = Callable[[Principal, Any], None]


def authorized_by(check: Check) -> Callable:
    """Marks a handler `(command, uow, ...)` with the authorization it applies first:
    `check(caller, command)` raises when the caller may not do this at all (their role, the
    role the command grants). The handler runs it itself, and `TransactionalRpcs._handle` runs
    it before an Idempotency-Key can replay an earlier answer."""

    def mark(handler: Callable[..., Awaitable[Result]]) -> Callable[..., Awaitable[Result]]:
        @functools.wraps(handler)
        async def checked(command: Any, uow: Any, *args: Any, **kwargs: Any) -> Result:
            check(uow.caller, command)
            return await handler(command, uow, *args, **kwargs)

        checked.authorization = check  # type: ignore[attr-defined]
        return checked

    return mark


def authorization_of(handler: Callable) -> Check | None:
    """The check `@authorized_by` marked `handler` (or the function it partially applies) with."""
    while isinstance(handler, functools.partial):
        handler = handler.func
    return getattr(handler, "authorization", None)


class TransactionalRpcs:
    """What every servicer shares: `self._uow` opens a unit of work for a scope, and each RPC
    runs its work in one transaction, as the caller (`_tenant`) or as the platform (`_system`,
    for the few public RPCs that come before any tenant: sign-up, sign-in)."""

    _uow: Callable[[Scope], Any]

    async def _tenant(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        response_type: type[Response],
        work: Callable[[Any, Principal], Awaitable[Response]],
    ) -> Response:
        """`work(uow, principal)` in one transaction scoped to the caller's org."""
        principal = current_principal()
        return await run_in_transaction(
            self._uow(Scope.of_caller(principal)),
            context,
            request,
            response_type,
            lambda uow: work(uow, principal),
        )

    async def _handle(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        handler: Callable[[Command, Any], Awaitable[Result]],
        command: Command,
        respond: Callable[[Result], Response] | None = None,
        *,
        system: bool = False,
        **fields: Callable[[Result], Any],
    ) -> Response:
        """The shape of an RPC: `command` (mapped in from `request`) to `handler(command, uow)`
        in one transaction as the caller (or, with `system`, as the platform, for the public
        RPCs that come before any tenant), and its result mapped out: by `respond`, or into the
        response's `fields` (`client=proto.client`: the field and the mapping of the result);
        neither answers the empty response."""
        response_type = response_type_of(request)

        def out(result: Result) -> Response:
            if respond is not None:
                return respond(result)
            return response_type(**{name: mapping(result) for name, mapping in fields.items()})

        async def work(uow: Any, *_caller: Principal) -> Response:
            return out(await handler(command, uow))

        if system:
            return await self._system(context, request, response_type, work)
        if (check := authorization_of(handler)) is not None:
            check(current_principal(), command)  # before any earlier answer is replayed
        return await self._tenant(context, request, response_type, work)

    async def _get_one(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        handler: Callable[[Command, Any], Awaitable[Result]],
        command_type: Callable[[uuid.UUID], Command],
        respond: Callable[[Result], Response] | None = None,
        *,
        id_field: str = "id",
        what: str | None = None,
        **fields: Callable[[Result], Any],
    ) -> Response:
        """`_handle` for an RPC that reads one object named by the request's `id_field`: the
        command is `command_type(id)`. A malformed id is invalid (naming the field) or, given
        `what` the object is, NOT_FOUND like an absent one (labs_common.parsing.object_id)."""
        given = getattr(request, id_field)
        object_id_ = object_id(given, what) if what else uuid_of(given, id_field)
        return await self._handle(
            context, request, handler, command_type(object_id_), respond, **fields
        )

    async def _handle_page(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        handler: Callable[[Command, Any], Awaitable[list]],
        command: Command,
        limit: int,
        *,
        key: Callable[[Any], tuple] | None = None,
        **items: Callable[[Any], Any],
    ) -> Response:
        """`_handle` for a list: the handler answers up to `limit` + 1 rows; the response holds
        the first `limit`, mapped into its one repeated field (`clients=proto.client`), and the
        token of the next page (sort key `key`, by default creation time and id)."""
        ((name, mapping),) = items.items()
        response_type = response_type_of(request)

        def respond(found: list) -> Response:
            return response_type(
                **{name: [mapping(row) for row in found[:limit]]},
                next_page_token=next_page_token(found, limit, key),
            )

        return await self._handle(context, request, handler, command, respond)

    async def _system(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        response_type: type[Response],
        work: Callable[[Any], Awaitable[Response]],
    ) -> Response:
        """`work(uow)` in one transaction that may touch every tenant."""
        return await run_in_transaction(
            self._uow(Scope.of_system()), context, request, response_type, work
        )


@cache
def _method(request_type: type[Message]) -> MethodDescriptor:
    descriptor = request_type.DESCRIPTOR
    for service in descriptor.file.services_by_name.values():
        for method in service.methods:
            if method.input_type is descriptor:
                return method
    raise LookupError(f"no RPC takes {descriptor.full_name}")


@cache
def _response_type(request_type: type[Message]) -> type[Message]:
    method = _method(request_type)
    return getattr(sys.modules[request_type.__module__], method.output_type.name)


def response_type_of(request: Message) -> type[Message]:
    """The response message of the RPC `request` is for (one request message per RPC)."""
    return _response_type(type(request))
