"""DelegatedTokens against a fake identity stub: what it asks, what it caches, for how long."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import SecretStr

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.auth.delegation import (
    SERVICE_CREDENTIAL_METADATA,
    DelegatedTokens,
    Delegation,
    acting_as,
)
from labs_common.auth.principal import bind_principal, optional_principal, reset_principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, NotFound
from labs_common.grpc.status import to_status

ORG = uuid.uuid4()
ANA = uuid.uuid4()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class NotFoundError(grpc.aio.AioRpcError):
    def __init__(self) -> None:
        status = to_status(NotFound("No such member.", reason="MEMBER_NOT_FOUND"))
        super().__init__(status.code, grpc.aio.Metadata(),
                         grpc.aio.Metadata(*status.trailing_metadata), status.details)


class FakeIdentity:
    """IssueDelegatedToken only: Ana (any case of her email) gets 5-minute tokens."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls: list[tuple[pb.IssueDelegatedTokenRequest, dict, object]] = []

    async def IssueDelegatedToken(self, request, metadata=()):
        self.calls.append((request, dict(metadata), optional_principal()))
        await asyncio.sleep(0)
        known = (request.user_id == str(ANA)
                 or request.email == "ana@example.com") and request.org_id == str(ORG)
        if not known:
            raise NotFoundError()
        expires = Timestamp()
        expires.FromDatetime(self.clock() + timedelta(minutes=5))
        return pb.IssueDelegatedTokenResponse(
            access_token=f"token-{len(self.calls)}", expires_at=expires, user_id=str(ANA),
            role=pb.ROLE_MANAGER, email="ana@example.com")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def identity(clock) -> FakeIdentity:
    return FakeIdentity(clock)


@pytest.fixture
def tokens(identity, clock) -> DelegatedTokens:
    return DelegatedTokens(identity, SecretStr("s3cret"), actor="integrations", clock=clock)


async def test_asks_identity_with_the_secret_and_the_actor(tokens, identity):
    delegation = await tokens.token(ORG, email=" Ana@Example.COM ", reason="slack /labs time")
    assert delegation == Delegation(token="token-1", org_id=ORG, user_id=ANA, role=Role.MANAGER,
                                    email="ana@example.com", expires_at=T0 + timedelta(minutes=5))
    ((request, metadata, _),) = identity.calls
    assert metadata == {SERVICE_CREDENTIAL_METADATA: "s3cret"}
    assert (request.org_id, request.email, request.actor, request.reason) == (
        str(ORG), "ana@example.com", "integrations", "slack /labs time")
    assert request.WhichOneof("member") == "email"
    assert "token-1" not in repr(delegation)


async def test_reuses_a_token_until_a_minute_before_it_expires(tokens, identity, clock):
    first = await tokens.token(ORG, user_id=ANA)
    clock.now = T0 + timedelta(minutes=3, seconds=59)
    assert await tokens.token(str(ORG), user_id=str(ANA)) is first
    assert len(identity.calls) == 1
    clock.now = T0 + timedelta(minutes=4)
    second = await tokens.token(ORG, user_id=ANA)
    assert second.token == "token-2" and len(identity.calls) == 2
    assert second.expires_at == clock.now + timedelta(minutes=5)


async def test_a_member_named_by_email_is_cached_by_id_as_well(tokens, identity):
    by_email = await tokens.token(ORG, email="ana@example.com")
    assert await tokens.token(ORG, user_id=ANA) is by_email
    assert len(identity.calls) == 1


async def test_concurrent_asks_for_one_member_make_one_call(tokens, identity):
    got = await asyncio.gather(*(tokens.token(ORG, user_id=ANA) for _ in range(5)))
    assert len(identity.calls) == 1 and all(d is got[0] for d in got)


async def test_forget_drops_an_organizations_tokens(tokens, identity):
    await tokens.token(ORG, user_id=ANA)
    tokens.forget(ORG)
    await tokens.token(ORG, user_id=ANA)
    assert len(identity.calls) == 2


async def test_an_unknown_member_is_not_found_and_not_cached(tokens, identity):
    with pytest.raises(NotFound) as caught:
        await tokens.token(ORG, email="nobody@example.com")
    assert caught.value.reason == "MEMBER_NOT_FOUND"
    with pytest.raises(NotFound):
        await tokens.token(ORG, email="nobody@example.com")
    assert len(identity.calls) == 2


async def test_exactly_one_of_user_id_and_email(tokens):
    with pytest.raises(InvalidArgument):
        await tokens.token(ORG)
    with pytest.raises(InvalidArgument):
        await tokens.token(ORG, user_id=ANA, email="ana@example.com")


async def test_the_bound_principal_is_not_sent_along(tokens, identity):
    """Asked while acting as someone: identity must see the secret only, not their token."""
    delegation = await tokens.token(ORG, user_id=ANA)
    tokens.forget()
    with acting_as(delegation):
        await tokens.token(ORG, user_id=ANA)
        assert optional_principal().token == delegation.token
    assert identity.calls[-1][2] is None


def test_acting_as_binds_the_member_and_restores_the_caller():
    delegation = Delegation(token="t", org_id=ORG, user_id=ANA, role=Role.MEMBER,
                            email="ana@example.com", expires_at=T0, client_id=None)
    outer = bind_principal(None)
    try:
        with acting_as(delegation) as principal:
            assert optional_principal() is principal
            assert (principal.user_id, principal.org_id, principal.role, principal.token) == (
                ANA, ORG, Role.MEMBER, "t")
            assert principal.session_id is None
        assert optional_principal() is None
    finally:
        reset_principal(outer)
