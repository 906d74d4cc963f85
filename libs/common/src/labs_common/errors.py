"""One error model for the platform: raised by domain code, carried as gRPC status with
google.rpc details between services, and rendered as problem+json (RFC 9457) at the edge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

ERROR_DOMAIN = "labs.dev"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class LabsError(Exception):
    """Base of every error a caller should see. `reason` is a stable UPPER_SNAKE identifier."""

    detail: str
    reason: str = ""
    field_errors: list[FieldError] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    grpc_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN
    http_status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __post_init__(self) -> None:
        super().__init__(self.detail)
        if not self.reason:
            # InvalidArgument → INVALID_ARGUMENT: a stable identifier clients can switch on.
            self.reason = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).upper()


class InvalidArgument(LabsError):
    grpc_code = grpc.StatusCode.INVALID_ARGUMENT
    http_status = 422
    title = "Validation failed"

    @classmethod
    def on(cls, field_name: str, message: str) -> InvalidArgument:
        return cls(f"{field_name}: {message}", field_errors=[FieldError(field_name, message)])


class NotFound(LabsError):
    grpc_code = grpc.StatusCode.NOT_FOUND
    http_status = 404
    title = "Not found"


class AlreadyExists(LabsError):
    grpc_code = grpc.StatusCode.ALREADY_EXISTS
    http_status = 409
    title = "Conflict"


class Conflict(LabsError):
    """The object's state forbids the operation (locked, invoiced, last owner...)."""

    grpc_code = grpc.StatusCode.FAILED_PRECONDITION
    http_status = 409
    title = "Conflict"


class PreconditionFailed(LabsError):
    """An If-Match / etag no longer matches."""

    grpc_code = grpc.StatusCode.ABORTED
    http_status = 412
    title = "Precondition failed"


class Unauthenticated(LabsError):
    grpc_code = grpc.StatusCode.UNAUTHENTICATED
    http_status = 401
    title = "Unauthenticated"


class PermissionDenied(LabsError):
    grpc_code = grpc.StatusCode.PERMISSION_DENIED
    http_status = 403
    title = "Forbidden"


class ResourceExhausted(LabsError):
    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED
    http_status = 429
    title = "Too many requests"


class Unavailable(LabsError):
    grpc_code = grpc.StatusCode.UNAVAILABLE
    http_status = 503
    title = "Service unavailable"


class DeadlineExceeded(LabsError):
    grpc_code = grpc.StatusCode.DEADLINE_EXCEEDED
    http_status = 504
    title = "Upstream timed out"


class Internal(LabsError):
    grpc_code = grpc.StatusCode.INTERNAL


_BY_CODE: dict[grpc.StatusCode, type[LabsError]] = {
    cls.grpc_code: cls
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
        code=getattr(code_pb2, error.grpc_code.name), message=error.detail, details=details
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
    return cls(detail_text, reason=reason, field_errors=field_errors, metadata=metadata)


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed
