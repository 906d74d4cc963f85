"""One error model for the platform, in plain Python: domain code raises these, the gRPC boundary
(labs_common.grpc.status) carries them as status with google.rpc details between services, and
the gateway renders them as problem+json (RFC 9457).

Each class names its `code`, the canonical status name (the gRPC one, which is also the
google.rpc one) as a string, so nothing here imports a transport."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

T = TypeVar("T")

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

    code: ClassVar[str] = "UNKNOWN"
    http_status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __post_init__(self) -> None:
        super().__init__(self.detail)
        if not self.reason:
            # InvalidArgument → INVALID_ARGUMENT: a stable identifier clients can switch on.
            self.reason = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).upper()


class InvalidArgument(LabsError):
    code = "INVALID_ARGUMENT"
    http_status = 422
    title = "Validation failed"

    @classmethod
    def on(cls, field_name: str, message: str) -> InvalidArgument:
        return cls(f"{field_name}: {message}", field_errors=[FieldError(field_name, message)])


class NotFound(LabsError):
    code = "NOT_FOUND"
    http_status = 404
    title = "Not found"


class AlreadyExists(LabsError):
    code = "ALREADY_EXISTS"
    http_status = 409
    title = "Conflict"


class Conflict(LabsError):
    """The object's state forbids the operation (locked, invoiced, last owner...)."""

    code = "FAILED_PRECONDITION"
    http_status = 409
    title = "Conflict"


class PreconditionFailed(LabsError):
    """An If-Match / etag no longer matches."""

    code = "ABORTED"
    http_status = 412
    title = "Precondition failed"


class Unauthenticated(LabsError):
    code = "UNAUTHENTICATED"
    http_status = 401
    title = "Unauthenticated"


class PermissionDenied(LabsError):
    code = "PERMISSION_DENIED"
    http_status = 403
    title = "Forbidden"


class ResourceExhausted(LabsError):
    code = "RESOURCE_EXHAUSTED"
    http_status = 429
    title = "Too many requests"


class Unavailable(LabsError):
    code = "UNAVAILABLE"
    http_status = 503
    title = "Service unavailable"


class DeadlineExceeded(LabsError):
    code = "DEADLINE_EXCEEDED"
    http_status = 504
    title = "Upstream timed out"


class Internal(LabsError):
    code = "INTERNAL"


class FieldErrors:
    """Every wrong field of a request in one InvalidArgument: each check runs, the field errors of
    those that fail are kept, and `raise_any` raises them together (API.md: a 422 names every
    wrong field at once). Any other error (403, 404, 503...) is raised at once, as before.

        problems = FieldErrors()
        hours = problems.check(lambda: rules.hours(value))   # None when it failed
        day = problems.check(lambda: rules.work_date(text, today))
        problems.raise_any()
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except InvalidArgument as error:
            self.errors.extend(error.field_errors or [FieldError("body", error.detail)])
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidArgument("; ".join(f"{e.field}: {e.message}" for e in self.errors),
                                  field_errors=list(self.errors))


# The codec lives at the boundary; these names stay importable from here for existing callers
# (the gateway, tests), loaded on first use so that importing the errors imports no grpc.
_AT_THE_BOUNDARY = ("from_rpc_error", "to_status")


def __getattr__(name: str):
    if name in _AT_THE_BOUNDARY:
        from labs_common.grpc import status

        return getattr(status, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and what caused it, outermost first: SQLAlchemy keeps the driver's error in
    `.orig` (its adapted asyncpg error chains the original), others in __cause__/__context__."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
