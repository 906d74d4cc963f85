"""Verification of access tokens against identity's published keys (JWKS).

Only EdDSA is accepted; the header must name a known `kid` and `typ: at+jwt` (RFC 9068), and the
issuer and audience must match, so a refresh token, an ID token or a token for another audience
never passes for an access token.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import jwt

from labs_common.auth.principal import Principal
from labs_common.auth.revocations import RevokedSessions
from labs_common.auth.roles import Role
from labs_common.errors import Unauthenticated, Unavailable

ALGORITHMS = ["EdDSA"]
ACCESS_TOKEN_TYPE = "at+jwt"
# A token naming an unknown kid triggers a JWKS refresh at most this often (a forged kid must
# not let a caller hammer identity).
MIN_REFRESH_SECONDS = 10.0
CACHE_SECONDS = 300.0
# Tokens verified lately, kept so a token's signature is checked once rather than on every
# request and again in every service a request reaches (EdDSA verification and claim parsing
# were the largest share of a read's CPU that was not I/O). Bounded: least recently used go.
VERIFIED_TOKENS = 4096

JwksFetcher = Callable[[], Awaitable[list[dict]]]


class TokenVerifier:
    def __init__(
        self,
        fetch_jwks: JwksFetcher,
        issuer: str,
        audience: str,
        min_refresh_seconds: float = MIN_REFRESH_SECONDS,
        revoked: RevokedSessions | None = None,
    ) -> None:
        self._fetch = fetch_jwks
        # Sessions ended before their tokens expired (labs_common.auth.revocations).
        self.revoked = revoked
        self._min_refresh = min_refresh_seconds
        self._issuer = issuer
        self._audience = audience
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[str, tuple[Principal, float, str]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The token's principal; a token seen before is not verified again, but its expiry,
        its signing key (still published) and its session (not ended) are checked every time."""
        if (seen := self._verified.get(token)) is not None:
            principal, expires_at, kid = seen
            if time.time() >= expires_at:
                del self._verified[token]
                raise Unauthenticated("The access token has expired.", reason="TOKEN_EXPIRED")
            await self._key(kid)
            self._verified.move_to_end(token)
            self._check_session(principal)
            return principal
        principal, expires_at, kid = await self._verify(token)
        self._verified[token] = (principal, expires_at, kid)
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthenticated("The access token is malformed.") from error
        if header.get("typ") != ACCESS_TOKEN_TYPE or header.get("alg") not in ALGORITHMS:
            raise Unauthenticated("The access token has the wrong type or algorithm.")
        kid = str(header.get("kid", ""))
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "org", "role"]},
            )
            principal = Principal(
                user_id=uuid.UUID(claims["sub"]),
                org_id=uuid.UUID(claims["org"]),
                role=Role(claims["role"]),
                token=token,
                session_id=_uuid(claims.get("sid")),
                client_id=_uuid(claims.get("client_id")),
                api_key_id=_uuid(claims.get("akid")),
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated(
                "The access token has expired.", reason="TOKEN_EXPIRED"
            ) from error
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise Unauthenticated("The access token is invalid.") from error
        self._check_session(principal)
        return principal, float(claims["exp"]), kid

    def _check_session(self, principal: Principal) -> None:
        if self.revoked is not None and self.revoked.is_revoked(principal.session_id):
            raise Unauthenticated("The session of this access token has ended.",
                                  reason="SESSION_REVOKED")

    async def _key(self, kid: str) -> jwt.PyJWK:
        stale = time.monotonic() - self._fetched_at > CACHE_SECONDS
        if kid not in self._keys or stale:
            async with self._lock:
                since = time.monotonic() - self._fetched_at
                if since >= self._min_refresh and (kid not in self._keys or since > CACHE_SECONDS):
                    await self._refresh()
        if kid not in self._keys:
            raise Unauthenticated("The access token was signed by an unknown key.")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            jwks = await self._fetch()
        except Exception as error:
            if self._keys:
                return  # keep serving with the keys we have while identity is unreachable
            raise Unavailable("Cannot reach identity to fetch signing keys.") from error
        self._keys = {key["kid"]: jwt.PyJWK(key) for key in jwks}
        self._fetched_at = time.monotonic()


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
