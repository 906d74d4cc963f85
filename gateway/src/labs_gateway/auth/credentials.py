"""Bearer credentials → a verified Principal.

An access token (JWT) is verified locally against identity's JWKS. An API key (`lbk_...`) is first
exchanged with identity for a short-lived access token, which is cached under the sha256 of the
secret (never the secret itself) until shortly before it expires, then verified like any JWT.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import ClassVar, NamedTuple

import jwt
from starlette.datastructures import Headers

from labs_common.auth.principal import Principal
from labs_common.auth.tokens import TokenVerifier
from labs_common.errors import Unauthenticated

API_KEY_PREFIX = "lbk_"
# secret → (access token, seconds until it expires)
ApiKeyExchange = Callable[[str], Awaitable[tuple[str, int]]]


class CredentialsMissing(Unauthenticated):
    pass


class CredentialsRejected(Unauthenticated):
    """A token or key was presented and refused (RFC 6750 `invalid_token`)."""

    challenge: ClassVar[str] = 'Bearer realm="labs", error="invalid_token"'


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of an `Authorization: Bearer <credential>` header, else None."""
    if not authorization:
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return None
    return credential


class _CachedToken(NamedTuple):
    token: str
    until: float
    api_key_id: str


class ApiKeyTokens:
    """Access tokens obtained for API keys, reused until shortly before they expire."""

    def __init__(self, exchange: ApiKeyExchange, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._exchange = exchange
        self._max = max_entries
        self._clock = clock
        self._tokens: OrderedDict[str, _CachedToken] = OrderedDict()
        # One exchange in flight per key: a burst of requests with a cold key asks identity once.
        self._pending: dict[str, asyncio.Future[str]] = {}

    async def access_token(self, secret: str) -> str:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        cached = self._tokens.get(digest)
        if cached and cached.until > self._clock():
            self._tokens.move_to_end(digest)
            return cached.token
        if pending := self._pending.get(digest):
            return await asyncio.shield(pending)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[digest] = future
        try:
            token, expires_in = await self._exchange(secret)
            # Renew a little early: a token must not expire between our check and the service's.
            margin = min(60.0, expires_in * 0.2)
            self._remember(digest, token, self._clock() + expires_in - margin)
            future.set_result(token)
            return token
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # mark it retrieved: nobody else may be waiting
            raise
        finally:
            del self._pending[digest]

    def forget(self, api_key_id: str) -> None:
        """Drop the token of a revoked key, so its next use asks identity (and is refused)."""
        for digest in [d for d, cached in self._tokens.items() if cached.api_key_id == api_key_id]:
            del self._tokens[digest]

    def _remember(self, digest: str, token: str, until: float) -> None:
        # Only used to find the entry again on revocation; the token is verified on every use.
        try:
            api_key_id = str(jwt.decode(token, options={"verify_signature": False})["akid"])
        except (jwt.PyJWTError, KeyError):
            api_key_id = ""  # verification will refuse a malformed token anyway
        self._tokens[digest] = _CachedToken(token, until, api_key_id)
        self._tokens.move_to_end(digest)
        while len(self._tokens) > self._max:
            self._tokens.popitem(last=False)


class Authenticator:
    def __init__(self, verifier: TokenVerifier, api_keys: ApiKeyTokens) -> None:
        self._verifier = verifier
        self._api_keys = api_keys

    async def authenticate(self, credential: str | None) -> Principal:
        """The principal for a bearer credential; Unauthenticated when missing or refused."""
        if not credential:
            raise CredentialsMissing("Authentication required: send Authorization: Bearer <token>.",
                                     reason="CREDENTIALS_MISSING")
        try:
            token = credential
            if credential.startswith(API_KEY_PREFIX):
                token = await self._api_keys.access_token(credential)
            return await self._verifier.verify(token)
        except CredentialsRejected:
            raise
        except Unauthenticated as error:
            reason = "INVALID_TOKEN" if error.reason == "UNAUTHENTICATED" else error.reason
            raise CredentialsRejected(error.detail, reason=reason) from error


# Where the principal verified for a request is kept (its ASGI scope's state), so the rate
# limiter, the read cache and the routes' dependency verify a credential once per request.
PRINCIPAL_STATE_KEY = "principal"


async def verified_principal(scope: dict, authenticator: Authenticator) -> Principal | None:
    """The request's principal, verified once and kept in its state; None without a credential
    or while it is refused or cannot be verified (the route then answers 401 or 503)."""
    state = scope.setdefault("state", {})
    if (principal := state.get(PRINCIPAL_STATE_KEY)) is not None:
        return principal
    credential = bearer_credential(Headers(scope=scope).get("authorization"))
    if not credential:
        return None
    try:
        principal = await authenticator.authenticate(credential)
    except Exception:
        return None
    state[PRINCIPAL_STATE_KEY] = principal
    return principal

