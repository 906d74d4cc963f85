"""Small pieces of the edge on their own: body limits by path, the API-key token cache."""

from __future__ import annotations

import asyncio
import time
import uuid

import nats

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs_gateway.auth.credentials import ApiKeyTokens, bearer_credential
from labs_gateway.auth.revocations import ApiKeyRevocations
from labs_gateway.middleware.body_size import BodyLimits


def test_the_longest_matching_prefix_decides_the_body_limit():
    limits = BodyLimits(100, {"/api/v1/projects": 200, "/api/v1/projects/*/files": 300})
    assert limits.for_path("/api/v1/tasks") == 100
    assert limits.for_path("/api/v1/projects/42") == 200
    assert limits.for_path("/api/v1/projects/42/files") == 300
    assert limits.for_path("/api/v1/projects/42/files/7") == 300
    assert limits.for_path("/api/v1/projectsx") == 100


def test_only_bearer_credentials_are_taken():
    assert bearer_credential("Bearer abc") == "abc"
    assert bearer_credential("bearer   abc ") == "abc"
    assert bearer_credential("Basic abc") is None
    assert bearer_credential("Bearer") is None


class FakeExchange:
    def __init__(self, sign) -> None:
        self.sign = sign
        self.calls = 0
        self.api_key_id = str(uuid.uuid4())

    async def __call__(self, secret: str) -> tuple[str, int]:
        self.calls += 1
        await asyncio.sleep(0)
        return self.sign(), 300


async def test_concurrent_requests_with_a_cold_key_exchange_it_once(issue_token):
    exchange = FakeExchange(issue_token)
    tokens = ApiKeyTokens(exchange)
    results = await asyncio.gather(*(tokens.access_token("lbk_x") for _ in range(10)))
    assert exchange.calls == 1 and len(set(results)) == 1


async def test_a_token_is_renewed_shortly_before_it_expires(issue_token):
    now = [1000.0]
    exchange = FakeExchange(issue_token)
    tokens = ApiKeyTokens(exchange, clock=lambda: now[0])
    await tokens.access_token("lbk_x")
    now[0] += 230  # 300 s token, renewed 60 s early
    await tokens.access_token("lbk_x")
    assert exchange.calls == 1
    now[0] += 20
    await tokens.access_token("lbk_x")
    assert exchange.calls == 2


async def test_a_revoked_keys_cached_token_is_forgotten(nats_url, issue_token):
    exchange = FakeExchange(lambda: None)
    exchange.sign = lambda: issue_token(akid=exchange.api_key_id)
    tokens = ApiKeyTokens(exchange)
    connection = await nats.connect(nats_url)
    revocations = ApiKeyRevocations(connection, tokens)
    await revocations.start()
    try:
        await tokens.access_token("lbk_x")
        org = str(uuid.uuid4())
        event = envelope_pb2.Envelope(id="e1", type="api_key.revoked", source="identity",
                                      org_id=org)
        event.payload.Pack(events_pb2.ApiKeyRevoked(api_key_id=exchange.api_key_id))
        await connection.publish(f"labs.identity.v1.{org}.api_key.revoked",
                                 event.SerializeToString())
        deadline = time.monotonic() + 5
        while exchange.calls < 2:
            assert time.monotonic() < deadline, "the revocation was not applied"
            await tokens.access_token("lbk_x")
            await asyncio.sleep(0.01)
    finally:
        await revocations.stop()
        await connection.close()
