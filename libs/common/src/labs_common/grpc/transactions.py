"""Running one RPC as one transaction, with Idempotency-Key support, and the one step from the
caller's principal to a unit of work that every servicer shares.

The idempotency record is claimed and filled inside the same unit of work as the RPC's effect,
so a retry either finds the committed first response or redoes work that was rolled back.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from labs_common.auth.principal import Principal, current_principal
from labs_common.db.uow import IdempotencyRecords, Scope, UnitOfWork
from labs_common.errors import InvalidArgument
from labs_common.grpc.interceptors import metadata_value
from labs_common.pagination import next_page_token

Response = TypeVar("Response", bound=Message)
Command = TypeVar("Command")
Result = TypeVar("Result")

MAX_KEY_LENGTH = 255

UowFactory = Callable[[Scope], UnitOfWork]


async def run_in_transaction(
    uow: UnitOfWork,
    context: grpc.aio.ServicerContext,
    request: Message,
    response_type: type[Response],
    work: Callable[[UnitOfWork], Awaitable[Response]],
) -> Response:
    key = metadata_value(context, "idempotency-key")
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH):
        raise InvalidArgument.on("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} characters")
    async with uow:
        if key:
            fingerprint = IdempotencyRecords.fingerprint(
                type(request).DESCRIPTOR.full_name, request.SerializeToString(deterministic=True)
            )
            earlier = await uow.idempotency.claim(key, fingerprint)
            if earlier is not None:
                return response_type.FromString(earlier)
        response = await work(uow)
        if key:
            await uow.idempotency.record(key, response.SerializeToString())
        await uow.commit()
    return response


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
        return await self._tenant(context, request, response_type, work)

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
def _response_type(request_type: type[Message]) -> type[Message]:
    descriptor = request_type.DESCRIPTOR
    for service in descriptor.file.services_by_name.values():
        for method in service.methods:
            if method.input_type is descriptor:
                return getattr(sys.modules[request_type.__module__], method.output_type.name)
    raise LookupError(f"no RPC takes {descriptor.full_name}")


def response_type_of(request: Message) -> type[Message]:
    """The response message of the RPC `request` is for (one request message per RPC)."""
    return _response_type(type(request))
