"""What the gateway asks identity for to authenticate callers: the JWKS and API-key exchanges."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

import grpc

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.tokens import JwksFetcher
from labs_common.errors import Unavailable
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


class IdentityKeys:
    """identity's JWKS for the whole gateway: the token verifier's source and the document
    served at /.well-known/jwks.json.

    Every request that meets a stale cache or an unknown `kid` asks for the keys; while identity
    is down, each such ask used to be one more call to it, one after another behind the
    verifier's lock. Here:
    - one fetch at a time: whoever asks while a fetch is in flight waits for that one;
    - at most one fetch per `min_interval` (a token naming a made-up kid cannot make the gateway
      call identity more often than that);
    - after a failure, the next fetch waits `retry` seconds, doubling with each failure up to
      `max_retry`; meanwhile, and on failure, the last good keys are answered while they are at
      most `max_stale` old, then Unavailable (503).
    """

    def __init__(self, fetch: JwksFetcher, *, ttl: float, min_interval: float = 10.0,
                 retry: float = 1.0, max_retry: float = 60.0, max_stale: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._min_interval = min_interval
        self._retry = retry
        self._max_retry = max_retry
        self._max_stale = max_stale
        self._clock = clock
        self._keys: list[dict] | None = None
        self._fetched_at = -math.inf  # last success
        self._attempted_at = -math.inf  # last fetch, whatever came of it
        self._next_attempt = -math.inf
        self._failures = 0
        self._pending: asyncio.Task[list[dict]] | None = None

    async def keys(self) -> list[dict]:
        """The keys for /.well-known/jwks.json: reused for `ttl` seconds."""
        if self._keys is not None and self._clock() - self._fetched_at <= self._ttl:
            return self._keys
        return await self.fetch()

    async def fetch(self) -> list[dict]:
        """The current keys, asking identity unless one of the rules above says not to."""
        if self._pending is None:
            now = self._clock()
            if now < self._next_attempt:
                return self._last_good(now)
            if self._keys is not None and now - self._attempted_at < self._min_interval:
                return self._keys
            self._attempted_at = now
            # A task of its own: a caller that goes away (its client hung up) does not cancel
            # the fetch everyone else waits for.
            self._pending = asyncio.create_task(self._fetch_keys())
            self._pending.add_done_callback(self._settled)
        return await asyncio.shield(self._pending)

    async def _fetch_keys(self) -> list[dict]:
        try:
            keys = await self._fetch()
        except Exception as error:
            self._failures += 1
            delay = min(self._max_retry, self._retry * 2 ** (self._failures - 1))
            self._next_attempt = self._clock() + delay
            return self._last_good(self._clock(), error)
        self._keys, self._fetched_at, self._failures = keys, self._clock(), 0
        self._next_attempt = -math.inf
        return keys

    def _settled(self, task: asyncio.Task[list[dict]]) -> None:
        self._pending = None
        if not task.cancelled():
            task.exception()  # mark it retrieved: nobody may have been waiting

    def _last_good(self, now: float, error: Exception | None = None) -> list[dict]:
        if self._keys is not None and now - self._fetched_at <= self._max_stale:
            return self._keys
        raise Unavailable("Cannot reach identity to fetch signing keys.") from error
