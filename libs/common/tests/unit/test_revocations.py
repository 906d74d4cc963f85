"""Revoked sessions: refused at once by the verifier, forgotten when their tokens expire,
bounded."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs_common.auth.revocations import RevokedSessions
from labs_common.auth.tokens import TokenVerifier
from labs_common.errors import Unauthenticated


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lasts_until_the_sessions_tokens_would_have_expired():
    clock, sid = Clock(), uuid.uuid4()
    sessions = RevokedSessions(clock=clock)
    sessions.revoke(sid, until=clock.now + 900)
    assert sessions.is_revoked(sid) and not sessions.is_revoked(uuid.uuid4())
    clock.now += 901
    assert not sessions.is_revoked(sid) and len(sessions) == 0


def test_memory_is_bounded_dropping_the_soonest_expiring_first():
    clock = Clock()
    sessions = RevokedSessions(max_entries=3, clock=clock)
    ids = [uuid.uuid4() for _ in range(5)]
    for n, sid in enumerate(ids):
        sessions.revoke(sid, until=clock.now + 100 + n)
    assert len(sessions) == 3
    assert [sessions.is_revoked(sid) for sid in ids] == [False, False, True, True, True]


def test_an_already_expired_revocation_is_not_kept():
    clock = Clock()
    sessions = RevokedSessions(clock=clock)
    sessions.revoke(uuid.uuid4(), until=clock.now - 1)
    assert len(sessions) == 0


def test_a_session_revoked_envelope_is_recorded_with_its_expiry():
    sid = uuid.uuid4()
    payload = events_pb2.SessionRevoked(user_id=str(uuid.uuid4()), session_id=str(sid),
                                        reason="logout")
    payload.access_expires_at.FromDatetime(datetime.now(UTC) + timedelta(minutes=15))
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="session.revoked")
    envelope.payload.Pack(payload)
    sessions = RevokedSessions()
    sessions.apply(envelope.SerializeToString())
    assert sessions.is_revoked(sid)


async def test_the_verifier_refuses_a_revoked_sessions_token_and_no_other():
    key = Ed25519PrivateKey.generate()
    jwk = {**json.loads(OKPAlgorithm.to_jwk(key.public_key())), "kid": "k1", "alg": "EdDSA",
           "use": "sig"}

    async def fetch() -> list[dict]:
        return [jwk]

    sessions = RevokedSessions()
    verifier = TokenVerifier(fetch, "iss", "aud", revoked=sessions)
    now = int(time.time())

    def token(sid: uuid.UUID) -> str:
        claims = {"iss": "iss", "aud": "aud", "sub": str(uuid.uuid4()), "org": str(uuid.uuid4()),
                  "role": "member", "sid": str(sid), "iat": now, "exp": now + 300}
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "k1", "typ": "at+jwt"})

    ended, live = uuid.uuid4(), uuid.uuid4()
    sessions.revoke(ended)
    assert (await verifier.verify(token(live))).session_id == live
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(token(ended))
    assert refused.value.reason == "SESSION_REVOKED"
