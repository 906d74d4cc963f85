"""Running one RPC as one transaction, with Idempotency-Key support.

The idempotency record is claimed and filled inside the same unit of work as the RPC's effect,
so a retry either finds the committed first response or redoes work that was rolled back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from labs_common.db.uow import IdempotencyRecords, UnitOfWork
from labs_common.errors import InvalidArgument
from labs_common.grpc.interceptors import metadata_value

Response = TypeVar("Response", bound=Message)

MAX_KEY_LENGTH = 255


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
