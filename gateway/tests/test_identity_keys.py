"""identity's signing keys while identity is down: no stampede of JWKS fetches, the last good keys
keep verifying tokens for a bounded while, and retries back off."""

from __future__ import annotations

import asyncio
import itertools

import grpc
import httpx
import pytest

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc
from labs_common.errors import Unavailable
from labs_gateway.app import create_app
from labs_gateway.auth.identity_keys import IdentityKeys
from labs_gateway.config import GatewaySettings
from labs_gateway.upstream import Upstream

KEYS = [{"kid": "k1", "kty": "OKP"}]
CONCURRENT = 50


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeJwks:
    """identity's GetJwks as the keys see it: counts calls; each waits until released, so the
    callers of a test really are concurrent with it."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> list[dict]:
        self.calls += 1
        await self.release.wait()
        if self.down:
            raise Unavailable("identity is down")
        return KEYS


def keys_with(fetch: FakeJwks, clock: Clock, **options) -> IdentityKeys:
    settings = {"ttl": 60, "min_interval": 10, "retry": 1, "max_retry": 8, "max_stale": 3600,
                **options}
    return IdentityKeys(fetch, clock=clock, **settings)


async def concurrently(keys: IdentityKeys, fetch: FakeJwks) -> list:
    fetch.release.clear()
    callers = [asyncio.ensure_future(keys.fetch()) for _ in range(CONCURRENT)]
    await asyncio.sleep(0)  # let every caller reach the fetch in flight before it ends
    fetch.release.set()
    return await asyncio.gather(*callers, return_exceptions=True)


async def test_concurrent_callers_share_one_fetch():
    fetch, clock = FakeJwks(), Clock()
    answers = await concurrently(keys_with(fetch, clock), fetch)
    assert answers == [KEYS] * CONCURRENT
    assert fetch.calls == 1


async def test_while_identity_is_down_the_last_good_keys_are_served_and_it_is_asked_once():
    fetch, clock = FakeJwks(), Clock()
    keys = keys_with(fetch, clock)
    await keys.fetch()
    fetch.down = True
    clock.now += 300  # the verifier's cache went stale: every request asks
    assert await concurrently(keys, fetch) == [KEYS] * CONCURRENT
    for _ in range(CONCURRENT):  # and again, one after another, during the backoff
        assert await keys.fetch() == KEYS
    assert fetch.calls == 2


async def test_retries_after_failures_back_off_up_to_a_bound():
    fetch, clock = FakeJwks(), Clock()
    keys = keys_with(fetch, clock, min_interval=0.5)
    await keys.fetch()
    fetch.down = True
    clock.now += 300
    attempts = []
    for _ in range(60):  # a minute of requests, one per second, all answered
        before = fetch.calls
        assert await keys.fetch() == KEYS
        if fetch.calls > before:
            attempts.append(clock.now)
        clock.now += 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[:4] == [1, 2, 4, 8] and max(gaps) == 8
    # Back up: the next attempt succeeds, and a later failure starts again from 1 s.
    fetch.down = False
    clock.now += 8
    assert await keys.fetch() == KEYS and fetch.calls == len(attempts) + 2


async def test_stale_keys_stop_verifying_after_the_bound():
    fetch, clock = FakeJwks(), Clock()
    keys = keys_with(fetch, clock)
    await keys.fetch()
    fetch.down = True
    clock.now += 3601
    with pytest.raises(Unavailable):
        await keys.fetch()


async def test_without_any_keys_identity_down_is_one_call_for_many_callers_then_a_pause():
    fetch, clock = FakeJwks(), Clock()
    fetch.down = True
    keys = keys_with(fetch, clock)
    answers = await concurrently(keys, fetch)
    assert all(isinstance(answer, Unavailable) for answer in answers)
    with pytest.raises(Unavailable):
        await keys.fetch()  # within the backoff: not asked
    assert fetch.calls == 1
    clock.now += 1
    fetch.down = False
    assert await keys.fetch() == KEYS and fetch.calls == 2


async def test_unknown_kids_refetch_at_most_once_per_interval():
    fetch, clock = FakeJwks(), Clock()
    keys = keys_with(fetch, clock)
    for _ in range(100):  # tokens naming made-up kids: the verifier asks for fresh keys each time
        await keys.fetch()
        clock.now += 0.05
    assert fetch.calls == 1
    clock.now += 10
    await keys.fetch()
    assert fetch.calls == 2


class CountingIdentity(identity_service_pb2_grpc.IdentityServiceServicer):
    def __init__(self, jwk: dict) -> None:
        self.jwk = jwk
        self.calls = 0
        self.down = True

    async def GetJwks(self, request, context):
        self.calls += 1
        if self.down:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
        return pb.GetJwksResponse(keys=[pb.Jwk(**self.jwk)])


async def test_many_requests_while_identity_is_down_ask_it_once(serve_identity, signing_key,
                                                                issue_token):
    identity = CountingIdentity(signing_key.jwk)
    settings = GatewaySettings(env="test", nats_url="nats://127.0.0.1:1",
                               identity_addr=await serve_identity(identity),
                               # Longer than the hundred requests take on a loaded machine.
                               rate_limit="10000/minute", jwks_retry_seconds=1.5)
    upstream = Upstream.open(settings)
    app = create_app(settings, upstream)  # the verifier asks this identity for its keys
    headers = {"authorization": f"Bearer {issue_token(role='manager')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://gateway.test") as client:
        try:
            answers = await asyncio.gather(
                *(client.get("/api/v1/auth/me", headers=headers) for _ in range(CONCURRENT)))
            assert {r.status_code for r in answers} == {503}
            # One fetch for the hundred verifications (the rate limiter's and the route's), which
            # the channel itself retries up to 4 times on UNAVAILABLE.
            after_outage = identity.calls
            assert 1 <= after_outage <= 4

            # Back up: after the backoff the keys are fetched once and tokens verify again
            # (this identity has no GetMe: 501 means the token was accepted).
            identity.down = False
            deadline = asyncio.get_running_loop().time() + 10
            while (await client.get("/api/v1/auth/me", headers=headers)).status_code != 501:
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.05)
            assert identity.calls == after_outage + 1
        finally:
            await upstream.close()
