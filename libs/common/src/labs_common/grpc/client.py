"""Channels to other services: a deadline on every call, retries only where a call is idempotent,
and the caller's access token forwarded so the callee verifies the same principal (zero trust)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from labs_common.auth.principal import optional_principal
from labs_common.config import BaseLabsSettings


class _ForwardToken(grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, client_call_details, request):
        principal = optional_principal()
        metadata = grpc.aio.Metadata(*(client_call_details.metadata or ()))
        if principal is not None and "authorization" not in metadata:
            metadata.add("authorization", f"Bearer {principal.token}")
        details = client_call_details._replace(metadata=metadata)
        return await continuation(details, request)


def service_config(service: str, idempotent_methods: Iterable[str], timeout: float) -> str:
    """gRPC service config: a default deadline for every method of `service`, and transparent
    retries with backoff on UNAVAILABLE for the idempotent ones."""
    methods = list(idempotent_methods)
    config: dict = {"methodConfig": [{"name": [{"service": service}], "timeout": f"{timeout}s"}]}
    if methods:
        config["methodConfig"].insert(
            0,
            {
                "name": [{"service": service, "method": m} for m in methods],
                "timeout": f"{timeout}s",
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            },
        )
    return json.dumps(config)


def open_channel(
    settings: BaseLabsSettings,
    target_service: str,
    grpc_service: str,
    idempotent_methods: Iterable[str] = (),
) -> grpc.aio.Channel:
    """A channel to `target_service` (its address from settings) for the gRPC `grpc_service`."""
    return grpc.aio.insecure_channel(
        settings.addr_of(target_service),
        options=[
            (
                "grpc.service_config",
                service_config(grpc_service, idempotent_methods, settings.grpc_client_timeout),
            ),
            ("grpc.enable_retries", 1),
            ("grpc.keepalive_time_ms", 30_000),
        ],
        interceptors=[*aio_client_interceptors(), _ForwardToken()],
    )
