"""The login throttle on real PostgreSQL: failures of one account are counted in identity's
database (so every replica and every restart sees them), a locked account is refused with 429
and when to retry, an unknown email is throttled exactly like a wrong password, and a success
or the lock's end lets the owner back in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import grpc
import pytest
from identity_helpers import PASSWORD, signup
from sqlalchemy import text

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.db.uow import Scope
from labs_common.errors import from_rpc_error
from labs_identity.domain import throttle
from labs_identity.entrypoints.grpc_servicer import CLIENT_ADDRESS_METADATA
from labs_identity.service_layer.auth import login_account

pytestmark = pytest.mark.integration


async def attempt(stub, email: str, password: str, address: str = "") -> tuple:
    """What a sign-in answers: OK, or the error's code, message, reason and retry_after."""
    metadata = ((CLIENT_ADDRESS_METADATA, address),) if address else ()
    try:
        await stub.Login(pb.LoginRequest(email=email, password=password), metadata=metadata)
    except grpc.aio.AioRpcError as error:
        parsed = from_rpc_error(error)
        return error.code(), error.details(), parsed.reason, parsed.metadata.get("retry_after")
    return ("OK",)


async def failures_of(identity, email: str):
    async with identity.runtime.uow(Scope.of_system()) as uow:
        return (
            await uow.session.execute(
                text("SELECT failures FROM login_failures WHERE account = :a"),
                {"a": login_account(email)},
            )
        ).scalar()


def long_lock_after_the_free_ones(failures: int, free: int = throttle.FREE_FAILURES) -> timedelta:
    return timedelta(minutes=5) if failures > free else timedelta(0)


@pytest.fixture
def long_lock(monkeypatch):
    monkeypatch.setattr(throttle, "lockout", long_lock_after_the_free_ones)


async def test_a_locked_account_is_refused_with_retry_after_and_an_unknown_email_alike(
    stub, identity, long_lock
):
    known = (await signup(stub)).user.email
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers = {}
    for email in (known, unknown):
        answers[email] = [
            await attempt(stub, email, "wrong password!") for _ in range(throttle.FREE_FAILURES + 1)
        ]
        answers[email].append(await attempt(stub, email, PASSWORD))
    assert answers[known] == answers[unknown]
    *failed, refused = answers[known]
    assert {a[0] for a in failed} == {grpc.StatusCode.UNAUTHENTICATED}
    code, _, reason, retry_after = refused  # the right password too, while locked
    assert (code, reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "LOGIN_THROTTLED")
    assert 250 <= int(retry_after) <= 300
    # Counted in the database, under a digest: the email itself is stored nowhere.
    assert await failures_of(identity, known) == throttle.FREE_FAILURES + 1
    async with identity.runtime.uow(Scope.of_system()) as uow:
        stored = (
            await uow.session.execute(
                text("SELECT count(*) FROM login_failures WHERE account LIKE '%@%'")
            )
        ).scalar()
    assert stored == 0


async def test_a_success_forgets_the_failures(stub, identity, long_lock):
    email = (await signup(stub)).user.email
    for _ in range(throttle.FREE_FAILURES):
        assert (await attempt(stub, email, "wrong password!"))[0] == grpc.StatusCode.UNAUTHENTICATED
    assert await attempt(stub, email, PASSWORD) == ("OK",)
    assert await failures_of(identity, email) is None
    for _ in range(throttle.FREE_FAILURES):
        assert (await attempt(stub, email, "wrong password!"))[0] == grpc.StatusCode.UNAUTHENTICATED
    assert await attempt(stub, email, PASSWORD) == ("OK",)


async def test_the_owner_gets_back_in_once_the_lock_ends(stub, monkeypatch):
    monkeypatch.setattr(
        throttle,
        "lockout",
        lambda failures, free=throttle.FREE_FAILURES: (
            timedelta(seconds=1) if failures > free else timedelta(0)
        ),
    )
    email = (await signup(stub)).user.email
    for _ in range(throttle.FREE_FAILURES + 1):
        await attempt(stub, email, "wrong password!")
    deadline = asyncio.get_running_loop().time() + 10
    while (answer := await attempt(stub, email, PASSWORD)) != ("OK",):
        assert answer[0] == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert asyncio.get_running_loop().time() < deadline, "still locked"
        await asyncio.sleep(0.1)


async def test_concurrent_guesses_cannot_slip_past_the_count(stub, long_lock):
    email = (await signup(stub)).user.email
    answers = await asyncio.gather(*(attempt(stub, email, f"guess number {n}") for n in range(16)))
    codes = sorted(str(a[0]) for a in answers)
    assert codes.count(str(grpc.StatusCode.UNAUTHENTICATED)) == throttle.FREE_FAILURES + 1
    assert codes.count(str(grpc.StatusCode.RESOURCE_EXHAUSTED)) == 16 - throttle.FREE_FAILURES - 1


async def test_one_address_spraying_guesses_across_accounts_is_refused_for_all(
    stub, long_lock, monkeypatch
):
    monkeypatch.setattr(throttle, "FREE_ADDRESS_FAILURES", 6)
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    mine = (await signup(stub)).user.email
    victim = (await signup(stub)).user.email
    sprayed = [f"target-{uuid.uuid4().hex[:8]}@example.com" for _ in range(7)]
    answers = []
    for n, email in enumerate(sprayed):
        answers.append((await attempt(stub, email, "wrong password!", address))[0])
        if n == 2:  # signing into one's own account in between wipes nothing
            assert await attempt(stub, mine, PASSWORD, address) == ("OK",)
    assert answers == [grpc.StatusCode.UNAUTHENTICATED] * 7
    refused = await attempt(stub, victim, PASSWORD, address)
    assert refused[0] == grpc.StatusCode.RESOURCE_EXHAUSTED and int(refused[3]) > 0
    # The victim, elsewhere, is not locked out: the address was, not their account.
    assert await attempt(stub, victim, PASSWORD, "203.0.113.7") == ("OK",)
