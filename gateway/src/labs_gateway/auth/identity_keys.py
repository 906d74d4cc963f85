"""What the gateway asks identity for to authenticate callers: the JWKS and API-key exchanges."""

from __future__ import annotations

import asyncio
import time

import grpc

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.tokens import JwksFetcher
from labs_gateway.auth.credentials import ApiKeyExchange
from labs_gateway.upstream import Caller, calling_as, rpc_failure

# These exchanges authenticate the caller, so they never carry one: a socket renewing its API key
# has an expired token bound, which identity would refuse even on a public method.
ANONYMOUS = Caller()


def jwks_fetcher(identity: IdentityServiceStub) -> JwksFetcher:
    async def fetch() -> list[dict]:
        try:
            with calling_as(ANONYMOUS):
                response = await identity.GetJwks(pb.GetJwksRequest())
        except grpc.aio.AioRpcError as error:
            raise rpc_failure(error) from error
        return [{"kid": k.kid, "kty": k.kty, "crv": k.crv, "x": k.x, "alg": k.alg, "use": k.use}
                for k in response.keys]

    return fetch


def api_key_exchange(identity: IdentityServiceStub) -> ApiKeyExchange:
    async def exchange(secret: str) -> tuple[str, int]:
        try:
            request = pb.AuthenticateApiKeyRequest(secret=secret)
            with calling_as(ANONYMOUS):
                response = await identity.AuthenticateApiKey(request)
        except grpc.aio.AioRpcError as error:
            raise rpc_failure(error) from error
        return response.access_token, response.expires_in

    return exchange


class CachedJwks:
    """The JWKS document served at /.well-known/jwks.json, reused for a short while."""

    def __init__(self, fetch: JwksFetcher, ttl_seconds: float) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._keys: list[dict] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def keys(self) -> list[dict]:
        async with self._lock:
            if self._keys is None or time.monotonic() - self._fetched_at > self._ttl:
                self._keys = await self._fetch()
                self._fetched_at = time.monotonic()
            return self._keys
