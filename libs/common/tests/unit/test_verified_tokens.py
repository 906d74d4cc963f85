"""The verifier checks a token's signature once; a token seen before still expires, still loses
its key when identity stops publishing it, and still ends with its session."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from labs_common.auth import tokens
from labs_common.auth.revocations import RevokedSessions
from labs_common.auth.tokens import TokenVerifier
from labs_common.errors import Unauthenticated


class Identity:
    """Publishes signing keys; `published` can drop one (a rotation that retires a key)."""

    def __init__(self) -> None:
        self.keys = {kid: Ed25519PrivateKey.generate() for kid in ("k1", "k2")}
        self.published = set(self.keys)

    async def fetch(self) -> list[dict]:
        return [{**json.loads(OKPAlgorithm.to_jwk(key.public_key())), "kid": kid,
                 "alg": "EdDSA", "use": "sig"}
                for kid, key in self.keys.items() if kid in self.published]

    def token(self, kid: str = "k1", *, lifetime: int = 300, sid: uuid.UUID | None = None
              ) -> str:
        now = int(time.time())
        claims = {"iss": "iss", "aud": "aud", "sub": str(uuid.uuid4()),
                  "org": str(uuid.uuid4()), "role": "member", "sid": str(sid or uuid.uuid4()),
                  "iat": now, "exp": now + lifetime}
        return jwt.encode(claims, self.keys[kid], algorithm="EdDSA",
                          headers={"kid": kid, "typ": "at+jwt"})


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """Every token whose signature the verifier checks."""
    seen: list[str] = []
    decode = jwt.decode

    def counting(token, *args, **kwargs):
        seen.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counting)
    return seen


async def test_a_token_is_verified_once_and_answers_the_same_principal(decodes):
    identity = Identity()
    verifier = TokenVerifier(identity.fetch, "iss", "aud")
    token = identity.token()
    first = await verifier.verify(token)
    assert [await verifier.verify(token) for _ in range(3)] == [first] * 3
    assert decodes == [token]


async def test_a_seen_token_is_refused_once_it_expires(monkeypatch):
    identity = Identity()
    verifier = TokenVerifier(identity.fetch, "iss", "aud")
    token = identity.token(lifetime=60)
    await verifier.verify(token)
    later = time.time() + 61
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(token)
    assert refused.value.reason == "TOKEN_EXPIRED"


async def test_a_seen_token_is_refused_once_its_session_ends():
    identity, sessions, sid = Identity(), RevokedSessions(), uuid.uuid4()
    verifier = TokenVerifier(identity.fetch, "iss", "aud", revoked=sessions)
    token = identity.token(sid=sid)
    await verifier.verify(token)
    sessions.revoke(sid)
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(token)
    assert refused.value.reason == "SESSION_REVOKED"


async def test_a_seen_token_is_refused_once_its_key_is_no_longer_published():
    identity = Identity()
    verifier = TokenVerifier(identity.fetch, "iss", "aud", min_refresh_seconds=0)
    retired, kept = identity.token("k1"), identity.token("k2")
    await verifier.verify(retired)
    await verifier.verify(kept)
    identity.published.discard("k1")
    verifier._fetched_at -= tokens.CACHE_SECONDS + 1  # the key set is due for a refresh
    with pytest.raises(Unauthenticated):
        await verifier.verify(retired)
    assert (await verifier.verify(kept)).role.value == "member"


async def test_memory_is_bounded_forgetting_the_least_recently_used(monkeypatch, decodes):
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS", 2)
    identity = Identity()
    verifier = TokenVerifier(identity.fetch, "iss", "aud")
    a, b, c = identity.token(), identity.token(), identity.token()
    for token in (a, b, a, c):  # c pushes out b, the one used least recently
        await verifier.verify(token)
    decodes.clear()
    await verifier.verify(a)
    await verifier.verify(b)
    assert decodes == [b]
