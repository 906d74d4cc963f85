"""Server interceptors for unary and client-streaming RPCs: auth, errors and logging (tracing
is OpenTelemetry's own).

Each wraps the method's behaviour, so what it binds (the principal, log context) is visible to
the servicer code running inside it.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Awaitable, Callable

import grpc
import structlog
from opentelemetry import metrics
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from labs_common.auth.principal import bind_principal, reset_principal
from labs_common.auth.tokens import TokenVerifier
from labs_common.errors import LabsError, Unauthenticated, Unavailable
from labs_common.grpc.status import to_status, unstorable_text

log = structlog.get_logger("labs.grpc")

Behavior = Callable[[object, grpc.aio.ServicerContext], Awaitable[object]]


class _UnaryInterceptor(grpc.aio.ServerInterceptor, abc.ABC):
    @abc.abstractmethod
    async def around(self, behavior: Behavior, request, context, method: str): ...

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        # Client-streaming RPCs (uploads) answer once too, so they are wrapped the same way:
        # `request` is then the async iterator of request messages.
        if handler.unary_unary is not None:
            behavior, make = handler.unary_unary, grpc.unary_unary_rpc_method_handler
        elif handler.stream_unary is not None:
            behavior, make = handler.stream_unary, grpc.stream_unary_rpc_method_handler
        else:
            return handler

        async def wrapped(request, context):
            return await self.around(behavior, request, context, method)

        return make(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def metadata_value(context: grpc.aio.ServicerContext, key: str) -> str | None:
    for item in context.invocation_metadata() or ():
        if item.key == key:
            return item.value
    return None


class AuthInterceptor(_UnaryInterceptor):
    """Verifies `authorization: Bearer <jwt>` on every RPC except the public ones."""

    def __init__(self, verifier: TokenVerifier, public_methods: frozenset[str]) -> None:
        self._verifier = verifier
        self._public = public_methods

    async def around(self, behavior, request, context, method):
        header = metadata_value(context, "authorization") or ""
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if method.startswith("/grpc.") or (method in self._public and not token):
            principal = None
        elif not token:
            raise Unauthenticated("Authentication required.")
        else:
            principal = await self._verifier.verify(token)
        bound = bind_principal(principal)
        try:
            if principal is not None:
                structlog.contextvars.bind_contextvars(
                    org_id=str(principal.org_id), user_id=str(principal.user_id)
                )
            return await behavior(request, context)
        finally:
            reset_principal(bound)


class ErrorInterceptor(_UnaryInterceptor):
    """LabsError → its gRPC status with details; anything unexpected → INTERNAL, logged once."""

    async def around(self, behavior, request, context, method):
        try:
            return await behavior(request, context)
        except LabsError as error:
            await context.abort_with_status(to_status(error))
        except (DBAPIError, ConnectionError) as error:
            if bad_input := unstorable_text(error):  # a NUL in text: 422, not 500
                await context.abort_with_status(to_status(bad_input))
            lost_connection = isinstance(error, ConnectionError | OperationalError | InterfaceError)
            if not (lost_connection or getattr(error, "connection_invalidated", False)):
                raise
            log.warning("grpc.dependency_unavailable", method=method, error=str(error))
            await context.abort_with_status(to_status(Unavailable("A dependency is unavailable.")))


class LoggingInterceptor(_UnaryInterceptor):
    """One line and one measurement (RED: rate, errors, duration) per RPC; unexpected errors
    with their traceback.

    Outermost, so it also sees what the error interceptor made of the auth decision.
    """

    async def around(self, behavior, request, context, method):
        structlog.contextvars.clear_contextvars()
        started = time.perf_counter()
        try:
            response = await behavior(request, context)
        except grpc.aio.AbortError:
            code = context.code() or grpc.StatusCode.UNKNOWN
            log.info("grpc.call", method=method, code=_name(code), ms=_ms(started))
            raise
        except Exception:
            log.exception("grpc.unhandled", method=method, ms=_ms(started))
            await context.abort(
                grpc.StatusCode.INTERNAL, "The server failed to handle the request."
            )
        else:
            # Probes poll health every few seconds: keep them out of the info stream.
            level = log.debug if method.startswith("/grpc.health.") else log.info
            level("grpc.call", method=method, code="OK", ms=_ms(started))
            return response


_duration = metrics.get_meter("labs.grpc").create_histogram(
    "rpc.server.duration",
    unit="ms",
    description="gRPC calls served, by method and code",
)


def _measure(method: str, code: str, started: float) -> None:
    service, _, name = method.lstrip("/").partition("/")
    _duration.record(
        _ms(started), {"rpc.service": service, "rpc.method": name, "rpc.grpc.status_code": code}
    )


def _name(code) -> str:
    return code.name if isinstance(code, grpc.StatusCode) else str(code)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
