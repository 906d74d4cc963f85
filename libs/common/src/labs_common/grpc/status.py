"""The boundary codec of the error model: a LabsError as a rich gRPC status (google.rpc.Status
with ErrorInfo and BadRequest), and back from a failed call. The error interceptor encodes;
clients of other services decode."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from labs_common.errors import (
    ERROR_DOMAIN,
    AlreadyExists,
    Conflict,
    DeadlineExceeded,
    FieldError,
    Internal,
    InvalidArgument,
    LabsError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    causes,
)

T = TypeVar("T")


class Unimplemented(LabsError):
    """The service has no such method (a replica older than its caller during a rollout, or an
    operation not built yet): the server is fine, it cannot do this (HTTP 501)."""

    code = "UNIMPLEMENTED"
    http_status = 501
    title = "Not implemented"


_BY_CODE: dict[grpc.StatusCode, type[LabsError]] = {
    grpc.StatusCode[cls.code]: cls
    for cls in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        Conflict,
        Unauthenticated,
        PermissionDenied,
        ResourceExhausted,
        Unavailable,
        DeadlineExceeded,
        Internal,
    )
}
# ABORTED is how a failed If-Match travels; OUT_OF_RANGE is a bad argument too.
_BY_CODE[grpc.StatusCode.ABORTED] = PreconditionFailed
_BY_CODE[grpc.StatusCode.OUT_OF_RANGE] = InvalidArgument
_BY_CODE[grpc.StatusCode.CANCELLED] = Unavailable
_BY_CODE[grpc.StatusCode.UNIMPLEMENTED] = Unimplemented


# SQLSTATEs of text PostgreSQL cannot store: 22021 character_not_in_repertoire ("invalid byte
# sequence for encoding UTF8: 0x00", a NUL in text) and 22P05 untranslatable_character (\u0000 in
# jsonb). The input is at fault, not the server.
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})


def unstorable_text(error: BaseException) -> InvalidArgument | None:
    """InvalidArgument when a database error says the request held text the database cannot
    store, else None. SQLAlchemy wraps asyncpg's errors, so the chain of causes is searched."""
    if any(getattr(cause, "sqlstate", None) in _UNSTORABLE_TEXT for cause in causes(error)):
        return InvalidArgument(
            "The request holds text that cannot be stored, such as the NUL character "
            "(U+0000).", reason="UNSTORABLE_TEXT")
    return None


def status_code(error: LabsError) -> grpc.StatusCode:
    """The gRPC status code `error` travels as."""
    return grpc.StatusCode[error.code]


def to_status(error: LabsError) -> grpc.Status:
    """The rich gRPC status (google.rpc.Status with ErrorInfo and BadRequest) for `error`."""
    details = [
        _pack(
            error_details_pb2.ErrorInfo(
                reason=error.reason, domain=ERROR_DOMAIN, metadata=error.metadata
            )
        )
    ]
    if error.field_errors:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=f.field, description=f.message
                        )
                        for f in error.field_errors
                    ]
                )
            )
        )
    status = status_pb2.Status(
        code=getattr(code_pb2, error.code), message=error.detail, details=details
    )
    return rpc_status.to_status(status)


def from_rpc_error(error: grpc.aio.AioRpcError | grpc.RpcError) -> LabsError:
    """Rebuild the LabsError a service raised from the status it sent."""
    code = error.code()
    cls = _BY_CODE.get(code, Internal)
    reason, metadata, field_errors = "", {}, []
    status = rpc_status.from_call(error) if hasattr(error, "trailing_metadata") else None
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            field_errors = [FieldError(v.field, v.description) for v in bad.field_violations]
    detail_text = error.details() or cls.title
    if cls is Internal or code in (grpc.StatusCode.UNKNOWN,):
        detail_text = "The server failed to handle the request."
    elif cls is Unimplemented and not reason:
        # gRPC's own answer for an unknown method ("Method not found!") means nothing to a client.
        detail_text = "This operation is not available on the server."
    return cls(detail_text, reason=reason, field_errors=field_errors, metadata=metadata)


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


async def remote_call(call: Awaitable[T]) -> T:
    """The answer of a call to another service, or the LabsError it failed with: clients catch
    domain errors (`except NotFound`) instead of status codes."""
    try:
        return await call
    except grpc.RpcError as error:
        raise from_rpc_error(error) from error


async def remote_lookup(call: Awaitable[T]) -> T | None:
    """`remote_call` for a lookup: what the other service does not know (NOT_FOUND) is None."""
    try:
        return await remote_call(call)
    except NotFound:
        return None
